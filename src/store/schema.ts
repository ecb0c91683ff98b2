import { promisifyRequest, type UseStore } from 'idb-keyval';
import type { BackgroundFetchFailureReason, RecordResult, StoredResponse } from '../../operators/types';
import type { StoredFetch } from './types';

/**
 * The layout of the IndexedDB store, version 2. One object store, array keys:
 * - `['schema']` → the version number;
 * - `['fetch', key]` → {@link FetchRow};
 * - `['record', key, index]` → {@link RecordRow}, written with the record's first write: a record
 *   with no row is an empty one (nothing stored, no result), so registering 200 requests puts one
 *   row, not 201;
 * - `['chunk', key, index, seq]` → `ArrayBuffer` (never a `Blob`: WebKit cannot store those in
 *   automation and private modes).
 * A record row's `bytes` and `chunks` are written in the same transaction as the chunk they
 * count, so a crash never leaves a counter ahead of the bytes stored; a small body's result often
 * goes with its last chunks too (the sink's `ending`), never ahead of them.
 */
export const schemaVersion = 2;

/**
 * Versions this one reads as they are: version 1 wrote an empty row for every record when the
 * fetch was registered, which is the same data as version 2 with those rows absent.
 */
const readable = new Set([1, schemaVersion]);

/** A fetch as stored: what was registered, and its failure reason once settled. */
export interface FetchRow {
  readonly fetch: StoredFetch;
  readonly settled: { readonly failureReason: BackgroundFetchFailureReason } | null;
}

/** A record as stored: response head, bytes and chunks held, result. */
export interface RecordRow {
  readonly response: StoredResponse | null;
  readonly bytes: number;
  readonly chunks: number;
  readonly result: RecordResult;
}

/**
 * A record as it is before anything is written to it: what a record with no row holds.
 *
 * @example
 * const records = new Array<RecordRow>(fetch.requests.length).fill(emptyRecord);
 * records[0].bytes; // 0
 */
export const emptyRecord: RecordRow = { response: null, bytes: 0, chunks: 0, result: '' };

/** Keys of the layout. */
export const keys = {
  schema: (): IDBValidKey => ['schema'],
  fetch: (key: string): IDBValidKey => ['fetch', key],
  record: (key: string, index: number): IDBValidKey => ['record', key, index],
  chunk: (key: string, index: number, seq: number): IDBValidKey => ['chunk', key, index, seq],
  /** Every fetch row. */
  allFetches: (): IDBKeyRange => IDBKeyRange.bound(['fetch'], ['fetch', []]),
  /** Every record row of fetch `key`. */
  records: (key: string): IDBKeyRange => IDBKeyRange.bound(['record', key], ['record', key, []]),
  /** Chunks of one record from `from` on. */
  chunks: (key: string, index: number, from = 0): IDBKeyRange => IDBKeyRange.bound(['chunk', key, index, from], ['chunk', key, index, []]),
  /** Every chunk of fetch `key`. */
  allChunks: (key: string): IDBKeyRange => IDBKeyRange.bound(['chunk', key], ['chunk', key, []]),
};

/**
 * Makes sure the database holds this schema: an empty one is stamped with it, data of version 1
 * is stamped again (it reads as version 2); data of another version (a newer library's, or a
 * broken one) is discarded with a warning that says so, rather than misread. Resolves once the
 * store is ready.
 *
 * @example
 * await ensureSchema(createStore('rx-background-fetch', 'fetches'));
 */
export async function ensureSchema(store: UseStore): Promise<void> {
  if ((await store('readonly', (s) => promisifyRequest(s.get(keys.schema())))) === schemaVersion) return;
  await store('readwrite', (s) => {
    // Read again inside the write: another connection (a second tab, a second store object)
    // may have stamped the empty database since, and its rows must not be taken for foreign data.
    const stamp = s.get(keys.schema());
    const count = s.count();
    count.onsuccess = () => {
      const found = stamp.result as unknown;
      if (found === schemaVersion) return;
      if (count.result > 0 && !readable.has(found as number)) {
        console.warn(
          `rx-background-fetch: the stored background fetches use schema version ${String(found)}, which this version ` +
            `(schema ${schemaVersion}) cannot read; they were discarded. Downgrading the library loses unfinished fetches.`,
        );
        s.clear();
      }
      // Version 2 once stamped: a version 1 library then discards these fetches rather than
      // misreading records that have no row.
      s.put(schemaVersion, keys.schema());
    };
    return promisifyRequest(s.transaction);
  });
}
