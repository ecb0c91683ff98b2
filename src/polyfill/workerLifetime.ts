import { distinctUntilChanged, filter, firstValueFrom, map, race, timer, type Observable } from 'rxjs';

/**
 * How long a browser lets one event keep a service worker running with `waitUntil` work still
 * pending, less a margin for the paused notification to go out first.
 *
 * @example
 * const limits: HoldLimits = holdLimitsFor(navigator.userAgent);
 * setTimeout(warn, limits.eventMs);
 */
export interface HoldLimits {
  /** For most events (message, fetch, push, notificationclick). */
  readonly eventMs: number;
  /** For `sync` and `periodicsync`, which Chromium ends after 3 minutes. */
  readonly syncMs: number;
}

const margin = 5_000;

/**
 * Each engine's limit (measured with `npm run bench -- --only=survival`, bench/RESULTS.md §6):
 * Firefox stops a worker 30 s after its last event, or 30 s later still while a `waitUntil` is
 * pending (`dom.serviceWorkers.idle_timeout` and `idle_extended_timeout`); Chromium lets each
 * event run for 5 minutes. WebKit stops a worker about 10 s after its origin's last page closed,
 * whatever it holds, and says nothing first: a hold there only bridges the pages' pings.
 *
 * @example
 * holdLimitsFor('Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0').eventMs; // 55000
 * holdLimitsFor(navigator.userAgent);
 */
export function holdLimitsFor(userAgent: string): HoldLimits {
  if (/Firefox\//.test(userAgent)) return { eventMs: 60_000 - margin, syncMs: 60_000 - margin };
  if (/Chrome\//.test(userAgent)) return { eventMs: 300_000 - margin, syncMs: 180_000 - margin };
  return { eventMs: 30_000, syncMs: 30_000 };
}

/** The part of a service worker's extendable events used here (the DOM typings lack worker types). */
interface Extendable extends Event {
  waitUntil(promise: Promise<unknown>): void;
}

interface WorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration & {
    sync?: { register(tag: string): Promise<void> };
    periodicSync?: { register(tag: string, options: { minInterval: number }): Promise<void>; unregister(tag: string): Promise<void> };
  };
}

// Events that can start a worker, each then held while fetches run. Not install or activate:
// holding those would keep an update from activating for minutes; their start resumes anyway.
const heldEvents = ['message', 'fetch', 'push', 'notificationclick', 'notificationclose'];
const syncTag = 'rx-background-fetch';

/**
 * Keeps a service worker running for as long as the browser allows while fetches are active
 * (`ids$` not empty): every event it gets holds it with `waitUntil` until the fetches end or
 * that engine's limit is near. While fetches are active it registers a one-off `sync` (and a
 * `periodicsync`, where permitted) so that a browser with Background Sync starts it again later;
 * a `sync` event that ends with fetches still active fails, so that the browser retries it.
 * When the last hold runs out with fetches still active, `paused()` is called: the worker is
 * about to be stopped.
 *
 * @example
 * holdWhileBusy(self, manager.ids$, () => console.warn('about to be stopped with downloads left'));
 * // every message, fetch, push, notificationclick and sync event now holds the worker while fetches run
 */
export function holdWhileBusy(worker: WorkerScope, ids$: Observable<string[]>, paused: () => void, limits = holdLimitsFor(navigator.userAgent)): void {
  const busy$ = ids$.pipe(
    map((ids) => ids.length > 0),
    distinctUntilChanged(),
  );
  let lastDeadline = 0;
  /** Resolves true when the hold ran out with fetches active, false once none is. */
  const hold = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    lastDeadline = Math.max(lastDeadline, deadline);
    // A manager closed (its ids$ complete) holds nothing any more.
    const ends$ = race(busy$.pipe(filter((busy) => !busy), map(() => false)), timer(ms).pipe(map(() => true)));
    const ranOut = await firstValueFrom(ends$, { defaultValue: false });
    if (ranOut && deadline === lastDeadline) paused();
    return ranOut;
  };
  for (const type of heldEvents) worker.addEventListener(type, (event) => (event as Extendable).waitUntil(hold(limits.eventMs)));
  worker.addEventListener('sync', (event) => {
    if ((event as Event & { tag?: string }).tag !== syncTag) return;
    (event as Extendable).waitUntil(
      hold(limits.syncMs).then((ranOut) => {
        // A failed sync is retried by the browser later (Chromium: after 5, then 15 minutes).
        if (ranOut) throw new Error('rx-background-fetch: downloads are unfinished; sync again later to go on.');
      }),
    );
  });
  worker.addEventListener('periodicsync', (event) => {
    if ((event as Event & { tag?: string }).tag === syncTag) (event as Extendable).waitUntil(hold(limits.syncMs));
  });
  // The browser may refuse either registration (no Background Sync, no permission, no window
  // open, not an installed app): then nothing wakes the worker but the events above.
  const { sync, periodicSync } = worker.registration;
  busy$.subscribe((busy) => {
    if (busy) {
      sync?.register(syncTag).catch(() => undefined);
      periodicSync?.register(syncTag, { minInterval: 60 * 60_000 }).catch(() => undefined);
    } else {
      periodicSync?.unregister(syncTag).catch(() => undefined);
    }
  });
}
