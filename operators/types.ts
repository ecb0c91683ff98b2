/** The outcome of a whole background fetch: `""` while it runs. */
export type BackgroundFetchResult = '' | 'success' | 'failure';

/** Why a background fetch failed: `""` while it runs or when it succeeded. */
export type BackgroundFetchFailureReason =
  | ''
  | 'aborted'
  | 'bad-status'
  | 'fetch-error'
  | 'quota-exceeded'
  | 'download-total-exceeded';

/**
 * The eight attributes of a `BackgroundFetchRegistration`, as one plain object.
 *
 * @example
 * registration.state$.subscribe((s: BackgroundFetchState) => console.log(s.downloaded, s.result));
 */
export interface BackgroundFetchState {
  readonly id: string;
  readonly uploadTotal: number;
  readonly uploaded: number;
  readonly downloadTotal: number;
  readonly downloaded: number;
  readonly result: BackgroundFetchResult;
  readonly failureReason: BackgroundFetchFailureReason;
  readonly recordsAvailable: boolean;
}

/** How one request ended: `""` while it is still running. */
export type RecordResult =
  | ''
  | 'success'
  | 'bad-status'
  | 'fetch-error'
  | 'quota-exceeded'
  | 'download-total-exceeded'
  | 'aborted';

/**
 * A request as plain, structured-cloneable data (never a live `Request`).
 *
 * @example
 * const stored: StoredRequest = { url: 'https://example.test/a', method: 'GET', headers: [], body: null };
 */
export interface StoredRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: ArrayBuffer | null;
  readonly credentials?: RequestCredentials;
  readonly cache?: RequestCache;
  readonly redirect?: RequestRedirect;
  readonly referrer?: string;
  readonly referrerPolicy?: ReferrerPolicy;
  readonly integrity?: string;
  readonly mode?: RequestMode;
}

/**
 * The head of a response as plain data: what is kept of it besides the body bytes.
 *
 * @example
 * const head: StoredResponse = { url: 'https://example.test/a', status: 200, statusText: 'OK', headers: [] };
 */
export interface StoredResponse {
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * One request of a background fetch, with where it stands: what the fetch stage takes in.
 *
 * @example
 * const record: FetchRecord = { index: 0, request: stored };
 */
export interface FetchRecord {
  readonly index: number;
  readonly request: StoredRequest;
}

/**
 * What the fetch stage tells the reducer about one record.
 * - `response`: headers arrived; the record now holds `offset` bytes (0 means it restarted).
 * - `chunk`: `bytes` more body bytes were stored.
 * - `uploaded`: `bytes` more request-body bytes were sent.
 * - `settled`: the record ended with `result`.
 * - `waiting`: the record started (`true`) or stopped (`false`) waiting for the network: it is
 *   offline, or retrying after a network failure.
 *
 * @example
 * const event: RecordEvent = { type: 'chunk', index: 0, bytes: 65536 };
 */
export type RecordEvent =
  | { readonly type: 'response'; readonly index: number; readonly response: StoredResponse; readonly offset: number }
  | { readonly type: 'chunk'; readonly index: number; readonly bytes: number }
  | { readonly type: 'uploaded'; readonly index: number; readonly bytes: number }
  | { readonly type: 'settled'; readonly index: number; readonly result: RecordResult }
  | { readonly type: 'waiting'; readonly index: number; readonly waiting: boolean };

/**
 * Where one record stands in a tally: its response head once known, its stored bytes, its
 * result and how many times it restarted from zero (a restart makes earlier bodies redundant).
 *
 * @example
 * const status: RecordStatus = { response: null, bytes: 0, result: '', generation: 0 };
 */
export interface RecordStatus {
  readonly response: StoredResponse | null;
  readonly bytes: number;
  readonly result: RecordResult;
  readonly generation: number;
}

/**
 * The byte-counting reducer's accumulator: the public state plus one status per record.
 * `records` is a live table owned by the reducer (entries are replaced, never edited), so
 * read it synchronously; `changed` is the index of the record this step touched, or -1;
 * `waiting` counts the records waiting for the network now.
 *
 * @example
 * tally$.subscribe((t: FetchTally) => console.log(t.state.downloaded, t.records[t.changed]));
 */
export interface FetchTally {
  readonly state: BackgroundFetchState;
  readonly records: RecordStatus[];
  readonly settled: number;
  readonly changed: number;
  readonly waiting: number;
}

/**
 * A record's one budget of retries on retried status codes (408, 429, 5xx), shared by every
 * request the record sends: its first try, its resumes and restarts.
 *
 * @example
 * const budget: RetryBudget = { left: 3, spend() { this.left--; } };
 * await transport(request, { signal, budget });
 */
export interface RetryBudget {
  /** Status retries the record may still make. */
  readonly left: number;
  /** Called once for each status retry a transport makes. */
  spend(): void;
}

/**
 * What a transport is given besides the request: the signal that cancels it and, from
 * {@link httpRecord}, the record's retry budget (a transport that retries statuses spends it;
 * one that does not, `fetch` itself, ignores it).
 */
export interface TransportInit {
  readonly signal: AbortSignal;
  readonly budget?: RetryBudget;
}

/**
 * Sends one request and resolves with its response (headers received, body unread); rejects on
 * a network failure. `fetch` itself is a transport; `createKyTransport()` adds status retries,
 * `Retry-After` and a header timeout.
 *
 * @example
 * const transport: Transport = (request, { signal }) => fetch(request, { signal });
 */
export type Transport = (request: Request, init: TransportInit) => Promise<Response>;

/**
 * Where the fetch stage puts response bodies of one background fetch, chunk by chunk.
 * `begin` starts a record's body over (`offset` 0) or continues it (`offset` = bytes kept);
 * `write` resolves once the chunk is stored (a counter is never ahead of the bytes stored)
 * and rejects with a `QuotaExceededError` `DOMException` when storage is full. The fetch stage
 * has one write of a record in flight at a time (a group of writes, for a sink with a `writeSize`).
 *
 * @example
 * const { offset, response } = await sink.resumePoint(0);
 * await sink.begin(0, head, offset); await sink.write(0, chunk);
 */
export interface BodySink {
  resumePoint(index: number): Promise<{ offset: number; response: StoredResponse | null }>;
  begin(index: number, response: StoredResponse, offset: number): Promise<void>;
  write(index: number, chunk: Uint8Array): Promise<void>;
  /**
   * Bytes this sink would rather take at once (a store that pays per transaction, as IndexedDB
   * does): while a write is in flight, the chunks that arrive meanwhile, up to about this many
   * bytes, are written together when it lands — several `write` calls made at once, which the
   * sink must store in the order made (the IndexedDB store commits them in one transaction).
   * Absent or 0: one write at a time, each chunk as it came.
   */
  readonly writeSize?: number;
}
