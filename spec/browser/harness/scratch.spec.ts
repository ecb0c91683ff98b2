import path from 'node:path';
import { launch, type EngineName } from './engines';
import { startStaticServer } from './staticServer';
test.each(['webkit', 'chromium', 'firefox'] as EngineName[])('scratch %s', async (engine) => {
  const server = await startStaticServer({ root: path.join(__dirname, 'fixtures'), routes: (req, res) => {
    if (req.url !== '/logsw.js') return false;
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end("console.log('sw top level'); self.addEventListener('message', (e) => console.log('sw got ' + e.data));");
    return true; } });
  const b = await launch(engine);
  const p = await b.open(`${server.url}/index.html`);
  await p.evaluate(async () => { const r = await navigator.serviceWorker.register('/logsw.js'); await navigator.serviceWorker.ready; r.active!.postMessage('ping'); });
  await p.evaluate(() => { setTimeout(() => { throw new Error('uncaught boom'); }); Promise.reject(new Error('unhandled rej')); });
  await new Promise(r => setTimeout(r, 1000));
  console.log(engine, p.consoleMessages());
  await b.close(); await server.close();
}, 60000);
