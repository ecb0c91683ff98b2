import { Observable, of } from 'rxjs';

/**
 * What the library takes from the realm it runs in. This module and `src/polyfill/` are the only
 * code that reads `navigator`, `location`, `self` or the `ServiceWorker…` globals: everything
 * else gets these values passed in, so it runs the same in a page, a worker, a service worker
 * and Node (where most of them are absent).
 *
 * @example
 * const platform: Platform = readPlatform();
 * platform.origin; // 'https://app.example' in a page, undefined in Node
 */
export interface Platform {
  /** The service worker's scope in one, else `location.origin`, else undefined. */
  readonly scope: string | undefined;
  /** `location.href` where it exists: the base of relative request URLs. */
  readonly baseURL: string | undefined;
  /** `location.origin` where it exists: requests to other origins are subject to CORS. */
  readonly origin: string | undefined;
  /** Whether the realm has IndexedDB. */
  readonly hasIndexedDB: boolean;
  /** `navigator.storage.estimate`, bound, where it exists. */
  readonly estimate: (() => Promise<{ usage?: number; quota?: number }>) | undefined;
  /** `navigator.onLine` now and on each `online`/`offline` event where they exist, else always true. */
  readonly online$: Observable<boolean>;
  /** The service worker global when this realm is one: completion events fire on it. */
  readonly serviceWorker: EventTarget | undefined;
}

interface Realm {
  location?: { href: string; origin: string };
  registration?: { scope?: string };
  indexedDB?: unknown;
  navigator?: { onLine?: unknown; storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }> } };
  addEventListener?: unknown;
  removeEventListener?: unknown;
  ServiceWorkerGlobalScope?: new () => unknown;
}

/**
 * Reads the platform of `realm` (default `globalThis`) as the manager's defaults need it.
 *
 * @example
 * const { baseURL, online$ } = readPlatform();
 * online$.subscribe((online) => console.log(online ? 'online' : 'offline'));
 */
export function readPlatform(realm: object = globalThis): Platform {
  const host = realm as Realm;
  const isServiceWorker = typeof host.ServiceWorkerGlobalScope === 'function' && realm instanceof host.ServiceWorkerGlobalScope;
  const storage = host.navigator?.storage;
  const estimate = storage?.estimate;
  return {
    scope: host.registration?.scope ?? host.location?.origin,
    baseURL: host.location?.href,
    origin: host.location?.origin,
    hasIndexedDB: host.indexedDB !== undefined,
    estimate: typeof estimate === 'function' ? () => estimate.call(storage) : undefined,
    online$: onlineStatus(host),
    serviceWorker: isServiceWorker ? (realm as EventTarget) : undefined,
  };
}

function onlineStatus(host: Realm): Observable<boolean> {
  const target = host as EventTarget;
  if (typeof host.navigator?.onLine !== 'boolean' || typeof host.addEventListener !== 'function' || typeof host.removeEventListener !== 'function') return of(true);
  return new Observable<boolean>((subscriber) => {
    const changed = () => subscriber.next(host.navigator?.onLine !== false);
    target.addEventListener('online', changed);
    target.addEventListener('offline', changed);
    changed();
    return () => {
      target.removeEventListener('online', changed);
      target.removeEventListener('offline', changed);
    };
  });
}
