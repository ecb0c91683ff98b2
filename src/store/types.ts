import type {
  BackgroundFetchFailureReason,
  BodySink,
  RecordResult,
  StoredRequest,
  StoredResponse,
} from '../../operators/types';

/** An icon of a background fetch's UI, as in the W3C Image Resource spec. */
export interface ImageResource {
  readonly src: string;
  readonly sizes?: string;
  readonly type?: string;
  readonly label?: string;
}

/**
 * What is stored of one background fetch when it is registered; it never changes after.
 * `key` is unique per `fetch()` call, so a reused id is a different fetch.
 *
 * @example
 * await store.create({ key: 'k1', scope: 'app', id: 'album', requests, downloadTotal: 0, uploadTotal: 0, title: '', icons: [], created: Date.now() });
 */
export interface StoredFetch {
  readonly key: string;
  readonly scope: string;
  readonly id: string;
  readonly requests: readonly StoredRequest[];
  readonly downloadTotal: number;
  readonly uploadTotal: number;
  readonly title: string;
  readonly icons: readonly ImageResource[];
  readonly created: number;
}

/** Where one stored record stands: its response head, the body bytes held, its result. */
export interface StoredRecordStatus {
  readonly response: StoredResponse | null;
  readonly bytes: number;
  readonly result: RecordResult;
}

/**
 * A stored fetch as loaded back: what was registered, each record's status and, once the
 * fetch has settled (but its completion event may not have run), its failure reason.
 */
export interface LoadedFetch {
  readonly fetch: StoredFetch;
  readonly records: readonly StoredRecordStatus[];
  readonly settled: { readonly failureReason: BackgroundFetchFailureReason } | null;
}

/**
 * The store seam: where registrations, their records and response bodies live. The memory
 * store and the IndexedDB store implement it; pass your own as the `store` option.
 * Writes are ordered so that what `load()` returns never counts bytes that were not stored.
 *
 * @example
 * const manager = new BackgroundFetchManager({ store: createMemoryStore() });
 * const loaded = await manager_store.load('app'); // every unfinished fetch of scope 'app'
 */
export interface BackgroundFetchStore {
  /** Every fetch of `scope` still stored, oldest first. */
  load(scope: string): Promise<LoadedFetch[]>;
  /** Stores a new fetch before it starts. */
  create(fetch: StoredFetch): Promise<void>;
  /** Keeps a record's final result. */
  settleRecord(key: string, index: number, result: RecordResult): Promise<void>;
  /** Keeps a fetch's final failure reason (`""` for success) until its completion event has run. */
  settleFetch(key: string, failureReason: BackgroundFetchFailureReason): Promise<void>;
  /** Deletes a fetch with its records and bodies. */
  remove(key: string): Promise<void>;
  /** Where the fetch stage writes the bodies of fetch `key`. */
  sink(key: string): BodySink;
  /**
   * Body chunks of a record from chunk number `from` on (what is stored now; may be none).
   * Rejects with a `TypeError` when the fetch or record is no longer stored.
   */
  readChunks(key: string, index: number, from: number): Promise<Uint8Array[]>;
}
