import { defaultBackend } from '../defaultBackend';
import type { BackgroundFetchManagerOptions } from '../managerOptions';
import { serveHost } from './serveHost';

/**
 * A page's engine while it hosts a scope whose service worker does not run the polyfill.
 *
 * @example
 * const engine: PageEngine = startPageEngine(scope, {});
 * await engine.stop(); // requests cancelled, writes landed
 */
export interface PageEngine {
  /** Stops answering calls and closes the engine (nothing aborted: the next host resumes it). */
  stop(): Promise<void>;
}

/** Starts hosting a scope in this page: {@link startPageEngine}'s type, as the page build loads it. */
export type StartPageEngine = (scope: string, options: Omit<BackgroundFetchManagerOptions, 'scope' | 'events'>) => PageEngine;

/**
 * Runs a scope's downloads in this page and answers the scope's calls on its channel. Only the
 * page that holds the scope's Web Lock calls it (pageHost.ts).
 *
 * @example
 * const engine = startPageEngine(registration.scope, { concurrency: 2 });
 * window.addEventListener('pagehide', () => void engine.stop());
 */
export const startPageEngine: StartPageEngine = (scope, options) => {
  // The host serves the engine, not a manager: pages checked their calls already. Completion
  // events fire on a target nobody holds: a page cannot run service-worker events (install warns).
  const backend = defaultBackend({ ...options, scope }, new EventTarget());
  const serving = serveHost(backend, scope, true);
  return {
    async stop() {
      serving.stop();
      await backend.close();
    },
  };
};
