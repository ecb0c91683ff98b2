import { Observable, firstValueFrom, type OperatorFunction } from 'rxjs';
import type { RecordStatus, StoredResponse } from '../../operators/types';
import { abortError } from '../errors';

/** What building a record's response needs from the fetch that holds it. */
export interface RecordSource {
  /** The record's status now. */
  current(index: number): RecordStatus;
  /** Emits the record's status now and whenever it may have changed; errors once the fetch's records are gone. */
  watch(index: number): Observable<RecordStatus>;
  /** Stored body chunks from chunk number `from` on. */
  readChunks(index: number, from: number): Promise<Uint8Array[]>;
}

const failed = new Set(['fetch-error', 'quota-exceeded', 'download-total-exceeded']);
const nullBodyStatuses = new Set([204, 205, 304]);

/**
 * A record's `responseReady`: waits until the record has response headers (or ends without
 * them), then resolves with a `Response` whose body streams the stored bytes as they arrive.
 * Rejects `AbortError` for a record aborted before its response, `TypeError` for a failed one.
 *
 * @example
 * const response = await recordResponse(source, 0);
 * const text = await response.text();
 */
export async function recordResponse(source: RecordSource, index: number): Promise<Response> {
  const status = await firstValueFrom(source.watch(index).pipe(firstWith((s) => s.response !== null || s.result !== '')));
  if (failed.has(status.result)) throw new TypeError(`The request failed (${status.result}), so it has no response.`);
  if (status.response === null) throw abortError('The record was aborted before its response arrived.');
  return toResponse(status.response, nullBodyStatuses.has(status.response.status) ? null : bodyStream(source, index, status.generation));
}

/** Like `first(predicate)`, but the end of the records is a TypeError, not an EmptyError. */
function firstWith<T>(predicate: (value: T) => boolean): OperatorFunction<T, T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next(value) {
          if (!predicate(value)) return;
          subscriber.next(value);
          subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.error(new TypeError('The records of this background fetch are no longer available.')),
      }),
    );
}

function toResponse(head: StoredResponse, body: ReadableStream<Uint8Array> | null): Response {
  const headers = new Headers();
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower !== 'content-range' && lower !== 'content-length') headers.append(name, value);
  }
  const response = new Response(body, { status: head.status, statusText: head.statusText, headers });
  Object.defineProperty(response, 'url', { value: head.url, enumerable: true });
  return response;
}

/** The stored bytes of one record as a stream that waits for more until the record ends. */
function bodyStream(source: RecordSource, index: number, generation: number): ReadableStream<Uint8Array> {
  let position = 0;
  let delivered = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const chunks = await source.readChunks(index, position);
        if (chunks.length > 0) {
          position += chunks.length;
          for (const chunk of chunks) {
            delivered += chunk.byteLength;
            controller.enqueue(chunk);
          }
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
        await firstValueFrom(source.watch(index).pipe(firstWith((s) => s.bytes > delivered || s.result !== '' || s.generation !== generation)));
      }
    },
  });
}
