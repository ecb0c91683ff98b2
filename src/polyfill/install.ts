import { installInWorker } from './installInWorker';
import type { InstallOptions } from './installOptions';
import { installWith } from './installWith';

export type { InstallOptions };

/**
 * The drop-in polyfill: where the platform has no Background Fetch (or with `force`), defines
 * `ServiceWorkerRegistration.prototype.backgroundFetch` and the Background Fetch globals, and in
 * a service worker the events and `onbackgroundfetch…` handlers. Call it in the page and in the
 * service worker; downloads then run in the worker and every page mirrors them live. Returns
 * `true` when it installed, `false` when the native API was kept; a second call is harmless.
 *
 * @example
 * import { install } from 'rx-background-fetch/polyfill';
 * install(); // then: (await navigator.serviceWorker.ready).backgroundFetch.fetch(id, urls)
 */
export function install(options: InstallOptions = {}): boolean {
  return installWith(options, installInWorker);
}
