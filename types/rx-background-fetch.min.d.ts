/**
 * The types of `dist/rx-background-fetch.min.js`, a script that defines one global; a script
 * or service worker that loads it gets them with
 * `/// <reference types="rx-background-fetch/dist/rx-background-fetch.min.js" />`.
 * @module
 */
import type * as api from './index.js';

declare global {
  /** Every export of `rx-background-fetch`, as `dist/rx-background-fetch.min.js` defines it (`dist/polyfill.min.js` adds `install`). */
  var RxBackgroundFetch: typeof api;
}
