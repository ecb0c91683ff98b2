import type { InstallOptions, WorkerInstaller } from '../installOptions';
import { installWith } from '../installWith';

/** The page build has no engine, so it cannot be a service worker's half. */
const refuseWorker: WorkerInstaller = () => {
  throw new TypeError('polyfill.page.min.js is the page half of the polyfill, without an engine: importScripts("polyfill.min.js") in the service worker.');
};

/**
 * `install()` of the page build (`dist/polyfill.page.min.js`): the page half of the polyfill
 * only. Where the service worker runs the polyfill the page needs nothing more; where it does
 * not, the page loads `polyfill.page-host.min.js` from beside this file to host the downloads.
 * In a service worker it throws a `TypeError` that says to load `polyfill.min.js` there.
 *
 * @example
 * RxBackgroundFetch.install({ force: true }); // in a page that loaded polyfill.page.min.js
 * (await navigator.serviceWorker.ready).backgroundFetch.fetch('ep-1', ['/ep1.mp3']);
 */
export function install(options: InstallOptions = {}): boolean {
  return installWith(options, refuseWorker);
}
