/**
 * Shared pieces of the store suite: a `fetch` that notes each chunk the network delivers, a store
 * whose body writes are slowed (so chunks pile up behind a write) and noted, and how many writes
 * were joined from several chunks.
 */
import type { BackgroundFetchStore } from '../../src';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Node's `fetch`, noting the size of every body chunk it hands over, in order, across responses.
 *
 * @example
 * const network = countingFetch();
 * new BackgroundFetchManager({ fetch: network.fetch }); // … network.chunks
 */
export function countingFetch(): { fetch: typeof fetch; chunks: number[]; perResponse: number[]; responses: Response[] } {
  const chunks: number[] = [];
  const perResponse: number[] = [];
  // Node's fetch cancels the body of a Response that is garbage-collected: the originals are kept.
  const responses: Response[] = [];
  const counting: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.body === null) return response;
    responses.push(response);
    const slot = perResponse.push(0) - 1;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        chunks.push(chunk.byteLength);
        perResponse[slot] += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), response);
  };
  return { fetch: counting, chunks, perResponse, responses };
}

/** What {@link slowedStore} lets a test do with the writes. */
export interface SlowedStore {
  readonly store: BackgroundFetchStore;
  /** Bytes of each write that landed, in order. */
  readonly landed: number[];
  /** Sum of `landed`. */
  stored(): number;
}

/**
 * `inner` with each body write 20 ms slower; `gate(write)` may return a promise to hold that
 * write at (the write's bytes, and the writes landed so far, are given).
 *
 * @example
 * const { store, landed } = slowedStore(openIndexedDBStore({ database: 'x' }));
 */
export function slowedStore(inner: BackgroundFetchStore, gate?: (bytes: number, landed: readonly number[]) => Promise<void> | undefined): SlowedStore {
  const landed: number[] = [];
  const store: BackgroundFetchStore = {
    ...inner,
    sink(key) {
      const sink = inner.sink(key);
      return {
        ...sink,
        async write(index, chunk) {
          await gate?.(chunk.byteLength, landed);
          await pause(20);
          await sink.write(index, chunk);
          landed.push(chunk.byteLength);
        },
      };
    },
  };
  return { store, landed, stored: () => landed.reduce((sum, bytes) => sum + bytes, 0) };
}

/**
 * How many of `writes` were joined from more than one of `chunks` (the network's chunks of the
 * same body, in order; each write is a run of them).
 *
 * @example
 * expect(joined(network.chunks, store.landed)).toBeGreaterThan(0);
 */
export function joined(chunks: readonly number[], writes: readonly number[]): number {
  let next = 0;
  let count = 0;
  for (const write of writes) {
    let sum = 0;
    let taken = 0;
    while (sum < write && next < chunks.length) {
      sum += chunks[next++];
      taken++;
    }
    if (sum !== write) throw new Error(`write of ${write} bytes is no run of the network's chunks`);
    if (taken > 1) count++;
  }
  return count;
}
