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
  throw new TypeError(
    'Illegal constructor: dist/polyfill.page.min.js carries no download engine. Use (await navigator.serviceWorker.ready).backgroundFetch, ' +
      'or load dist/polyfill.min.js (or import rx-background-fetch) for new BackgroundFetchManager().',
  );
}
