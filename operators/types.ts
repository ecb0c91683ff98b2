import type { RecordTable } from './recordTable';

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
  /** The id given to `fetch()`. */
  readonly id: string;
  /** Bytes of all request bodies. */
  readonly uploadTotal: number;
  /** Request-body bytes sent so far. */
  readonly uploaded: number;
  /** The `downloadTotal` given to `fetch()`; 0 is no limit. */
  readonly downloadTotal: number;
  /** Response-body bytes stored so far (a restarted record's earlier bytes no longer count). */
  readonly downloaded: number;
  /** `""` while the fetch runs, then `"success"` or `"failure"`. */
  readonly result: BackgroundFetchResult;
  /** Why the fetch failed; `""` while it runs or when it succeeded. */
  readonly failureReason: BackgroundFetchFailureReason;
  /** Whether `match()` and `matchAll()` still work: false once the completion event is over. */
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
 * A request as plain, structured-cloneable data (never a live `Request`). `storeRequest` and
 * `toLiveRequest` (`requestCodec.ts`) convert both ways and keep exactly the optional members
 * below (`requestProperties`).
 *
 * @example
 * const stored: StoredRequest = { url: 'https://example.test/a', method: 'GET', headers: [], body: null };
 */
export interface StoredRequest {
  /** The absolute URL, serialized (as `Request.url` gives it). */
  readonly url: string;
  /** The method, e.g. `GET`. */
  readonly method: string;
  /** The header list, in order, as name and value pairs. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The body's bytes; `null` for none. */
  readonly body: ArrayBuffer | null;
  // Request's member types: lib.dom has names for them (RequestCredentials…), Node's types do not.
  /** The request's credentials mode; the platform default when absent. */
  readonly credentials?: Request['credentials'];
  /** The request's cache mode. */
  readonly cache?: Request['cache'];
  /** The request's redirect mode. */
  readonly redirect?: Request['redirect'];
  /** The request's referrer (a URL, `about:client` or `""`). */
  readonly referrer?: string;
  /** The request's referrer policy. */
  readonly referrerPolicy?: Request['referrerPolicy'];
  /** The request's subresource integrity metadata. */
  readonly integrity?: string;
  /** The request's mode (never `no-cors`: `fetch()` refuses those). */
  readonly mode?: Request['mode'];
}

/**
 * The head of a response as plain data: what is kept of it besides the body bytes.
 *
 * @example
 * const head: StoredResponse = { url: 'https://example.test/a', status: 200, statusText: 'OK', headers: [] };
 */
