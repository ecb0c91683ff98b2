import type {
  BackgroundFetchFailureReason,
  BodySink,
  ImageResource,
  RecordResult,
  StoredRequest,
  StoredResponse,
} from '../../operators/types';

export type { ImageResource } from '../../operators/types';

/**
 * What is stored of one background fetch when it is registered; it never changes after.
 * `key` is unique per `fetch()` call, so a reused id is a different fetch.
 *
 * @example
 * await store.create({ key: 'k1', scope: 'app', id: 'album', requests, downloadTotal: 0, uploadTotal: 0, title: '', icons: [], created: Date.now() });
 */
export interface StoredFetch {
  /** Unique per `fetch()` call. */
  readonly key: string;
  /** The scope of the managers that see it. */
  readonly scope: string;
  /** The id given to `fetch()`. */
  readonly id: string;
  /** The requests, as plain data. */
  readonly requests: readonly StoredRequest[];
  /** The `downloadTotal` given to `fetch()`; 0 is no limit. */
  readonly downloadTotal: number;
  /** Bytes of all request bodies. */
  readonly uploadTotal: number;
  /** The title given to `fetch()`; `""` for none. */
  readonly title: string;
  /** The icons given to `fetch()`. */
  readonly icons: readonly ImageResource[];
  /** When it was registered, in ms since the epoch. */
  readonly created: number;
}

/** Where one stored record stands: its response head, the body bytes held, its result. */
export interface StoredRecordStatus {
  /** The response head; `null` until the headers arrived. */
  readonly response: StoredResponse | null;
  /** Body bytes stored. */
  readonly bytes: number;
  /** How the record ended; `""` while it runs. */
  readonly result: RecordResult;
}

/**
 * A stored fetch as loaded back: what was registered, each record's status and, once the
 * fetch has settled (but its completion event may not have run), its failure reason.
 */
export interface LoadedFetch {
  /** What was registered. */
  readonly fetch: StoredFetch;
  /** One status per record, by index. */
  readonly records: readonly StoredRecordStatus[];
  /** Set once the fetch has settled: its failure reason (`""` for success); `null` before. */
  readonly settled: {
    /** `""` when the fetch succeeded. */
    readonly failureReason: BackgroundFetchFailureReason;
  } | null;
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
   * Body chunks of a record from chunk number `from` on (what is stored now; may be none), at
   * most `count` of them when it is given: a body stream reads a few at a time, so that a large
   * body is never in memory whole. Rejects with a `TypeError` when the fetch or record is no
   * longer stored.
   */
  readChunks(key: string, index: number, from: number, count?: number): Promise<Uint8Array[]>;
}
