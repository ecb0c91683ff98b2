// A module service worker that imports the polyfill (bundled): the backgroundfetch* events are
// typed on self. `declare const self` is how lib.webworker code types a service worker's global.
/// <reference lib="webworker" />
import 'rx-background-fetch/polyfill';

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open('episodes');
      for (const record of await event.registration.matchAll()) {
        await cache.put(record.request, await record.responseReady);
      }
      await event.updateUI({ title: `${event.registration.id} is ready offline` });
    })(),
  );
});
self.addEventListener('backgroundfetchfail', (event) => event.waitUntil(event.updateUI({ title: event.registration.failureReason })));
self.onbackgroundfetchabort = (event) => event.waitUntil(caches.delete(event.registration.id));
self.onbackgroundfetchclick = (event) => event.waitUntil(self.clients.openWindow(`/?id=${event.registration.id}`));

export const manager: BackgroundFetchManager = self.registration.backgroundFetch;
export const isUpdateUIEvent = (event: Event): event is BackgroundFetchUpdateUIEvent => event instanceof BackgroundFetchUpdateUIEvent;

// @ts-expect-error an abort event has no updateUI()
self.addEventListener('backgroundfetchabort', (event) => event.updateUI({}));
