/**
 * The types of `dist/polyfill.min.js`: the global `RxBackgroundFetch` (every export of
 * `rx-background-fetch/polyfill`: the main entry's, and `install`) and the Background Fetch
 * globals it installs. A service worker that loads it with `importScripts()` gets them with
 * `/// <reference types="rx-background-fetch/dist/polyfill.min.js" />`.
 * @module
 */
import type * as api from './polyfill.js';

declare global {
  /** Every export of `rx-background-fetch/polyfill`, as `dist/polyfill.min.js` defines it. */
  var RxBackgroundFetch: typeof api;
}
