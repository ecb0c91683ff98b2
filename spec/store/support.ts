/**
 * Shared pieces of the store suite: a store whose sinks are wrapped (`withSinks`, which the
 * reliability suite's gated stores use too), a `fetch` that notes each chunk the network delivers, and a
 * store whose body writes are slowed (so chunks pile up behind a write) and noted, group by group
 * (the writes the fetch stage makes together); a count of the IndexedDB transactions a piece
 * of work opens; and the library as another realm loads it.
 */
import type * as library from '../../src';
import type { BackgroundFetchStore } from '../../src';
import type { BodySink } from '../../operators/types';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `inner` whose every sink has the methods `wrap` gives it in place of its own (each can call
 * the sink it is given); the rest of the store is `inner`'s.
 *
 * @example
 * const failing = withSinks(createMemoryStore(), () => ({ write: () => Promise.reject(new Error('disk on fire')) }));
 */
export function withSinks(inner: BackgroundFetchStore, wrap: (sink: BodySink) => Partial<BodySink>): BackgroundFetchStore {
  return {
    ...inner,
    sink(key) {
      const sink = inner.sink(key);
      return { ...sink, ...wrap(sink) };
    },
  };
}

/**
 * The library as another realm (a page, then the service worker) has it: its own module
 * instances, so its own store objects and engines, knowing nothing this realm wrote.
 *
 * @example
 * const other = otherRealm();
 * other.openIndexedDBStore({ database }) !== openIndexedDBStore({ database }); // true
 */
export function otherRealm(): typeof library {
  let loaded!: typeof library;
  jest.isolateModules(() => {
    loaded = require('../../src') as typeof library;
  });
  return loaded;
}

/**
 * How many IndexedDB transactions of `mode` (fake-indexeddb's, or the browser's) open while
 * `work` runs.
 *
 * @example
 * const reads = await transactionsDuring('readonly', () => store.readChunks(key, 0, 0).then(() => undefined));
 */
export async function transactionsDuring(mode: IDBTransactionMode, work: () => Promise<void>): Promise<number> {
  const begin = IDBDatabase.prototype.transaction;
  let count = 0;
  const spy = jest.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args: Parameters<typeof begin>) {
    if ((args[1] ?? 'readonly') === mode) count++;
    return begin.apply(this, args);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return count;
}

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

/** What {@link slowedStore} lets a test see of the writes. */
export interface SlowedStore {
  readonly store: BackgroundFetchStore;
  /** Bytes of each write that landed, in order. */
  readonly landed: number[];
  /** The writes made together (each while the first of them was in flight), bytes per write, in order. */
  readonly groups: number[][];
  /** Sum of `landed`. */
  stored(): number;
}

/**
 * `inner` with each body write 20 ms slower. `gate(bytes, groups)` is asked before each write
 * whose group is the first one after all earlier writes landed (the groups so far given); a
 * promise it returns holds that write and every write made after it until it settles.
 *
 * @example
 * const { store, groups } = slowedStore(openIndexedDBStore({ database: 'x' }));
 */
export function slowedStore(inner: BackgroundFetchStore, gate?: (groups: readonly number[][]) => Promise<void> | undefined): SlowedStore {
  const landed: number[] = [];
  const groups: number[][] = [];
  let inFlight = 0;
  let held: Promise<void> | undefined;
  const store = withSinks(inner, (sink) => ({
    async write(index, chunk) {
      if (inFlight++ === 0) {
        held ??= gate?.(groups);
        groups.push([]);
      }
      groups[groups.length - 1].push(chunk.byteLength);
      try {
        await held;
        await pause(20);
        await sink.write(index, chunk);
        landed.push(chunk.byteLength);
      } finally {
        inFlight--;
      }
    },
  }));
  return { store, landed, groups, stored: () => landed.reduce((sum, bytes) => sum + bytes, 0) };
}
