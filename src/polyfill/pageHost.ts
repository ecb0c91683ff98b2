import { BackgroundFetchManager } from '../BackgroundFetchManager';
import type { BackgroundFetchManagerOptions } from '../managerOptions';
import { channelName } from './protocol';
import { requestScopeLock } from './scopeLock';
import { serveHost } from './serveHost';

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
  const listening = new Promise<void>((resolve) => (heard = resolve));
  let serving: { manager: BackgroundFetchManager; stop: () => void } | undefined;
  let over = false;
  void lock.held.then(() => {
    if (over) return;
    const manager = new BackgroundFetchManager({ ...options, scope });
    serving = { manager, stop: serveHost(manager, scope, true).stop };
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
        if (serving !== undefined) {
          serving.stop();
          await serving.manager.close();
        }
        lock.release();
      })();
      return ended;
    },
  };
  hosts.set(scope, host);
  return host;
}
