// Node, from the installed tarball: the CommonJS build through require(), the ES module build
// through import(), each downloading from a local server; the browser files resolve by name.
const { createServer } = require('node:http');

async function download(api, origin) {
  const manager = new api.BackgroundFetchManager({ store: 'memory', baseURL: origin });
  const done = new Promise((resolve) => {
    manager.addEventListener('backgroundfetchsuccess', (event) => {
      event.waitUntil(
        event.registration.matchAll().then(async ([record]) => resolve((await (await record.responseReady).arrayBuffer()).byteLength)),
      );
    });
  });
  await manager.fetch('one', '/bytes');
  return done;
}

const server = createServer((request, response) => response.end(Buffer.alloc(1000, 1)));
server.listen(0, '127.0.0.1', async () => {
  const origin = `http://127.0.0.1:${server.address().port}/`;
  const report = {
    require: await download(require('rx-background-fetch'), origin),
    import: await download(await import('rx-background-fetch'), origin),
    operators: [typeof require('rx-background-fetch/operators').countBytes, typeof (await import('rx-background-fetch/operators')).countBytes],
    files: ['polyfill.min.js', 'polyfill.esm.min.js', 'rx-background-fetch.min.js'].map((file) => require.resolve(`rx-background-fetch/dist/${file}`).endsWith(`/dist/${file}`)),
  };
  console.log(JSON.stringify(report));
  server.close();
});
