import type { Observable } from 'rxjs';
import type { FetchUI } from '../../operators/types';
import type { StoredFetch } from '../store/types';

/**
 * What the polyfill may know of a registration a manager made: its stored fetch and its UI.
 *
 * @example
 * const keys: RegistrationKeys = { fetch: job.fetch, ui$: job.ui$ };
 * keys.ui$.subscribe(({ title }) => show(title));
 */
export interface RegistrationKeys {
  /** The stored fetch: its store key names it across realms and service-worker restarts. */
  readonly fetch: StoredFetch;
  /** The title and icons of its UI: now, then each `updateUI()`. */
  readonly ui$: Observable<FetchUI>;
}

// Module-level as a private field would be (keyed by the registration, gone with it): the polyfill
// reads it, and a registration's public members are only those of the Web API.
const keysOf = new WeakMap<object, RegistrationKeys>();

/**
 * Remembers which stored fetch a registration object shows and the stream of its UI, so the
 * polyfill can name a fetch across realms and service-worker restarts (its store key) and show
 * its title and icons.
 *
 * @example
 * rememberFetch(view, job.fetch, job.ui$);
 * storedFetchOf(view)?.key; // '6f1c…'
 */
export function rememberFetch(registration: object, fetch: StoredFetch, ui$: Observable<FetchUI>): void {
  keysOf.set(registration, { fetch, ui$ });
}

/** The stored fetch behind a registration a manager made, or `undefined` for one made elsewhere. */
export function storedFetchOf(registration: object): StoredFetch | undefined {
  return keysOf.get(registration)?.fetch;
}

/**
 * The UI of a registration a manager made (its title and icons, now and at each `updateUI()`),
 * or `undefined` for one made elsewhere.
 *
 * @example
 * uiOf(registration)?.subscribe(({ title }) => show(title));
 */
export function uiOf(registration: object): Observable<FetchUI> | undefined {
  return keysOf.get(registration)?.ui$;
}
