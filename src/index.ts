/**
 * The ponyfill and the reactive API: `new BackgroundFetchManager(options)` in a page, a worker, a
 * service worker or Node 20+, its registrations, records and events, the stores and the ky
 * transport. Importing it changes no global; the polyfill's `install()` is in
 * `rx-background-fetch/polyfill`.
 *
 * @example
 * import { BackgroundFetchManager } from 'rx-background-fetch';
 * const manager = new BackgroundFetchManager({ store: 'memory', baseURL: 'https://media.example/' });
 *
 * @module rx-background-fetch
 */
export { BackgroundFetchManager } from './BackgroundFetchManager';
export { BackgroundFetchRecord } from './BackgroundFetchRecord';
export { BackgroundFetchRegistration, type MatchOptions, type RegistrationSource } from './BackgroundFetchRegistration';
export type { BackgroundFetchManagerEventMap, BackgroundFetchRegistrationEventMap } from './eventMaps';
export { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent, type BackgroundFetchEventInit, type BackgroundFetchUIOptions } from './events';
export type { BackgroundFetchOptions } from './fetchOptions';
export type { BackgroundFetchManagerOptions, QuotaEstimate } from './managerOptions';
export { createMemoryStore } from './store/memoryStore';
export { openIndexedDBStore, type IndexedDBStoreOptions } from './store/indexedDBStore';
export type { BackgroundFetchStore, ImageResource, LoadedFetch, StoredFetch, StoredRecordStatus } from './store/types';
export { createKyTransport, type KyTransportOptions } from './transport/kyTransport';
export type { BackgroundFetchFailureReason, BackgroundFetchResult, BackgroundFetchState, RetryOptions } from '../operators';
