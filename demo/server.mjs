// `npm start`: the offline-media demo. Serves the page, its service worker, the library's
// dist/ files and generated episodes; see server/config.mjs for the environment it reads.
import { startDemoServer } from './server/app.mjs';
import { readConfig } from './server/config.mjs';

const config = readConfig(process.env);
const server = await startDemoServer(config);
const rate = config.bytesPerSecond > 0 ? `${config.bytesPerSecond / 1e6} MB/s per connection` : 'unthrottled';
console.log(`rx-background-fetch demo: ${server.url}/  (${server.episodes.length} episodes, ${rate})`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close().then(() => process.exit(0)));
}
