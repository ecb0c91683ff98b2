import { BehaviorSubject, Observable, of, type Subscription } from 'rxjs';
import { heldSpan, requestedSpan, resumeRange, spanEnd, type ByteSpan } from './byteSpan';
import { completeLength, ifRangeFor, unsatisfiedLength, validatePartial } from './contentRange';
import { refusedByCors } from './corsProbe';
import { following } from './following';
import { failedIntegrity } from './integrityProbe';
import { NetworkPatience, checkPatience, defaultPatience } from './networkPatience';
import { normalizeRetry, type NormalizedRetry, type RetryOptions } from './retryOptions';
import { readBody } from './readBody';
import { RecordStop, type StopSignal } from './recordStop';
import { plainURL, toLiveRequest } from './requestCodec';
import { requestDefaults } from './requestDefaults';
import { StoreFailure } from './storeFailure';
import { maxTimerDelay } from './timerLimit';
import type { BodySink, FetchRecord, RecordEvent, RecordResult, RetryBudget, StoredRequest, StoredResponse, Transport } from './types';

/** Options of {@link httpRecord}. */
export interface HttpRecordOptions {
  /** Sends each request; `fetch` works, `createKyTransport()` adds retries and a header timeout. */
  readonly transport: Transport;
  /** Where the body bytes go, chunk by chunk. */
  readonly sink: BodySink;
  /**
   * The record's one budget of retries on retried status codes (408, 429, 5xx: `limit`, default
   * 3), spent by the transport across every request of the record; `delay` and `backoffLimit`
   * also pace the attempts after network failures.
   */
  readonly retry?: number | RetryOptions;
  /** Ms a body may go without a chunk before the attempt counts as broken. Default 30000. */
  readonly timeout?: number;
  /**
   * Ms of network failures (refused, reset, stalled, DNS), counted only while online, that a GET
   * record waits out, resuming with `Range`, before it is a `fetch-error`. Default 600000 (10 min).
   */
  readonly patience?: number;
  /** Whether the platform is online (emits now, then each change). Default: always online. */
  readonly online$?: Observable<boolean>;
  /**
   * The origin the requests go out from (a page's or worker's `location.origin`): a cross-origin
   * request that fails as a network error is probed for a CORS refusal, which fails the record
   * at once instead of waiting. Default none: no probe, as in Node.
   */
  readonly origin?: string;
}

/**
 * Fetches one record over HTTP for {@link fetchRecords}: sends its request through the
 * transport, stores the body through the sink (each write counted only once stored; a sink
 * with a `writeSize` gets the chunks that arrive while a write is in flight written together
 * when it lands), and resumes a GET whose body breaks off or stalls with `Range: bytes=N-` and
 * `If-Range`, with backoff, up to the retry limit. A GET with a `Range` of its own
 * (`bytes=first-last` or `bytes=first-`) holds exactly that range and is resumed inside it. A
 * `206` is validated (range start and end, validators, complete length) and stores no byte past
 * its `Content-Range`; a `200` to a Range request restarts the record from zero with the whole
 * resource, and a `416` whose length is the bytes held ends it (a body of unknown length stored
 * whole). Bytes that came with no validator for `If-Range` (no strong `ETag`, no
 * `Last-Modified`) are not continued: the record restarts from zero. Non-GET requests are never
 * resumed; GETs with a range that cannot be continued (a suffix, several ranges) restart from
 * zero. Once a body that settles the record was read to its end it calls `read` with the bytes
 * still to land, so that {@link fetchRecords} starts the next record while they land. Unsubscribing aborts
 * the request and closes its connection.
 *
 * @example
 * import { fetchRecords, httpRecord } from 'rx-background-fetch/operators';
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink, retry: 5 })));
 */
