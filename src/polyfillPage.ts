/**
 * `dist/polyfill.page.min.js`: the page half of the polyfill, for a page whose service worker
 * loads `dist/polyfill.min.js`. It installs at load as `polyfill.min.js` does (options from
 * `self.RxBackgroundFetchOptions`), and defines `RxBackgroundFetch` with the three interfaces and
 * `install`. It carries no engine, transport or store: when the worker turns out not to run the
 * polyfill, the page loads `polyfill.page-host.min.js` from beside it and hosts the downloads.
 *
 * @example
 * <script src="/dist/polyfill.page.min.js"></script>
 * <script>navigator.serviceWorker.ready.then((r) => r.backgroundFetch.fetch('ep-1', ['/ep1.mp3']));</script>
 *
 * @module
 */
import './globals';
import { install } from './polyfill/page/install';
import type { InstallOptions } from './polyfill/installOptions';

export { BackgroundFetchManager } from './BackgroundFetchManager';
export { BackgroundFetchRecord } from './BackgroundFetchRecord';
export { BackgroundFetchRegistration } from './BackgroundFetchRegistration';
export { install };

install((globalThis as { RxBackgroundFetchOptions?: InstallOptions }).RxBackgroundFetchOptions ?? {});
