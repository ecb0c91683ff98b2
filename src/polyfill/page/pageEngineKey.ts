/**
 * Where `dist/polyfill.page-host.min.js` puts the page engine for the page build to find: a
 * registered symbol, so the two scripts agree on it without sharing a module.
 *
 * @example
 * (globalThis as { [pageEngineKey]?: StartPageEngine })[pageEngineKey] = startPageEngine;
 * const start = (globalThis as { [pageEngineKey]?: StartPageEngine })[pageEngineKey];
 */
export const pageEngineKey = Symbol.for('rx-background-fetch.page-engine');