export function httpRecord(options: HttpRecordOptions): (record: FetchRecord, read?: (unstored: number) => void) => Observable<RecordEvent> {
  const retry = normalizeRetry(options.retry);
  const timeout = options.timeout ?? 30_000;
  if (!(timeout > 0 && timeout <= maxTimerDelay)) throw new TypeError(`httpRecord: timeout must be a number of ms > 0 and ≤ ${maxTimerDelay}, got ${String(timeout)}.`);
  const patience = checkPatience(options.patience ?? defaultPatience, 'httpRecord: patience');
  const online = heldWhileRunning(options.online$ ?? of(true));
  const context: RecordContext = { transport: options.transport, sink: options.sink, retry, timeout, patience, online$: online.value$, origin: options.origin };
  return (record, read) =>
    new Observable<RecordEvent>((subscriber) => {
      subscriber.add(online.hold());
      const stop = new RecordStop();
      let finished = false;
      runRecord(record, context, stop, (event) => subscriber.next(event), read).then(
        () => {
          finished = true;
          subscriber.complete();
        },
        (error: unknown) => {
          finished = true;
          subscriber.error(error);
        },
      );
      return () => {
        if (!finished) stop.abort(unsubscribed);
      };
    });
}

// Reasons made once: aborting with a fresh DOMException per request costs a stack trace each.
const unsubscribed = new DOMException('The record was unsubscribed.', 'AbortError');
const attemptEnded = new DOMException('The attempt ended.', 'AbortError');

interface RecordContext {
  readonly transport: Transport;
  readonly sink: BodySink;
  readonly retry: NormalizedRetry;
  readonly timeout: number;
  readonly patience: number;
  readonly online$: BehaviorSubject<boolean>;
  readonly origin: string | undefined;
}

