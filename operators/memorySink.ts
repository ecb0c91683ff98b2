import type { BodySink, StoredResponse } from './types';

/** A {@link BodySink} that keeps bodies in memory, with a way to read them back. */
export interface MemorySink extends BodySink {
  /** The stored chunks of record `index`, as they arrived. */
  chunks(index: number): readonly Uint8Array[];
  /** The response head of record `index`, once it has one. */
  response(index: number): StoredResponse | null;
}

/**
 * The smallest sink for a pipeline of your own: bodies stay in memory, chunk by chunk, never
 * copied. (The manager's stores do the same per fetch, and persist.)
 *
 * @example
 * const sink = memorySink();
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink }))).subscribe({ complete: () => sink.chunks(0) });
 */
export function memorySink(): MemorySink {
  const records = new Map<number, { response: StoredResponse | null; chunks: Uint8Array[]; bytes: number }>();
  const record = (index: number) => {
    let found = records.get(index);
    if (found === undefined) records.set(index, (found = { response: null, chunks: [], bytes: 0 }));
    return found;
  };
  return {
    async resumePoint(index) {
      const { bytes, response } = record(index);
      return { offset: bytes, response };
    },
    async begin(index, response, offset) {
      const target = record(index);
      if (offset !== target.bytes) {
        if (offset !== 0) throw new RangeError(`memorySink: record ${index} holds ${target.bytes} bytes and cannot resume at ${offset}.`);
        target.chunks = [];
        target.bytes = 0;
      }
      target.response = response;
    },
    async write(index, chunk) {
      const target = record(index);
      target.chunks.push(chunk);
      target.bytes += chunk.byteLength;
    },
    chunks: (index) => record(index).chunks,
    response: (index) => record(index).response,
  };
}
