import { StoreFailure } from './storeFailure';
import type { BodySink, RecordResult } from './types';

/** The writes of one body into a sink, one (group) in flight at a time (see {@link writeBehind}). */
export interface WriteBehind {
  /** Takes a chunk read from the network: written now, or with the next group. */
  add(chunk: Uint8Array): void;
  /** `undefined` when the next chunk may be read now, else a promise that resolves when it may. */
  room(): Promise<void> | undefined;
  /** Writes everything held; resolves once it is stored (and reported), rejects with the {@link StoreFailure}. */
  flush(): Promise<void>;
  /** The body ended and will settle with `result`: the sink may store it with the write of the body's last bytes. */
  end(result: RecordResult): void;
  /** Forgets what is held and writes nothing more (the record stopped); a write in flight still lands, unreported. */
  drop(): void;
  /** Why a write failed, once one has. */
  readonly failure: StoreFailure | undefined;
  /** Bytes taken but not yet stored: held, and in the write in flight. */
  readonly unstored: number;
}

/**
 * A write-behind for one body: a chunk is written as soon as no write is in flight; while one
 * is, the body goes on being read, and what arrives is held and written when it lands, as one
 * group — so writes grow to what the store can take: one chunk at a time on a slow body (and
 * nothing waits for a timer: a byte is stored and counted one write after it arrived at most),
 * up to the sink's `writeSize` when the network outruns the store. A group is several `write`
 * calls made at once (no chunk is copied; the IndexedDB store commits them in one transaction).
 * Reading waits only while a write is in flight and that much is held, so a body holds about two
 * groups in memory. A sink without a `writeSize` gets one write at a time. `stored` is called
 * with the bytes of each group once all of it has landed: nothing is reported before it is stored.
 *
 * @example
 * const writes = writeBehind(sink, 0, (bytes) => emit({ type: 'chunk', index: 0, bytes }));
 * writes.add(chunk); await writes.room(); await writes.flush();
 */
export function writeBehind(sink: BodySink, index: number, stored: (bytes: number) => void): WriteBehind {
  const size = sink.writeSize ?? 0;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let writing: Promise<void> | undefined;
  let writingBytes = 0;
  let failure: StoreFailure | undefined;
  let dropped = false;
  // The result the body ended with: told to the sink with the write of its last bytes.
  let ending: RecordResult | undefined;

  const write = () => {
    const bytes = heldBytes;
    const group = held;
    held = [];
    heldBytes = 0;
    writingBytes = bytes;
    const landed = group.length === 1 ? sink.write(index, group[0]) : Promise.all(group.map((chunk) => sink.write(index, chunk)));
    if (ending !== undefined) sink.ending?.(index, ending);
    // Never rejects: the failure is kept for the reader, which stops at its next step.
    writing = landed.then(
      () => {
        writing = undefined;
        writingBytes = 0;
        if (dropped) return;
        stored(bytes);
        if (heldBytes > 0) write();
      },
      (error: unknown) => {
        writing = undefined;
        writingBytes = 0;
        failure ??= new StoreFailure(error);
      },
    );
  };

  return {
    add(chunk) {
      held.push(chunk);
      heldBytes += chunk.byteLength;
      if (writing === undefined && failure === undefined && !dropped) write();
    },
    room: () => (writing !== undefined && heldBytes >= size ? writing : undefined),
    async flush() {
      for (;;) {
        if (failure !== undefined) throw failure;
        if (writing !== undefined) await writing;
        else if (heldBytes > 0) write();
        else return;
      }
    },
    end(result) {
      ending = result;
      // Else the write of what is held tells it.
      if (writing !== undefined && heldBytes === 0 && failure === undefined) sink.ending?.(index, result);
    },
    drop() {
      dropped = true;
      held = [];
      heldBytes = 0;
    },
    get failure() {
      return failure;
    },
    get unstored() {
      return heldBytes + writingBytes;
    },
  };
}
