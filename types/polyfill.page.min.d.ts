/**
 * The types of `dist/polyfill.page.min.js`, the page half of the polyfill for a page whose
 * service worker loads `dist/polyfill.min.js`: the global `RxBackgroundFetch` (the three
 * interfaces and `install`) and the Background Fetch globals it installs. A page gets them with
 * `/// <reference types="rx-background-fetch/dist/polyfill.page.min.js" />`.
 * @module
 */
import type { BackgroundFetchManager, BackgroundFetchRecord, BackgroundFetchRegistration, install } from './polyfill.js';

declare global {
  /** What `dist/polyfill.page.min.js` defines: the three interfaces and `install` (page only). */
  var RxBackgroundFetch: {
    BackgroundFetchManager: typeof BackgroundFetchManager;
    BackgroundFetchRecord: typeof BackgroundFetchRecord;
    BackgroundFetchRegistration: typeof BackgroundFetchRegistration;
    install: typeof install;
  };
}
