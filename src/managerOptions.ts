import type { NormalizedRetry, RetryOptions } from '../operators/retryOptions';
import { normalizeRetry } from '../operators/retryOptions';
import { checkPatience, defaultPatience } from '../operators/networkPatience';
import type { Observable } from 'rxjs';
import { maxTimerDelay } from '../operators/timerLimit';
import { shown } from './errors';
import type { Platform } from './platform';
import { sharedMemoryStore } from './store/memoryStore';
import type { BackgroundFetchStore } from './store/types';

/** What `quota` resolves with: bytes in use and bytes allowed. */
export interface QuotaEstimate {
  /** Bytes in use. */
  usage: number;
  /** Bytes allowed in all. */
  quota: number;
}

/** The options of `new BackgroundFetchManager()` (API.md §3). */
export interface BackgroundFetchManagerOptions {
  /** Registrations are shared only by managers of the same scope and store. */
  scope?: string;
  /** Base for relative request URLs. Default `location.href` where it exists. */
  baseURL?: string;
  /** `"indexeddb"`, `"memory"`, or a store object. Default IndexedDB where it exists, else memory. */
  store?: 'indexeddb' | 'memory' | BackgroundFetchStore;
  /** Requests in flight per registration. Default 4. */
  concurrency?: number;
  /**
   * GET retries on 408, 429 and 5xx before the status is the record's answer: one budget per
   * record, shared by all its requests. Default 3. `delay`/`backoffLimit` also pace the
   * attempts after network failures.
   */
  retry?: number | RetryOptions;
  /**
   * Ms of network failures (refused, reset, stalled, DNS), counted only while online, that a
   * GET record waits out, resuming with `Range` from its stored bytes, before it is a
   * `fetch-error`; time offline never counts. Default 600000 (10 minutes).
   */
  patience?: number;
  /**
   * Whether the platform is online: emits now, then each change. Offline, no attempt is made
   * (but a probe on the capped backoff) and no patience spent; going online retries at once.
   * Default `navigator.onLine` with the `online`/`offline` events where they exist, else always online.
   */
  online$?: Observable<boolean>;
  /** Ms a response may take to start, or a body to send its next chunk; at most 2147483647 (what a timer holds). Default 30000. */
  timeout?: number;
  /** Minimum ms between `progress` events of one registration (the final state is always delivered); at most 2147483647. Default 100. */
  progressInterval?: number;
  /**
   * Bytes used and allowed. Default `navigator.storage.estimate` where present, else no limit:
   * WebKitGTK's automation profile has no `navigator.storage`, so no quota is checked there unless this is given.
   */
  quota?: () => Promise<QuotaEstimate>;
  /**
   * The `fetch` the transport uses, handed a `Request` for every request it sends. Default
   * `globalThis.fetch`, which gets a plain GET as its URL alone (one `Request` made, not two).
   */
  fetch?: typeof fetch;
  /** Where completion events fire. Default the service worker global in one, else the manager. */
  events?: EventTarget;
}

/** Manager options with every default resolved. */
export interface ManagerSettings {
  readonly scope: string;
  readonly baseURL: string | undefined;
  /** The realm's origin, where it has one: cross-origin requests that fail are probed for a CORS refusal. */
  readonly origin: string | undefined;
  readonly store: BackgroundFetchStore;
  readonly concurrency: number;
  readonly retry: NormalizedRetry;
  readonly patience: number;
  /** Whether the platform says it is online: now, then each change. */
  readonly online$: Observable<boolean>;
  readonly timeout: number;
  readonly progressInterval: number;
  readonly quota: (() => Promise<QuotaEstimate>) | undefined;
  readonly fetch: typeof fetch;
  /** No `fetch` option was given: `fetch` is the platform's, which takes a plain GET as its URL alone. */
  readonly platformFetch: boolean;
  readonly events: EventTarget | undefined;
}

const storeMethods = ['load', 'create', 'settleRecord', 'settleFetch', 'remove', 'sink', 'readChunks'] as const;

function resolveStore(store: BackgroundFetchManagerOptions['store'], platform: Platform, openIndexedDB: () => BackgroundFetchStore): BackgroundFetchStore {
  if (store === undefined) return platform.hasIndexedDB ? openIndexedDB() : sharedMemoryStore();
  if (store === 'memory') return sharedMemoryStore();
  if (store === 'indexeddb') {
    if (!platform.hasIndexedDB) throw new TypeError('store "indexeddb" needs indexedDB, which this realm lacks; use "memory" or import "fake-indexeddb/auto" in Node.');
    return openIndexedDB();
  }
  if (typeof store === 'object' && store !== null && storeMethods.every((name) => typeof store[name] === 'function')) return store;
  throw new TypeError(`store must be "indexeddb", "memory", or an object with the methods ${storeMethods.join(', ')}.`);
}

