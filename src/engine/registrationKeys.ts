import type { Observable } from 'rxjs';
import type { FetchTally, FetchUI } from '../../operators/types';
import type { StoredFetch } from '../store/types';

/**
 * What the polyfill may know of the fetch behind a registration a manager made: the stored fetch
 * (its key names it across realms and service-worker restarts), the tallies (each record's
 * response head, bytes and result, which pages mirror), its UI (title and icons, which
 * notifications show) and the stored body chunks (which pages read through calls).
 *
 * @example
 * const records: FetchRecords = job;
 * records.tallies$.subscribe((tally) => publish(tally.state));
 */
export interface FetchRecords {
  /** What was registered. */
  readonly fetch: StoredFetch;
  /** The fetch's tally now. */
  readonly tally: FetchTally;
  /** The fetch's tallies: the current one, then each change. */
  readonly tallies$: Observable<FetchTally>;
  /** The title and icons of its UI: now, then each `updateUI()`. */
  readonly ui$: Observable<FetchUI>;
  /** Stored body chunks of record `index` from chunk number `from` on, at most `count` when given. */
  readChunks(index: number, from: number, count?: number): Promise<Uint8Array[]>;
}

// Module-level as a private field would be (keyed by the registration, gone with it): the polyfill
// reads it, and a registration's public members are only those of the Web API.
const recordsOfView = new WeakMap<object, FetchRecords>();

/**
 * Remembers which fetch a registration object shows, so the polyfill can name it, mirror its
 * records, read their bodies and show its title and icons.
 *
 * @example
 * rememberFetch(view, job);
 * storedFetchOf(view)?.key; // '6f1c…'
 */
export function rememberFetch(registration: object, records: FetchRecords): void {
  recordsOfView.set(registration, records);
}

/**
 * The stored fetch behind a registration a manager made, or `undefined` for one made elsewhere.
 *
 * @example
 * const stored = storedFetchOf(registration);
 * stored?.title; // 'Album'
 */
export function storedFetchOf(registration: object): StoredFetch | undefined {
  return recordsOfView.get(registration)?.fetch;
}

/**
 * The records behind a registration a manager made, or `undefined` for one made elsewhere.
 *
 * @example
 * const records = recordsOf(registration);
 * records?.tally.records.at(0)?.response?.status; // 200
 */
export function recordsOf(registration: object): FetchRecords | undefined {
  return recordsOfView.get(registration);
}

/**
 * The UI of a registration a manager made (its title and icons, now and at each `updateUI()`),
 * or `undefined` for one made elsewhere.
 *
 * @example
 * uiOf(registration)?.subscribe(({ title }) => show(title));
 */
export function uiOf(registration: object): Observable<FetchUI> | undefined {
  return recordsOfView.get(registration)?.ui$;
}
