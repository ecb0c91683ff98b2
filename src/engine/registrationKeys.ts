import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import type { StoredFetch } from '../store/types';

const fetchOf = new WeakMap<BackgroundFetchRegistration, StoredFetch>();

/**
 * Remembers which stored fetch a registration object shows, so the polyfill can name a fetch
 * across realms and service-worker restarts (its store key) and show its title and icons.
 *
 * @example
 * rememberFetch(view, job.fetch);
 * storedFetchOf(view)?.key; // '6f1c…'
 */
export function rememberFetch(registration: BackgroundFetchRegistration, fetch: StoredFetch): void {
  fetchOf.set(registration, fetch);
}

/** The stored fetch behind a registration a manager made, or `undefined` for one made elsewhere. */
export function storedFetchOf(registration: BackgroundFetchRegistration): StoredFetch | undefined {
  return fetchOf.get(registration);
}
