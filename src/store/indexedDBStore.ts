import type { BackgroundFetchStore } from './types';

/**
 * The IndexedDB store (idb-keyval): not written yet; the persistence issue brings it.
 *
 * @example
 * const store = openIndexedDBStore();
 */
export function openIndexedDBStore(): BackgroundFetchStore {
  throw new TypeError('The IndexedDB store is not available yet; pass store: "memory".');
}
