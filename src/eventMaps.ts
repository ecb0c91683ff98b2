import type { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from './events';

/**
 * The completion events and their types, as they fire on a manager (the ponyfill's default
 * `events` target) or on a service worker's global: what `addEventListener` types its events by.
 *
 * @example
 * manager.addEventListener('backgroundfetchsuccess', (event) => event.waitUntil(event.registration.matchAll()));
 * const kind: keyof BackgroundFetchManagerEventMap = 'backgroundfetchabort';
 */
export interface BackgroundFetchManagerEventMap {
  /** Every record succeeded; the records are readable until the handler's `waitUntil` promises settle. */
  backgroundfetchsuccess: BackgroundFetchUpdateUIEvent;
  /** The fetch ended with a failure other than `"aborted"`. */
  backgroundfetchfail: BackgroundFetchUpdateUIEvent;
  /** The fetch was aborted. */
  backgroundfetchabort: BackgroundFetchEvent;
  /** The user clicked the fetch's notification (`install({ notifications: true })`). */
  backgroundfetchclick: BackgroundFetchEvent;
}

/**
 * The events of a registration and their types.
 *
 * @example
 * registration.addEventListener('progress', () => console.log(registration.downloaded));
 * const kind: keyof BackgroundFetchRegistrationEventMap = 'progress';
 */
export interface BackgroundFetchRegistrationEventMap {
  /** `uploaded`, `downloaded`, `result` or `failureReason` changed; the last one carries the final `result`. */
  progress: Event;
}
