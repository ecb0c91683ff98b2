/**
 * The types of `dist/polyfill.esm.min.js`, the polyfill as one self-contained ES module: it
 * installs as it loads and exports what `rx-background-fetch/polyfill` does.
 * @module
 */
export * from './polyfill.js';