export interface StoredResponse {
  /** The response's URL, after redirects. */
  readonly url: string;
  /** The HTTP status code. */
  readonly status: number;
  /** The HTTP status text. */
  readonly statusText: string;
  /** The header list, in order, as name and value pairs. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * One request of a background fetch, with where it stands: what the fetch stage takes in.
 *
 * @example
 * const record: FetchRecord = { index: 0, request: stored };
 */
export interface FetchRecord {
  /** The request's position in the fetch, from 0. */
  readonly index: number;
  /** The request, as plain data. */
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
  | {
      /** Headers arrived. */
      readonly type: 'response';
      /** The record's index. */
      readonly index: number;
      /** The response head. */
      readonly response: StoredResponse;
      /** Body bytes the record holds from before (a resume); 0 when it starts over. */
      readonly offset: number;
    }
  | {
      /** Body bytes were stored. */
      readonly type: 'chunk';
      /** The record's index. */
      readonly index: number;
      /** How many. */
      readonly bytes: number;
    }
  | {
      /** Request-body bytes were sent. */
      readonly type: 'uploaded';
      /** The record's index. */
      readonly index: number;
      /** How many. */
      readonly bytes: number;
    }
  | {
      /** The record ended. */
      readonly type: 'settled';
      /** The record's index. */
      readonly index: number;
      /** How it ended. */
      readonly result: RecordResult;
    }
  | {
      /** The record started or stopped waiting for the network. */
      readonly type: 'waiting';
      /** The record's index. */
      readonly index: number;
      /** `true` when it started waiting (offline, or retrying after a network failure). */
      readonly waiting: boolean;
    };

/**
 * Where one record stands in a tally: its response head once known, its stored bytes, its
 * result and how many times it restarted from zero (a restart makes earlier bodies redundant).
 *
 * @example
 * const status: RecordStatus = { response: null, bytes: 0, result: '', generation: 0 };
 */
export interface RecordStatus {
  /** The response head; `null` until the headers arrive. */
  readonly response: StoredResponse | null;
  /** Body bytes stored (and counted). */
  readonly bytes: number;
  /** How the record ended; `""` while it runs. */
  readonly result: RecordResult;
  /** How many times the record started over from zero. */
  readonly generation: number;
}

/** An icon of a background fetch's UI, as in the W3C Image Resource spec. */
export interface ImageResource {
  /** The image's URL. */
  readonly src: string;
  /** Its sizes, as in `<link sizes>`: `"48x48 96x96"` or `"any"`. */
  readonly sizes?: string;
  /** Its MIME type. */
  readonly type?: string;
  /** A text description. */
  readonly label?: string;
}

/**
 * The title and icons a fetch's UI shows: those given to `fetch()`, then those of `updateUI()`.
 *
 * @example
 * const ui: FetchUI = { title: 'Album', icons: [{ src: '/album.png' }] };
 */
export interface FetchUI {
  /** The title; `""` for none. */
  readonly title: string;
  /** The icons. */
  readonly icons: readonly ImageResource[];
}

/**
 * The byte-counting reducer's accumulator: the public state plus one status per record.
 * Immutable: a step makes a new tally (a new record table sharing the statuses it did not
 * change), so a tally kept from earlier still reads as it was emitted; `changed` is the index of the record this step touched, or -1;
 * `waiting` counts the records waiting for the network now.
 *
 * @example
 * tally$.subscribe((t: FetchTally) => console.log(t.state.downloaded, t.records.at(t.changed)));
 */
export interface FetchTally {
  /** The public state: what registrations show. */
  readonly state: BackgroundFetchState;
  /** One status per record, by index (`records.at(i)`): a persistent table, see {@link RecordTable}. */
  readonly records: RecordTable;
  /** How many records have ended. */
  readonly settled: number;
  /** The index of the record this step touched, or -1. */
  readonly changed: number;
  /** How many records wait for the network now. */
  readonly waiting: number;
  /** The title and icons of the fetch's UI. */
  readonly ui: FetchUI;
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
  /** Cancels the request (and its retries). */
  readonly signal: AbortSignal;
  /**
   * Aborts `signal` (the caller owns its controller): a transport that must stop the request
   * itself, as on a header timeout, calls it instead of making an `AbortController` of its own
   * to follow `signal` (about 3 µs a request in Node, before its collection). {@link httpRecord} gives it;
   * without it, such a transport follows `signal` with a controller of its own.
   */
  readonly abort?: (reason: unknown) => void;
  /** The record's retry budget, to spend on status retries; absent outside {@link httpRecord}. */
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
export interface Transport {
  (request: Request, init: TransportInit): Promise<Response>;
  /**
   * `true` when the transport also takes a plain GET as its URL alone (a string, for a GET with
   * no headers and every other member as `new Request(url)` has it, no `Range` of a resume):
   * {@link httpRecord} then makes no `Request` for it, and `fetch` makes the only one.
   * `createKyTransport({ takesURLs: true })` is such a transport.
   */
  readonly takesURLs?: boolean;
}

/**
 * Where the fetch stage puts response bodies of one background fetch, chunk by chunk.
 * `begin` starts a record's body over (`offset` 0) or continues it (`offset` = bytes kept), and
 * is counted when called (a restart's dropped bytes never stay counted after a fetch ended
 * meanwhile); `write` resolves once the chunk is stored (a counter is never ahead of the bytes stored)
 * and rejects with a `QuotaExceededError` `DOMException` when storage is full. The fetch stage
 * has one write of a record in flight at a time (a group of writes, for a sink with a `writeSize`).
 *
 * @example
 * const { offset, response } = await sink.resumePoint(0);
 * await sink.begin(0, head, offset); await sink.write(0, chunk);
 */
export interface BodySink {
  /** What record `index` holds already: where a resume starts, and the response head it was stored under. */
  resumePoint(index: number): Promise<{
    /** Body bytes held. */
    offset: number;
    /** The head they came with; `null` when none was stored. */
    response: StoredResponse | null;
  }>;
  /**
   * Starts record `index`'s body over (`offset` 0) or continues it after `offset` bytes kept; the
   * fetch stage counts it before it resolves, so reads of the record should see it from the call on.
   */
  begin(index: number, response: StoredResponse, offset: number): Promise<void>;
  /** Stores the next chunk of record `index`'s body; resolves once it is stored. */
  write(index: number, chunk: Uint8Array): Promise<void>;
  /**
   * Bytes this sink would rather take at once (a store that pays per transaction, as IndexedDB
   * does): while a write is in flight, the chunks that arrive meanwhile, up to about this many
   * bytes, are written together when it lands — several `write` calls made at once, which the
   * sink must store in the order made (the IndexedDB store commits them in one transaction).
   * Absent or 0: one write at a time, each chunk as it came.
   */
  readonly writeSize?: number;
  /**
   * Told, once record `index`'s body was read to its end and the write of its last bytes was
   * made, the result the record settles with once that write has stored them: a store may keep
   * the result with that write (the IndexedDB store does while the write still waits for its
   * transaction), so that settling the record writes nothing more. Optional.
   */
  ending?(index: number, result: RecordResult): void;
}
