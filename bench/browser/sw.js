// Worker side of the browser bench. Stamps the completion event the moment it fires, then reads
// every record's body back (as an app would) and stamps that too. Also runs the no-library
// baselines (baselines.js) in the same worker.
const engine = new URL(location.href).searchParams.get('engine') || 'polyfill';
if (engine !== 'native') {
  importScripts('/dist/polyfill.min.js');
  if (engine === 'forced') RxBackgroundFetch.install({ force: true });
}
importScripts('/bench/browser/baselines.js');
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const channel = new BroadcastChannel('sw-events');

for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort']) {
  self.addEventListener(type, (event) => {
    const at = Date.now();
    const registration = event.registration;
    channel.postMessage({ id: registration.id, type, at, failureReason: registration.failureReason, downloaded: registration.downloaded });
    event.waitUntil(
      (async () => {
        let bytes = 0;
        let records = 0;
        for (const record of await registration.matchAll()) {
          const response = await record.responseReady;
          bytes += (await response.arrayBuffer()).byteLength;
          records++;
        }
        channel.postMessage({ id: registration.id, type: 'read', at: Date.now(), bytes, records });
      })().catch((error) => channel.postMessage({ id: registration.id, type: 'read-error', at: Date.now(), error: String(error) })),
    );
  });
}
