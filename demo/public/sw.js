// The demo's service worker: runs the downloads (through the polyfill where the browser has
// no Background Fetch) and files finished episodes into Cache Storage, as a real app would.

// Not polyfill.min.js: that file calls install() with default options as it loads, and a
// second install() is a no-op, so its options (notifications here) would be ignored.
// rx-background-fetch.min.js is the same library without the side effect.
importScripts('/dist/rx-background-fetch.min.js');

const force = new URL(location.href).searchParams.get('polyfill') === 'force';
// true: the polyfill runs the downloads here; false: the browser's native engine does.
const polyfilled = RxBackgroundFetch.install({ force, notifications: true });
const cacheName = 'episodes-v1'; // js/library.js reads the same cache
// Tells open pages that an episode was filed (js/app.js listens).
const filed = new BroadcastChannel('demo:filed');

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// The page asks which engine runs here, for its engine panel.
self.addEventListener('message', (event) => {
  if (event.data?.type === 'demo:engine') event.ports[0]?.postMessage({ polyfilled });
});

/** The episode's title for the UI; the id when the list cannot be fetched (offline). */
async function titleOf(id) {
  try {
    const episodes = await (await fetch('/api/episodes')).json();
    return episodes.find((episode) => episode.id === id)?.title ?? id;
  } catch {
    return id;
  }
}

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(
    (async () => {
      // The records are readable only until this handler's promises settle: copy them now.
      const cache = await caches.open(cacheName);
      const records = await event.registration.matchAll();
      await Promise.all(records.map(async (record) => cache.put(record.request, await record.responseReady)));
      filed.postMessage({ id: event.registration.id });
      await event.updateUI({ title: `${await titleOf(event.registration.id)} downloaded` });
    })(),
  );
});

/** A failed or aborted fetch must not leave a playable entry behind; the library drops its own bytes after this event. */
async function forget(registration) {
  const cache = await caches.open(cacheName);
  const records = await registration.matchAll();
  await Promise.all(records.map((record) => cache.delete(record.request)));
}

self.addEventListener('backgroundfetchfail', (event) => {
  event.waitUntil(
    (async () => {
      await forget(event.registration);
      await event.updateUI({ title: `${await titleOf(event.registration.id)} could not be downloaded` });
    })(),
  );
});

self.addEventListener('backgroundfetchabort', (event) => event.waitUntil(forget(event.registration)));

// A click on the download's notification (or Chromium's download UI) opens the app.
self.addEventListener('backgroundfetchclick', (event) => event.waitUntil(self.clients.openWindow('/')));