function resolveOnline(online$: unknown, platform: Platform): Observable<boolean> {
  if (online$ === undefined) return platform.online$;
  if (typeof online$ !== 'object' || online$ === null || typeof (online$ as Observable<boolean>).subscribe !== 'function') {
    throw new TypeError('online$ must be an Observable<boolean> (anything with subscribe()).');
  }
  return online$ as Observable<boolean>;
}

function positiveInteger(value: number, name: string): number {
  if (typeof value !== 'number' || !(value >= 1) || (value !== Infinity && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be a whole number ≥ 1 (or Infinity), got ${shown(value)}.`);
  }
  return value;
}

/**
 * Resolves a manager's options against the platform it runs on (`readPlatform()`), throwing a
 * `TypeError` that names the first bad option. `openIndexedDB` makes the IndexedDB store (kept
 * out of this module so that a memory-only bundle does not carry it).
 *
 * @example
 * const settings = resolveManagerOptions({ concurrency: 6 }, readPlatform(), openIndexedDBStore);
 * settings.progressInterval; // 100
 */
export function resolveManagerOptions(
  options: BackgroundFetchManagerOptions | undefined,
  platform: Platform,
  openIndexedDB: () => BackgroundFetchStore,
): ManagerSettings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`BackgroundFetchManager options must be an object, got ${options === null ? 'null' : typeof options}.`);
  }
  const given = options ?? {};
  const scope = given.scope ?? platform.scope ?? 'default';
  if (typeof scope !== 'string' || scope === '') throw new TypeError('scope must be a non-empty string.');
  const baseURL = given.baseURL ?? platform.baseURL;
  if (baseURL !== undefined && (typeof baseURL !== 'string' || !URL.canParse(baseURL))) {
    throw new TypeError(`baseURL must be an absolute URL, got ${String(baseURL)}.`);
  }
  // Both feed timers, which fire a wait longer than maxTimerDelay at once.
  const timeout = given.timeout ?? 30_000;
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= maxTimerDelay)) {
    throw new TypeError(`timeout must be a number of ms > 0 and ≤ ${maxTimerDelay}, got ${shown(timeout)}.`);
  }
  const progressInterval = given.progressInterval ?? 100;
  if (typeof progressInterval !== 'number' || !(progressInterval >= 0 && progressInterval <= maxTimerDelay)) {
    throw new TypeError(`progressInterval must be a number of ms ≥ 0 and ≤ ${maxTimerDelay}, got ${shown(progressInterval)}.`);
  }
  if (given.quota !== undefined && typeof given.quota !== 'function') throw new TypeError('quota must be a function returning Promise<{ usage, quota }>.');
  const fetchFn = given.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new TypeError(given.fetch === undefined ? 'This realm has no global fetch; pass a fetch function as the fetch option.' : `fetch must be a function, got ${shown(given.fetch)}.`);
  }
  // Browsers throw "Illegal invocation" when fetch is called with another `this` (ky calls it as a method).
  const boundFetch: typeof fetch = (input, init) => fetchFn.call(globalThis, input, init);
  if (given.events !== undefined && (typeof given.events !== 'object' || given.events === null || typeof given.events.dispatchEvent !== 'function')) {
    throw new TypeError('events must be an EventTarget.');
  }
  const { estimate } = platform;
  const defaultQuota =
    estimate === undefined
      ? undefined
      : async () => {
          const { usage = 0, quota = Infinity } = await estimate();
          return { usage, quota };
        };
  return {
    scope,
    baseURL,
    origin: platform.origin,
    store: resolveStore(given.store, platform, openIndexedDB),
    concurrency: positiveInteger(given.concurrency ?? 4, 'concurrency'),
    retry: normalizeRetry(given.retry),
    patience: checkPatience(given.patience ?? defaultPatience),
    online$: resolveOnline(given.online$, platform),
    timeout,
    progressInterval,
    quota: given.quota ?? defaultQuota,
    fetch: boundFetch,
    platformFetch: given.fetch === undefined,
    events: given.events ?? platform.serviceWorker,
  };
}
