/**
 * `dist/rx-background-fetch.min.js`: every export of the main entry and `install()`, with no
 * side effect, for a script or service worker that wants to call `install(options)` itself
 * (`polyfill.min.js` installs with default options as it loads). The ES module entry
 * `rx-background-fetch` leaves `install` to `rx-background-fetch/polyfill`.
 *
 * @example
 * importScripts('/dist/rx-background-fetch.min.js');
 * RxBackgroundFetch.install({ notifications: true });
 *
 * @module
 */
export * from './index';
export { install, type InstallOptions } from './polyfill/install';
