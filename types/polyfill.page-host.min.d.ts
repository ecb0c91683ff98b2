/**
 * `dist/polyfill.page-host.min.js` is loaded by `dist/polyfill.page.min.js` when a page has to
 * host the downloads itself; it defines no name for direct use.
 * @module
 */
export {};
