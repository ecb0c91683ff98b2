/**
 * The drop-in polyfill: importing it runs `install()` with the options in
 * `self.RxBackgroundFetchOptions`, if set, and brings the global types that install() makes
 * true: `ServiceWorkerRegistration.backgroundFetch`, the `BackgroundFetchManager`,
 * `BackgroundFetchRegistration`, `BackgroundFetchRecord`, `BackgroundFetchEvent` and
 * `BackgroundFetchUpdateUIEvent` globals, and in a service worker the `backgroundfetchsuccess`,
 * `…fail`, `…abort` and `…click` events of `self` with their `on…` handlers. A page or service
 * worker that loads `dist/polyfill.min.js` instead gets the same types, without importing
 * anything, from `/// <reference types="rx-background-fetch/polyfill" />`. It exports what
 * `rx-background-fetch` does, and `install`.
 *
 * @example
 * import 'rx-background-fetch/polyfill';
 * const download = await (await navigator.serviceWorker.ready).backgroundFetch.fetch('ep-1', ['/ep1.mp3']);
 *
 * @module rx-background-fetch/polyfill
 */
import { install, type InstallOptions } from './polyfill/install';
// The global types install() makes true: ServiceWorkerRegistration.backgroundFetch and the rest.
import './globals';

export * from './index';
export { install, type InstallOptions };

// Options for the install at load: set `self.RxBackgroundFetchOptions = { … }` before loading.
install((globalThis as { RxBackgroundFetchOptions?: InstallOptions }).RxBackgroundFetchOptions ?? {});
