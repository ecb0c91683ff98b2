// Worker side of the survival bench: runs the download (through the polyfill unless native) and,
// once it succeeds, uploads the file it got to the server, which checks it byte for byte.
const engine = new URL(location.href).searchParams.get('engine') || 'polyfill';
if (engine !== 'native') {
  importScripts('/dist/polyfill.min.js');
  if (engine === 'forced') RxBackgroundFetch.install({ force: true });
}
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(
    (async () => {
      const [record] = await event.registration.matchAll();
      const name = new URL(record.request.url).pathname.replace(/^\/media\/|\.wav$/g, '');
      const body = await (await record.responseReady).blob();
      await fetch(`/verify/${name}`, { method: 'POST', body });
    })(),
  );
});
