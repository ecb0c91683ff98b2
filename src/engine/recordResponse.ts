import type { Observable, Subscription } from 'rxjs';
import type { RecordStatus, StoredResponse } from '../../operators/types';
import { abortError } from '../errors';

/** What building a record's response needs from the fetch that holds it. */
export interface RecordSource {
  /** The record's status now. */
  current(index: number): RecordStatus;
  /** Emits the record's status now and whenever it may have changed; errors once the fetch's records are gone. */
  watch(index: number): Observable<RecordStatus>;
  /** Stored body chunks from chunk number `from` on, at most `count` when given. */
  readChunks(index: number, from: number, count?: number): Promise<Uint8Array[]>;
}

const failed = new Set(['fetch-error', 'quota-exceeded', 'download-total-exceeded']);
const nullBodyStatuses = new Set([204, 205, 304]);

/**
 * A record's `responseReady`: waits until the record has response headers (or ends without
 * them), then resolves with a `Response` whose body streams the stored bytes as they arrive;
 * once the record has settled, `arrayBuffer()`, `text()` and `json()` of an untouched body join
 * the stored chunks in one copy instead. Rejects `AbortError` for a record aborted before its
 * response, `TypeError` for a failed one.
 *
 * @example
 * const response = await recordResponse(source, 0);
 * const text = await response.text();
 */
export async function recordResponse(source: RecordSource, index: number): Promise<Response> {
  return respond(source, index, (response, generation) => readWholeOnceSettled(response, source, index, generation));
}

/**
 * {@link recordResponse} whose body is always read as a stream: for a page, where each read of
 * stored chunks is a call to the host, a few chunks a reply (the page build need not carry the
 * one-copy join).
 *
 * @example
 * const response = await streamedRecordResponse(mirror, 0);
 * const bytes = await response.arrayBuffer();
 */
export async function streamedRecordResponse(source: RecordSource, index: number): Promise<Response> {
  return respond(source, index);
}

async function respond(source: RecordSource, index: number, settled?: (response: Response, generation: number) => void): Promise<Response> {
  const ready = (s: RecordStatus) => s.response !== null || s.result !== '';
  // A record with its head (every record in a completion event) needs no watching.
  const now = source.current(index);
  const status = ready(now) ? now : await firstWith(source.watch(index), ready);
  if (failed.has(status.result)) throw new TypeError(`The request failed (${status.result}), so it has no response.`);
  if (status.response === null) throw abortError('The record was aborted before its response arrived.');
  if (nullBodyStatuses.has(status.response.status)) return toResponse(status.response, null);
  const response = toResponse(status.response, bodyStream(source, index, status.generation));
  settled?.(response, status.generation);
  return response;
}

/**
 * The first value of `source` that passes `predicate`, as `firstValueFrom(source.pipe(first(predicate)))`
 * gives it, but the end of the records is a TypeError, not an EmptyError (and the page build
 * carries neither rxjs helper).
 */
function firstWith<T>(source: Observable<T>, predicate: (value: T) => boolean): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let found = false;
    let subscription: Subscription | undefined = undefined;
    subscription = source.subscribe({
      next(value) {
        if (found || !predicate(value)) return;
        found = true;
        resolve(value);
        subscription?.unsubscribe();
      },
      error: reject,
      complete: () => reject(new TypeError('The records of this background fetch are no longer available.')),
    });
    if (found) subscription.unsubscribe();
  });
}

/**
 * A record's `Response` from its stored head: `Content-Range` and `Content-Length` removed (the
 * body is the whole stored body, however it arrived), `url` set as the spec's record response has it.
 *
 * @example
 * const response = toResponse(head, bodyStream);
 * response.url; // head.url
 */
export function toResponse(head: StoredResponse, body: BodyInit | null): Response {
  // A list, not a Headers: the Response constructor copies whatever it is given into its own.
  const headers: [string, string][] = [];
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower !== 'content-range' && lower !== 'content-length') headers.push([name, value]);
  }
  const response = new Response(body, { status: head.status, statusText: head.statusText, headers });
  Object.defineProperty(response, 'url', { value: head.url, enumerable: true });
  return response;
}

