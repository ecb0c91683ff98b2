// A classic service worker that loads dist/polyfill.min.js with importScripts(): one reference
// line types the global RxBackgroundFetch and the Background Fetch globals.
/// <reference lib="webworker" />
/// <reference types="rx-background-fetch/dist/polyfill.min.js" />

importScripts('/dist/polyfill.min.js');
const installed: boolean = RxBackgroundFetch.install({ notifications: true });

(self as unknown as ServiceWorkerGlobalScope).onbackgroundfetchsuccess = (event) => {
  event.waitUntil(event.registration.matchAll().then((records) => console.log(installed, records.length)));
};
