/**
 * The types of `dist/polyfill.min.js`: the global `RxBackgroundFetch` and the Background Fetch
 * globals it installs. A service worker that loads it with `importScripts()` gets them with
 * `/// <reference types="rx-background-fetch/dist/polyfill.min.js" />`.
 * @module
 */
import './rx-background-fetch.min.js';
import './polyfill.js';