async function runRecord(
  record: FetchRecord,
  context: RecordContext,
  signal: StopSignal,
  emit: (event: RecordEvent) => void,
  read: ((unstored: number) => void) | undefined,
): Promise<void> {
  const { index, request } = record;
  // Null: the request is sent as given and its answer taken as it comes, never resumed. A request
  // with subresource integrity is never resumed either: the browser checks the metadata against
  // the body it gets, and a 206's part of it never matches, so every resume would fail.
  const asked = request.integrity ? null : requestedSpan(request);
  // A GET can be sent again: one that cannot be resumed restarts from zero after a break.
  const restartable = request.method === 'GET';
  const patience = new NetworkPatience({
    online$: context.online$,
    patience: context.patience,
    retry: context.retry,
    timeout: context.timeout,
    waiting: (waiting) => emit({ type: 'waiting', index, waiting }),
  });
  const settle = (result: RecordResult) => {
    patience.done();
    emit({ type: 'settled', index, result });
  };
  let { offset, response: previous } = await context.sink.resumePoint(index);
  /** Settles the record with the bytes it holds, every byte of `held`'s body. */
  const settleHeld = (held: StoredResponse) => {
    emit({ type: 'response', index, response: held, offset });
    settle(held.status >= 200 && held.status <= 299 ? 'success' : 'bad-status');
  };
  if (asked !== null && previous !== null && holdsAll(asked, offset, previous)) {
    // Every byte was stored before the record was cut off (a close() just before it settled):
    // a `Range: bytes=N-` past the end would only get a 416.
    settleHeld(previous);
    return;
  }
  // One budget for the whole record: the transport spends it on status retries, whatever attempt.
  let retriesLeft = context.retry.limit;
  const budget: RetryBudget = {
    get left() {
      return retriesLeft;
    },
    spend: () => void retriesLeft--,
  };
  let uploadCounted = false;
  let integrityRetried = false;
  // The most bytes the record has held: only getting past it is progress (a restart from zero
  // that breaks at the same place again is not).
  let furthest = offset;

  for (;;) {
    await patience.ready(signal);
    if (signal.aborted) return;
    // What a record that cannot be resumed held is replaced, never continued. Nor is what came
    // with no validator for If-Range: nothing would tell a 206 of a changed resource from one of
    // the version stored, and joining the two would store a body that is neither (RFC 9110
    // §15.3.7.3 combines parts only under a strong validator).
    const validator = ifRangeFor(previous);
    if (asked === null || validator === null) offset = 0;
    const span = asked === null ? null : heldSpan(asked, offset, previous);
    const resume = span !== null && offset > 0 ? resumeRange(span, offset) : null;
    const attempt = linkedController(signal);
    let response: Response;
    try {
      const sent = toRequest(request, resume, resume === null ? null : validator, attempt.signal, context.transport.takesURLs === true);
      // A string only for a transport that takesURLs, which the call signature cannot say.
      response = await context.transport(sent as Request, { signal: attempt.signal, abort: attempt.abort, budget });
    } catch {
      attempt.dispose();
      if (signal.aborted) return;
      // A network failure: a GET waits it out and tries again; anything else, and a request
      // CORS refused (which looks the same), fails at once.
      if (restartable && !(await refusedByCors(request, context.origin, signal))) {
        // With integrity and the server still there, the check failed or the body broke off:
        // one more whole attempt, and a second such failure is taken for a mismatch (waiting
        // would only download the same wrong bytes again and again).
        const suspect = await failedIntegrity(request, signal);
        if (!(suspect && integrityRetried) && (await patience.failed(signal))) {
          integrityRetried ||= suspect;
          continue;
        }
      }
      if (!signal.aborted) settle('fetch-error');
      return;
    }
    try {
      if (signal.aborted) return;
      patience.answered();
      if (!uploadCounted && request.body !== null && request.body.byteLength > 0) {
        uploadCounted = true;
        emit({ type: 'uploaded', index, bytes: request.body.byteLength });
      }
      const head = toStoredResponse(response, request.url);
      // A validated 206: where its span starts, and the position it is complete at (null: unknown).
      let partial: { readonly first: number; readonly end: number | null; readonly size: number } | null = null;
      if (resume !== null && previous !== null && response.status === 416 && unsatisfiedLength(head) === span!.first + offset) {
        // Every byte was stored before the record was cut off, but the length was not known (a
        // chunked or encoded body whose end did not arrive): the server says there is no more.
        await response.body?.cancel().catch(() => undefined);
        settleHeld(previous);
        return;
      }
      if (span !== null && response.status === 206) {
        const range = validatePartial(head, span.first + offset, previous, span.last);
        if (range === null) {
          await response.body?.cancel().catch(() => undefined);
          settle('fetch-error');
          return;
        }
        partial = { first: span.first, end: spanEnd(span, range.complete), size: range.last - range.first + 1 };
      } else {
        offset = 0;
      }
      const kept = offset > 0 && previous !== null ? previous : head;
      // Counted as it is asked for, not once it landed: a restart drops bytes the record holds,
      // and a fetch ended meanwhile (an abort, another record's fatal result) must not count
      // them on. (A chunk is counted once stored; a begin that fails leaves more stored than
      // counted, which is the side a cut-off record is trimmed back from.)
      const begun = begin(context.sink, index, kept, offset);
      emit({ type: 'response', index, response: kept, offset });
      try {
        await begun;
      } catch (error) {
        throw new StoreFailure(error);
      }
      if (signal.aborted) return;
      previous = kept;
      const before = offset;
      // `offset` follows every stored write, so an attempt that breaks off resumes where it stopped.
      const stored = (bytes: number) => {
        offset += bytes;
        if (offset > furthest) {
          furthest = offset;
          patience.progressed();
        }
        emit({ type: 'chunk', index, bytes });
      };
      if (response.body !== null) {
        // A body read to its end settles the record once it has landed, unless it is a part that
        // may leave more to fetch: only then is the record done with the network.
        const result: RecordResult | undefined = partial === null ? (response.ok ? 'success' : 'bad-status') : partial.end === null ? 'success' : undefined;
        const ended = result === undefined ? undefined : read;
        // A part brings the bytes its Content-Range names and no more: what a server sends past them is dropped.
        const limit = partial === null ? undefined : partial.size;
        await readBody(response.body, { sink: context.sink, index, timeout: context.timeout, signal, attempt, stored, ended, result, limit });
      }
      attempt.drained();
      if (partial === null) {
        settle(response.ok ? 'success' : 'bad-status');
        return;
      }
      if (partial.end === null || partial.first + offset >= partial.end) {
        settle('success');
        return;
      }
      if (offset === before) throw new Error('A partial response brought no bytes.');
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof StoreFailure) {
        settle(isQuotaError(error.reason) ? 'quota-exceeded' : 'fetch-error');
        return;
      }
      // The body broke off, stalled or brought nothing: a network failure, waited out like one
      // (its connection closed first).
      attempt.dispose();
      if (restartable && (await patience.failed(signal))) continue;
      if (!signal.aborted) settle('fetch-error');
      return;
    } finally {
      attempt.dispose();
    }
  }
}

