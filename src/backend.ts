import type { Observable } from 'rxjs';
import type { StoredRequest } from '../operators/types';
import type { BackgroundFetchRegistration } from './BackgroundFetchRegistration';
import type { BackgroundFetchOptions } from './fetchOptions';

/**
 * Where a manager's fetches run: in this realm (the engine) or elsewhere (the polyfill's
 * service worker or lock-holding page). The manager checks its arguments, then hands them here.
 */
export interface ManagerBackend {
  /** Base for relative request URLs. */
  readonly baseURL: string | undefined;
  /** The scope, for error messages. */
  readonly scope: string;
  /** Claims `id` before any await (so two same-tick fetches collide); throws `TypeError` if taken. Returns the release. */
  reserve(id: string): () => void;
  fetch(id: string, requests: StoredRequest[], options: Required<BackgroundFetchOptions>): Promise<BackgroundFetchRegistration>;
  get(id: string): Promise<BackgroundFetchRegistration | undefined>;
  getIds(): Promise<string[]>;
  /** Active ids, oldest first: the current list once known, then every change, fetches started elsewhere included. */
  readonly ids$: Observable<string[]>;
  close(): Promise<void>;
}

/** The constructor option through which the polyfill gives a manager a backend of its own. */
export const backendOption = Symbol('rx-background-fetch backend');
