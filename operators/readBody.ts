import type { StopSignal } from './recordStop';
import { StoreFailure } from './storeFailure';
import type { BodySink, RecordResult } from './types';
import { writeBehind } from './writeBehind';

/** What {@link readBody} reads into, and how. */
export interface ReadBodyOptions {
  readonly sink: BodySink;
  readonly index: number;
  /** Ms a read may wait for a chunk before the attempt is aborted as stalled. */
  readonly timeout: number;
  /** The record's signal: once it aborts, nothing more is written or reported. */
  readonly signal: StopSignal;
  /** This attempt: aborted here when the body stalls, and its abort ends the read. */
  readonly attempt: { readonly signal: AbortSignal; abort(reason: unknown): void };
  /** Called with the size of each write once it is stored. */
  readonly stored: (bytes: number) => void;
  /** Called once the body was read to its end, before its last writes have landed, with the bytes still to land. */
  readonly ended?: (unstored: number) => void;
  /** The result the record settles with once the whole body is stored, when that is known (a whole response). */
  readonly result?: RecordResult;
  /** The most bytes the body may bring (a part's `Content-Range`): bytes past them are dropped and the body cancelled, as at its end. */
  readonly limit?: number;
}

/**
 * Reads a body into the sink through a {@link writeBehind} (the next chunks are read while a
 * write is in flight), reporting each write's bytes once stored. Resolves once the whole body is
 * stored; rejects with the network's error when the body breaks off or stalls — after storing
 * what arrived before, so a resume continues from every byte received — and with a
 * {@link StoreFailure} when the sink fails. The body is cancelled unless it was read to its end.
 *
 * @example
 * await readBody(response.body, { sink, index, timeout: 30_000, signal, attempt, stored: (n) => (offset += n) });
 * settle('success');
 */
export async function readBody(body: ReadableStream<Uint8Array>, options: ReadBodyOptions): Promise<void> {
  const { attempt, signal, timeout } = options;
  const reader = body.getReader();
  // One timer per body, checked when it fires against when the pending read began, instead of a
  // clearTimeout + setTimeout per chunk. -1: no read pending (only the network counts against the
  // timeout, not a slow store write).
  let readSince = Date.now();
  const check = () => {
    const waited = readSince < 0 ? 0 : Date.now() - readSince;
    if (waited >= timeout) attempt.abort(new DOMException('The body stalled.', 'TimeoutError'));
    else timer = setTimeout(check, timeout - waited);
  };
  let timer = setTimeout(check, timeout);
  // Node's fetch leaves a read pending for ever when the request is aborted after its last byte
  // arrived (a download-total-exceeded on the last chunk): cancelling the reader ends that read.
  const cancel = () => void reader.cancel(attempt.signal.reason).catch(() => undefined);
  attempt.signal.addEventListener('abort', cancel, { once: true });
  const writes = writeBehind(options.sink, options.index, (bytes) => {
    if (!signal.aborted) options.stored(bytes);
  });
  let ended = false;
  let left = options.limit ?? Infinity;
  let overran = false;
  try {
    try {
      for (;;) {
        const room = writes.room();
        if (room !== undefined) await room;
        if (writes.failure !== undefined) throw writes.failure;
        if (attempt.signal.aborted) throw attempt.signal.reason;
        readSince = Date.now();
        const { done, value } = await reader.read();
        readSince = -1;
        // A cancelled read says `done`, which is no end of the body.
        if (attempt.signal.aborted) throw attempt.signal.reason;
        if (done) break;
        if (value.byteLength > left) {
          if (left > 0) writes.add(value.subarray(0, left));
          overran = true;
          break;
        }
        left -= value.byteLength;
        if (value.byteLength > 0) writes.add(value);
      }
      ended = true;
      if (options.result !== undefined) writes.end(options.result);
      options.ended?.(writes.unstored);
    } catch (error) {
      // A record that stopped keeps only what has landed; a body that broke off or stalled had
      // every byte before the break right, so they are stored before the record resumes after them.
      if (signal.aborted || error instanceof StoreFailure) {
        writes.drop();
        throw error;
      }
      await writes.flush();
      throw error;
    }
    await writes.flush();
    // Stopped while the last bytes were landing: they are not reported, and the body did not end for this record.
    if (attempt.signal.aborted) throw attempt.signal.reason;
  } finally {
    attempt.signal.removeEventListener('abort', cancel);
    clearTimeout(timer);
    // A body left unread (a store failure, a stall) is cancelled here and now, which closes its
    // connection whatever the transport does with the attempt's signal afterwards.
    if (ended && !overran) reader.releaseLock();
    else void reader.cancel(new DOMException('The record stopped reading this body.', 'AbortError')).catch(() => undefined);
  }
}