const utf8 = new TextDecoder();

/**
 * Gives a response `arrayBuffer()`, `text()` and `json()` that, once its record has settled
 * and while its body is untouched, copy the stored chunks into one buffer: the stream path
 * (Node's `readAllBytes`) copies every byte twice and costs a promise per chunk. The body is
 * cancelled first, so it counts as used exactly as after a read (a second read rejects
 * `TypeError`, `clone()` throws). A record still downloading, or a body already locked, read
 * or teed away, takes the native path.
 *
 * @example
 * const response = toResponse(head, bodyStream(source, 0, 0));
 * readWholeOnceSettled(response, source, 0, 0);
 * await response.arrayBuffer(); // one copy of the stored chunks
 */
function readWholeOnceSettled(response: Response, source: RecordSource, index: number, generation: number): void {
  // Decided synchronously, so two reads started together still see the first one's cancel.
  const whole = (): Promise<Uint8Array> | null => {
    const body = response.body;
    const status = source.current(index);
    if (body === null || body.locked || response.bodyUsed || status.generation !== generation) return null;
    if (status.result !== 'success' && status.result !== 'bad-status') return null;
    void body.cancel().catch(() => undefined);
    return source.readChunks(index, 0).then((chunks) => concat(chunks, status.bytes));
  };
  const native = Response.prototype;
  Object.defineProperties(response, {
    arrayBuffer: { value: () => whole()?.then((bytes) => bytes.buffer) ?? native.arrayBuffer.call(response) },
    text: { value: () => whole()?.then((bytes) => utf8.decode(bytes)) ?? native.text.call(response) },
    json: { value: () => whole()?.then((bytes) => JSON.parse(utf8.decode(bytes)) as unknown) ?? native.json.call(response) },
  });
}

/** The chunks in one new buffer; fewer than `expected` bytes means the store lost some. */
function concat(chunks: Uint8Array[], expected: number): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  if (length < expected) throw new TypeError('The store lost bytes of this response.');
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Chunks a body stream reads from the store at a time (and the host sends a page per call): the
 * store's chunks are write groups (up to about 1 MB each), so a large body goes through memory a
 * few megabytes at a time, never whole.
 *
 * @example
 * const chunks = await store.readChunks(key, index, position, streamedChunks);
 */
export const streamedChunks = 16;

/** The stored bytes of one record as a stream that waits for more until the record ends. */
function bodyStream(source: RecordSource, index: number, generation: number): ReadableStream<Uint8Array> {
  let position = 0;
  let delivered = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const chunks = await source.readChunks(index, position, streamedChunks);
          if (chunks.length > 0) {
            position += chunks.length;
            for (const chunk of chunks) {
              delivered += chunk.byteLength;
              controller.enqueue(chunk);
            }
            // All of a settled body: done without asking the store (in a page, the host) again.
            const after = source.current(index);
            if (after.generation === generation && after.bytes === delivered && (after.result === 'success' || after.result === 'bad-status')) controller.close();
            return;
          }
          const status = source.current(index);
          if (status.generation !== generation) throw new TypeError('This response was replaced: the request restarted. Call match() again.');
          if (status.bytes > delivered) throw new TypeError('The store lost bytes of this response.');
          if (status.result === 'success' || status.result === 'bad-status') {
            controller.close();
            return;
          }
          if (status.result === 'aborted') throw abortError('The background fetch was aborted before this body was complete.');
          if (status.result !== '') throw new TypeError(`The request failed (${status.result}) before its body was complete.`);
          await firstWith(source.watch(index), (s) => s.bytes > delivered || s.result !== '' || s.generation !== generation);
        }
      },
    },
    // No read ahead: a response is often read back whole, or not at all, so the store is read on demand.
    { highWaterMark: 0 },
  );
}
