import type { BehaviorSubject } from 'rxjs';
import type { FetchTally } from '../../operators/types';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import type { StoredFetch } from '../store/types';

/**
 * What the polyfill's host reads of the fetch behind a registration: the stored fetch (its key
 * names it across realms and service-worker restarts; its title and icons show in
 * notifications), the tallies (each record's response head, bytes and result, which pages
 * mirror) and the stored body chunks (which pages read through calls).
 */
export interface FetchRecords {
  /** What was registered. */
  readonly fetch: StoredFetch;
  /** The fetch's tallies: the current one, then each change. */
  readonly tally$: BehaviorSubject<FetchTally>;
  /** Stored body chunks of record `index` from chunk number `from` on. */
  readChunks(index: number, from: number): Promise<Uint8Array[]>;
}

const recordsOfView = new WeakMap<BackgroundFetchRegistration, FetchRecords>();

/**
 * Remembers which fetch a registration object shows, so the polyfill can name it, mirror its
 * records and read their bodies.
 *
 * @example
 * rememberFetch(view, job);
 * storedFetchOf(view)?.key; // '6f1c…'
 */
export function rememberFetch(registration: BackgroundFetchRegistration, records: FetchRecords): void {
  recordsOfView.set(registration, records);
}

/**
 * The stored fetch behind a registration a manager made, or `undefined` for one made elsewhere.
 *
 * @example
 * const stored = storedFetchOf(registration);
 * stored?.title; // 'Album'
 */
export function storedFetchOf(registration: BackgroundFetchRegistration): StoredFetch | undefined {
  return recordsOfView.get(registration)?.fetch;
}

/**
 * The records behind a registration a manager made, or `undefined` for one made elsewhere.
 *
 * @example
 * const records = recordsOf(registration);
 * records?.tally$.getValue().records[0].response?.status; // 200
 */
export function recordsOf(registration: BackgroundFetchRegistration): FetchRecords | undefined {
  return recordsOfView.get(registration);
}
