import type { BackgroundFetchManagerOptions } from '../managerOptions';
import type { PageEngine } from './pageEngine';
import { loadPageEngine } from './pageEngineLoader';
import { channelName } from './protocol';
import { requestScopeLock } from './scopeLock';

/**
 * This page's part in hosting a scope whose service worker does not.
 *
 * @example
 * const host: PageHost = hostInPage(scope, {});
 * await host.handOver(); // the worker hosts now
 */
export interface PageHost {
  /** Resolves once some page hosts the scope (this one, or the lock's holder) and takes calls. */
  readonly listening: Promise<void>;
  /** Stops hosting (requests cancelled, writes landed), then gives the lock up; or withdraws from the queue. */
  handOver(): Promise<void>;
}

// Module-level because a scope's Web Lock is one per origin: a page joins its election once per scope, whatever number of managers it has.
const hosts = new Map<string, PageHost>();

/**
 * Joins the scope's election of a page host: the page that holds the Web Lock
 * `rx-background-fetch:<scope>` runs the downloads and answers calls on the scope's channel.
 * One per scope in this page; `handOver()` ends it, as soon as a service worker hosts.
 *
 * @example
 * const host = hostInPage(scope, {});
 * await host.listening; // calls on the channel are answered now
 */
export function hostInPage(scope: string, options: Omit<BackgroundFetchManagerOptions, 'scope' | 'events'>): PageHost {
  const known = hosts.get(scope);
  if (known !== undefined) return known;
  const lock = requestScopeLock(scope);
  let heard!: () => void;
  let failed!: (error: unknown) => void;
  const listening = new Promise<void>((resolve, reject) => ((heard = resolve), (failed = reject)));
  // An engine that failed to load rejects each call that waits on it, with the reason.
  listening.catch(() => undefined);
  let serving: PageEngine | undefined;
  let over = false;
  void lock.held.then(async () => {
    // The page build loads the engine only now, when this page has to host.
    const start = await loadPageEngine().catch((error: unknown) => void failed(error));
    if (over || start === undefined) return;
    serving = start(scope, options);
    heard();
  });
  // Another page may hold the lock already: then that one answers.
  void navigator.locks?.query().then(({ held = [] }) => {
    if (held.some((lock) => lock.name === channelName(scope))) heard();
  });
  let ended: Promise<void> | undefined;
  const host: PageHost = {
    listening,
    handOver() {
      over = true;
      hosts.delete(scope);
      ended ??= (async () => {
        await serving?.stop();
        lock.release();
      })();
      return ended;
    },
  };
  hosts.set(scope, host);
  return host;
}
