import type { ManagerBackend } from '../../backend';

/**
 * `defaultBackend` of the page build (`dist/polyfill.page.min.js`, rollup.config.mjs puts it in
 * place of `src/defaultBackend.ts`): that build carries no engine, so the manager exists only as
 * `registration.backgroundFetch`, and constructing one is refused as in the native API.
 *
 * @example
 * new BackgroundFetchManager(); // TypeError: Illegal constructor …
 * (await navigator.serviceWorker.ready).backgroundFetch; // the way in
 */
export function defaultBackend(): ManagerBackend {
  throw new TypeError('Illegal constructor: polyfill.page.min.js has no engine; use registration.backgroundFetch, or polyfill.min.js for new BackgroundFetchManager().');
}
