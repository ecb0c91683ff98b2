import type { BackgroundFetchManagerOptions } from '../managerOptions';

/** Options of {@link install}: the manager options of the host, plus these. */
export interface InstallOptions extends Omit<BackgroundFetchManagerOptions, 'scope' | 'events'> {
  /** Replace a native Background Fetch too. Default false. */
  force?: boolean;
  /**
   * Show a notification per fetch (title, icon, progress) where permission is granted. Default
   * false. (Where permission is granted, a worker about to be stopped with downloads unfinished
   * says they are paused whatever this says: a click on that notification opens the app.)
   */
  notifications?: boolean;
}

/**
 * Installs the worker half of the polyfill in a service worker global and returns what turns
 * its notifications on later: `installInWorker` in polyfill.min.js; the page build refuses.
 */
export type WorkerInstaller = (worker: object, options: Omit<InstallOptions, 'force'>) => () => void;
