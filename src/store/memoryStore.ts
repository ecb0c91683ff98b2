import type { BackgroundFetchFailureReason, BodySink, RecordResult, StoredResponse } from '../../operators/types';
import type { BackgroundFetchStore, LoadedFetch, StoredFetch } from './types';

interface MemoryRecord {
  response: StoredResponse | null;
  bytes: number;
  result: RecordResult;
  chunks: Uint8Array[];
}

interface MemoryFetch {
  fetch: StoredFetch;
  records: MemoryRecord[];
  settled: { failureReason: BackgroundFetchFailureReason } | null;
}

/**
 * A store that keeps everything in this realm's memory: the default where there is no
 * IndexedDB (Node), and the fastest. Body chunks are kept as they arrive, never copied.
 *
 * @example
 * const store = createMemoryStore();
 * const manager = new BackgroundFetchManager({ store });
 */
export function createMemoryStore(): BackgroundFetchStore {
  const fetches = new Map<string, MemoryFetch>();
  const entry = (key: string): MemoryFetch => {
    const found = fetches.get(key);
    if (found === undefined) throw new TypeError(`The memory store holds no background fetch "${key}": it was removed.`);
    return found;
  };
  const record = (key: string, index: number): MemoryRecord => {
    const found = entry(key).records[index];
    if (found === undefined) throw new TypeError(`The background fetch "${key}" has no record ${index}.`);
    return found;
  };
  return {
    async load(scope) {
      const loaded: LoadedFetch[] = [];
      for (const { fetch, records, settled } of fetches.values()) {
        if (fetch.scope !== scope) continue;
        loaded.push({
          fetch,
          records: records.map(({ response, bytes, result }) => ({ response, bytes, result })),
          settled,
        });
      }
      return loaded;
    },
    async create(fetch) {
      const records = fetch.requests.map((): MemoryRecord => ({ response: null, bytes: 0, result: '', chunks: [] }));
      fetches.set(fetch.key, { fetch, records, settled: null });
    },
    async settleRecord(key, index, result) {
      const target = record(key, index);
      target.result = result;
      if (result === 'fetch-error') {
        target.chunks = [];
        target.bytes = 0;
      }
    },
    async settleFetch(key, failureReason) {
      entry(key).settled = { failureReason };
    },
    async remove(key) {
      fetches.delete(key);
    },
    sink(key): BodySink {
      return {
        async resumePoint(index) {
          const target = record(key, index);
          return { offset: target.bytes, response: target.response };
        },
        async begin(index, response, offset) {
          const target = record(key, index);
          target.response = response;
          if (offset === 0) target.chunks = [];
          else truncate(target, offset);
          target.bytes = offset;
        },
        async write(index, chunk) {
          const target = record(key, index);
          target.chunks.push(chunk);
          target.bytes += chunk.byteLength;
        },
      };
    },
    async readChunks(key, index, from, count = Infinity) {
      return record(key, index).chunks.slice(from, from + count);
    },
  };
}

/** Drops stored bytes past `offset` (a resume never starts past what is held, so this is rare). */
function truncate(target: MemoryRecord, offset: number): void {
  let held = 0;
  const kept: Uint8Array[] = [];
  for (const chunk of target.chunks) {
    if (held >= offset) break;
    const room = offset - held;
    kept.push(chunk.byteLength <= room ? chunk : chunk.subarray(0, room));
    held += Math.min(chunk.byteLength, room);
  }
  target.chunks = kept;
}

// Module-level because `store: "memory"` means the realm's memory: every manager that names it
// sees the same fetches, as managers of one IndexedDB database do.
let shared: BackgroundFetchStore | undefined;

/**
 * The realm's one shared memory store: what `store: "memory"` means, so that a later manager
 * of the same scope resumes what a closed one left, as it would with IndexedDB.
 *
 * @example
 * const a = new BackgroundFetchManager({ store: 'memory' }); await a.close();
 * const b = new BackgroundFetchManager({ store: 'memory' }); // resumes a's fetches
 */
export function sharedMemoryStore(): BackgroundFetchStore {
  shared ??= createMemoryStore();
  return shared;
}
