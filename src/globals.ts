/**
 * The global types of the drop-in polyfill, as lib.dom would declare them if it had Background
 * Fetch: they come with `import 'rx-background-fetch/polyfill'`, or without importing it with
 * `/// <reference types="rx-background-fetch/polyfill" />`.
 */
import type { BackgroundFetchManager as Manager } from './BackgroundFetchManager';
import type { BackgroundFetchRecord as Record } from './BackgroundFetchRecord';
import type { BackgroundFetchRegistration as Registration } from './BackgroundFetchRegistration';
import type { BackgroundFetchManagerEventMap } from './eventMaps';
import type { BackgroundFetchEvent as Event_, BackgroundFetchEventInit as EventInit_, BackgroundFetchUIOptions as UIOptions, BackgroundFetchUpdateUIEvent as UpdateUIEvent } from './events';
import type { BackgroundFetchOptions as Options } from './fetchOptions';
import type { BackgroundFetchFailureReason as FailureReason, BackgroundFetchResult as Result } from '../operators/types';

// Module-level names for the global declarations below: bundled declarations give imports their
// exported names back, and inside `declare global` those would mean the globals being declared.
type ManagerInstance = Manager;
type ManagerClass = typeof Manager;
type RegistrationInstance = Registration;
type RegistrationClass = typeof Registration;
type RecordInstance = Record;
type RecordClass = typeof Record;
type EventInstance = Event_;
type EventClass = typeof Event_;
type UpdateUIEventInstance = UpdateUIEvent;
type UpdateUIEventClass = typeof UpdateUIEvent;
type FetchOptions = Options;
type UIOptionsDictionary = UIOptions;
type EventInitDictionary = EventInit_;
type ResultEnum = Result;
type FailureReasonEnum = FailureReason;

declare global {
  interface ServiceWorkerRegistration {
    /** This registration's Background Fetch: the browser's own, or the polyfill's where it has none. */
    readonly backgroundFetch: BackgroundFetchManager;
  }

  /** A service worker's `backgroundfetch*` events (the polyfill fires them on `self`). */
  interface ServiceWorkerGlobalScopeEventMap extends BackgroundFetchManagerEventMap {}

  interface ServiceWorkerGlobalScope {
    /** Handler of `backgroundfetchsuccess`: every record succeeded. */
    onbackgroundfetchsuccess: ((this: ServiceWorkerGlobalScope, event: BackgroundFetchUpdateUIEvent) => unknown) | null;
    /** Handler of `backgroundfetchfail`: the fetch failed. */
    onbackgroundfetchfail: ((this: ServiceWorkerGlobalScope, event: BackgroundFetchUpdateUIEvent) => unknown) | null;
    /** Handler of `backgroundfetchabort`: the fetch was aborted. */
    onbackgroundfetchabort: ((this: ServiceWorkerGlobalScope, event: BackgroundFetchEvent) => unknown) | null;
    /** Handler of `backgroundfetchclick`: the fetch's notification was clicked. */
    onbackgroundfetchclick: ((this: ServiceWorkerGlobalScope, event: BackgroundFetchEvent) => unknown) | null;
  }

  /** The global `BackgroundFetchManager` (`registration.backgroundFetch`). */
  interface BackgroundFetchManager extends ManagerInstance {}
  /** The global `BackgroundFetchManager`: the browser's, or the polyfill's. */
  var BackgroundFetchManager: ManagerClass;
  /** The global `BackgroundFetchRegistration`. */
  interface BackgroundFetchRegistration extends RegistrationInstance {}
  /** The global `BackgroundFetchRegistration`; registrations come from `fetch()` and `get()`. */
  var BackgroundFetchRegistration: RegistrationClass;
  /** The global `BackgroundFetchRecord`. */
  interface BackgroundFetchRecord extends RecordInstance {}
  /** The global `BackgroundFetchRecord`; records come from `match()` and `matchAll()`. */
  var BackgroundFetchRecord: RecordClass;
  /** The global `BackgroundFetchEvent` of a service worker. */
  interface BackgroundFetchEvent extends EventInstance {}
  /** The global `BackgroundFetchEvent`; defined in service workers only. */
  var BackgroundFetchEvent: EventClass;
  /** The global `BackgroundFetchUpdateUIEvent` of a service worker. */
  interface BackgroundFetchUpdateUIEvent extends UpdateUIEventInstance {}
  /** The global `BackgroundFetchUpdateUIEvent`; defined in service workers only. */
  var BackgroundFetchUpdateUIEvent: UpdateUIEventClass;

  /** The options of `backgroundFetch.fetch()`. */
  interface BackgroundFetchOptions extends FetchOptions {}
  /** What `updateUI()` may change. */
  interface BackgroundFetchUIOptions extends UIOptionsDictionary {}
  /** The init dictionary of `new BackgroundFetchEvent()`. */
  interface BackgroundFetchEventInit extends EventInitDictionary {}
  /** A registration's `result`. */
  type BackgroundFetchResult = ResultEnum;
  /** A registration's `failureReason`. */
  type BackgroundFetchFailureReason = FailureReasonEnum;
}

export {};
