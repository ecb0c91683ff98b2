/**
 * `dist/polyfill.page-host.min.js`: the engine a page built with `dist/polyfill.page.min.js`
 * loads when it has to host (its service worker does not run the polyfill). It defines nothing
 * but the page engine under a symbol the page build looks for; nothing in it is for direct use.
 *
 * @example
 * <script src="/dist/polyfill.page.min.js"></script>
 * <!-- polyfill.page-host.min.js is loaded from beside it when needed -->
 *
 * @module
 */
import { startPageEngine } from '../pageEngine';
import { pageEngineKey } from './pageEngineKey';

(globalThis as { [pageEngineKey]?: typeof startPageEngine })[pageEngineKey] = startPageEngine;