/**
 * One subscription to `source` for the records running at once, held while any runs; `value$`
 * gives its latest value. Each attempt reads whether the platform is online, and in a service
 * worker every online/offline listener added to the global scope costs Chromium about 0.2 ms (a
 * tenth of the worker's time for 200 small records), so they are added once, not per attempt.
 *
 * @example
 * const online = heldWhileRunning(online$);
 * const release = online.hold(); online.value$.subscribe(check); release();
 */
function heldWhileRunning(source: Observable<boolean>): { readonly value$: BehaviorSubject<boolean>; hold(): () => void } {
  const value$ = new BehaviorSubject(true);
  let holders = 0;
  let upstream: Subscription | undefined;
  return {
    value$,
    hold() {
      if (holders++ === 0) upstream = source.subscribe((online) => value$.next(online));
      return () => {
        if (--holders === 0) upstream?.unsubscribe();
      };
    },
  };
}

/** Whether the `held` bytes stored from `response` are every byte a record asking for `asked` wants. */
function holdsAll(asked: ByteSpan, held: number, response: StoredResponse): boolean {
  const span = heldSpan(asked, held, response);
  return held > 0 && span.first + held === spanEnd(span, completeLength(response));
}

/**
 * The request an attempt sends: the stored one, with the resume's `Range` (replacing the
 * request's own) and `If-Range`; for a transport that `takesURLs`, a plain GET's URL alone.
 */
function toRequest(stored: StoredRequest, range: string | null, validator: string | null, signal: AbortSignal, takesURLs: boolean): Request | string {
  if (range === null && validator === null) return (takesURLs ? plainURL(stored, requestDefaults) : null) ?? toLiveRequest(stored, { signal }, requestDefaults);
  const headers = new Headers(stored.headers as [string, string][]);
  if (range !== null) headers.set('Range', range);
  if (validator !== null) headers.set('If-Range', validator);
  return toLiveRequest(stored, { headers, signal }, requestDefaults);
}

function toStoredResponse(response: Response, requestURL: string): StoredResponse {
  return {
    url: response.url || requestURL,
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
  };
}

/** `sink.begin()`, called now; a sink that throws instead of rejecting rejects all the same. */
async function begin(sink: BodySink, index: number, response: StoredResponse, offset: number): Promise<void> {
  return sink.begin(index, response, offset);
}

function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

interface LinkedController {
  readonly signal: AbortSignal;
  abort(reason: unknown): void;
  /** The body was read to its end: `dispose` has no connection left to close. */
  drained(): void;
  dispose(): void;
}

/**
 * An AbortController for one attempt that also aborts when the record's signal does. `dispose`
 * ends the attempt: unless its body was drained it aborts it too, so a body left unread (a store
 * failure) closes its connection instead of hanging on once the record's signal no longer
 * reaches it. A drained attempt is not aborted: that would only run the abort listeners of
 * every signal following it (the Request's) for nothing.
 *
 * @example
 * const attempt = linkedController(signal);
 * try { await read(attempt.signal); attempt.drained(); } finally { attempt.dispose(); }
 */
function linkedController(parent: StopSignal): LinkedController {
  const { controller, unfollow } = following(parent);
  let drained = false;
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    drained: () => {
      drained = true;
    },
    dispose: () => {
      unfollow();
      if (!drained) controller.abort(attemptEnded);
    },
  };
}
