/**
 * The types of `dist/rx-background-fetch.min.js`, a script that defines one global; a script
 * or service worker that loads it gets them with
 * `/// <reference types="rx-background-fetch/dist/rx-background-fetch.min.js" />`.
 * @module
 */
import type * as api from './index.js';

/** The options of `RxBackgroundFetch.install()`, as `rx-background-fetch/polyfill` types them. */
interface ScriptInstallOptions extends Omit<api.BackgroundFetchManagerOptions, 'scope' | 'events'> {
  /** Replace a native Background Fetch too. Default false. */
  force?: boolean;
  /** Show a notification per fetch where permission is granted. Default false. */
  notifications?: boolean;
}

declare global {
  /**
   * Every export of `rx-background-fetch`, and `install()` (typed here without the Background
   * Fetch globals it defines: reference `rx-background-fetch/polyfill` for those).
   */
  var RxBackgroundFetch: typeof api & { install(options?: ScriptInstallOptions): boolean };
}
