import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { BodySink, RecordResult, StoredResponse } from '../../operators/types';
import { readChunks, readFetch, readScope, type KnownFetch } from './indexedDBReads';
import { finished, readAhead } from './readAhead';
import { emptyRecord, ensureSchema, keys, type FetchRow, type RecordRow } from './schema';
import type { BackgroundFetchStore, LoadedFetch } from './types';
import { writeQueue, type FinalWork, type StoreWork } from './writeQueue';

/** Options of {@link openIndexedDBStore}. */
export interface IndexedDBStoreOptions {
  /** Database name. Default `"rx-background-fetch"`. */
  readonly database?: string;
}

// Bytes the fetch stage gathers while a write is in flight: the network's chunks (64 KB in
// Firefox) go in about a transaction per megabyte, not one per chunk.
const writeSize = 1024 * 1024;

// Module-level because a database is one per origin: one connection (and one write queue, which
// keeps the order of writes) per database per realm.
const opened = new Map<string, BackgroundFetchStore>();

/**
 * The IndexedDB store (through idb-keyval): the default where `indexedDB` exists. Bodies are
 * stored as they arrive, the chunks that come while a write is in flight (up to about 1 MB) in one
 * transaction with the record's counters (and its result, when the body ended before they
 * were), so a fetch resumes from what is on disk and a record's body can be read while it downloads. The writes of every record that arrive while a
 * transaction runs share the next one; a finished body is read back with the small finished
 * bodies after it in one transaction (`src/store/readAhead.ts`). One database
 * is one store: opening it again in this realm gives the same object, so its managers share one
 * engine and never download the same fetch twice.
 *
 * @example
 * const store = openIndexedDBStore({ database: 'media' });
 * const manager = new BackgroundFetchManager({ store });
 * openIndexedDBStore({ database: 'media' }) === store; // true
 */
export function openIndexedDBStore(options: IndexedDBStoreOptions = {}): BackgroundFetchStore {
  const database = options.database ?? 'rx-background-fetch';
  let store = opened.get(database);
  if (store === undefined) opened.set(database, (store = createIndexedDBStore(database)));
  return store;
}

function createIndexedDBStore(database: string): BackgroundFetchStore {
  const raw = createStore(database, 'fetches');
  let ready: Promise<void> | undefined;
  const store: UseStore = async (mode, callback) => {
    ready ??= ensureSchema(raw);
    await ready;
    return raw(mode, callback);
  };
  const queue = writeQueue(store);
  const ahead = readAhead(store);
  // The rows of each fetch this realm runs, as last written (or queued): a write never reads
  // first, and a row is written once per transaction with the bytes it counts. One realm runs a
  // fetch at a time (one engine per store and scope, one host per scope), and a realm reads
  // afresh in load() before it runs what another left, so these are never stale.
  const known = new Map<string, KnownFetch>();

  const fetchOf = async (key: string): Promise<KnownFetch | undefined> => {
    const found = known.get(key);
    if (found !== undefined) return found;
    // Neither written nor loaded here (or a write of it failed): read once the queued writes are in.
    await queue.settled();
    const read = await store('readonly', (s) => readFetch(s, key));
    if (read !== undefined && !known.has(key)) known.set(key, read);
    return known.get(key) ?? read;
  };
  /**
   * The fetch's rows, known or read. The caller reads the record's row from them only after this
   * resolves, synchronously with the write it makes: writes made together (a group of chunks)
   * then each see the row the one before left.
   */
  const entryOf = async (key: string, index: number): Promise<KnownFetch> => {
    const entry = known.get(key) ?? (await fetchOf(key));
    if (entry?.records[index] === undefined) throw new TypeError(`The IndexedDB store holds no record ${index} of background fetch "${key}": it was removed.`);
    return entry;
  };
  /**
   * `work` on the fetch's rows: called at once when they are known, so what it changes in them is
   * seen from the call on; else once they are read ({@link entryOf}).
   */
  const withRows = (key: string, index: number, work: (entry: KnownFetch) => Promise<void>): Promise<void> => {
    const entry = known.get(key);
    return entry?.records[index] !== undefined ? work(entry) : entryOf(key, index).then(work);
  };
  /** Queues `work`; when it fails, the fetch's rows are forgotten, to be read again from what was stored. */
  const write = (key: string, entry: KnownFetch | undefined, work: StoreWork | undefined, final?: FinalWork) =>
    queue.write(work, final).catch((error: unknown) => {
      if (entry !== undefined && known.get(key) === entry) known.delete(key);
      throw error;
    });
  const rowId = (key: string, index: number) => `${key}\u0000${index}`;
  /** Queues `work` (if any) with the record's new row, which a newer one in the same transaction replaces. */
  const putRecord = (key: string, entry: KnownFetch, index: number, row: RecordRow, work?: StoreWork) => {
    entry.records[index] = row;
    return write(key, entry, work, { id: rowId(key, index), work: (s) => s.put(row, keys.record(key, index)) });
  };

  /** Queues a chunk of record `index` with the row that counts it. */
  function writeChunk(key: string, entry: KnownFetch, index: number, chunk: Uint8Array): Promise<void> {
    const row = entry.records[index];
    // A view into a larger buffer (Node's network chunks are) is copied to its size, or the
    // whole buffer would be stored; a chunk that is its whole buffer is stored as it is.
    const whole = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
    const data = whole ? chunk.buffer : chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
    const seq = row.chunks;
    return putRecord(key, entry, index, { ...row, bytes: row.bytes + chunk.byteLength, chunks: seq + 1 }, (s) => s.put(data, keys.chunk(key, index, seq)));
  }

  async function truncate(key: string, entry: KnownFetch, index: number, row: RecordRow, offset: number): Promise<void> {
    await queue.settled();
    const buffers = await store('readonly', (s) => promisifyRequest(s.getAll(keys.chunks(key, index))) as Promise<ArrayBuffer[]>);
    const kept: ArrayBuffer[] = [];
    let held = 0;
    for (const buffer of buffers) {
      if (held >= offset) break;
      const take = Math.min(buffer.byteLength, offset - held);
      kept.push(take === buffer.byteLength ? buffer : buffer.slice(0, take));
      held += take;
    }
    await putRecord(key, entry, index, { ...row, bytes: held, chunks: kept.length }, (s) => {
      s.delete(keys.chunks(key, index));
      kept.forEach((buffer, seq) => s.put(buffer, keys.chunk(key, index, seq)));
    });
  }

  /**
   * Starts record `index` over, or goes on from `offset` bytes of it. Starting a record that holds
   * nothing, or going on from all it holds, changes nothing stored but the head, which goes with
   * the record's next write: no transaction (a crash before that write leaves the record as it
   * was, which is where it resumes). A record begun has no result yet: the one its last write may
   * have brought (the sink's `ending`) goes when the fetch was cut off before it settled and the
   * record is trimmed.
   */
  async function beginRecord(key: string, entry: KnownFetch, index: number, response: StoredResponse, offset: number): Promise<void> {
    ahead.forget(key, index);
    const row = entry.records[index];
    if (offset === row.bytes && (offset > 0 || row.chunks === 0)) entry.records[index] = { ...row, response, result: '' };
    else if (offset === 0) await putRecord(key, entry, index, { ...row, response, bytes: 0, chunks: 0, result: '' }, (s) => s.delete(keys.chunks(key, index)));
    else await truncate(key, entry, index, { ...row, response, result: '' }, offset);
  }

  return {
    async load(scope) {
      await queue.settled();
      const loaded = await store('readonly', (s) => readScope(s, scope));
      for (const [key, entry] of loaded) {
        known.set(key, entry);
        ahead.forget(key);
      }
      return [...loaded.values()]
        .sort((a, b) => a.row.fetch.created - b.row.fetch.created)
        .map(({ row: { fetch, settled }, records }): LoadedFetch => ({
          fetch,
          records: records.map(({ response, bytes, result }) => ({ response, bytes, result })),
          settled,
        }));
    },
    async create(fetch) {
      const entry: KnownFetch = { row: { fetch, settled: null }, records: new Array<RecordRow>(fetch.requests.length).fill(emptyRecord) };
      known.set(fetch.key, entry);
      // Its records have no rows until they are written to: a record with none is empty.
      await write(fetch.key, entry, (s) => s.put(entry.row, keys.fetch(fetch.key)));
    },
    async settleRecord(key, index, result: RecordResult) {
      const entry = await entryOf(key, index);
      ahead.forget(key, index);
      const row = entry.records[index];
      // Kept already, with the record's last write (the sink's `ending`): that write is what to wait for.
      if (row.result === result) return queue.settled();
      if (result !== 'fetch-error') await putRecord(key, entry, index, { ...row, result });
      else await putRecord(key, entry, index, { ...row, result, bytes: 0, chunks: 0 }, (s) => s.delete(keys.chunks(key, index)));
    },
    async settleFetch(key, failureReason) {
      const entry = await fetchOf(key);
      if (entry === undefined) return;
      const row: FetchRow = { ...entry.row, settled: { failureReason } };
      entry.row = row;
      await write(key, entry, (s) => s.put(row, keys.fetch(key)));
    },
    async remove(key) {
      known.delete(key);
      ahead.forget(key);
      await write(key, undefined, (s) => {
        s.delete(keys.fetch(key));
        s.delete(keys.records(key));
        s.delete(keys.allChunks(key));
      });
    },
    sink(key): BodySink {
      return {
        writeSize,
        async resumePoint(index) {
          const row = (await entryOf(key, index)).records[index];
          return { offset: row.bytes, response: row.response };
        },
        // At once when the rows are known: the fetch stage counts a restart when it asks for it,
        // and a read of the record from then on finds the old chunks gone.
        begin: (index, response: StoredResponse, offset) => withRows(key, index, (entry) => beginRecord(key, entry, index, response, offset)),
        ending(index, result) {
          // Only into a transaction still to come, with the record's last chunks: a row of its own
          // would be one more put, and one that could land after a failed write of those chunks.
          const entry = known.get(key);
          if (entry !== undefined && queue.gathers(rowId(key, index))) putRecord(key, entry, index, { ...entry.records[index], result }).catch(() => undefined);
        },
        // Queued at once when the rows are known (as they are for the fetches this realm runs):
        // a result told right after (`ending`) then finds the write still gathering.
        write: (index, chunk) => withRows(key, index, (entry) => writeChunk(key, entry, index, chunk)),
      };
    },
    async readChunks(key, index, from, count) {
      const entry = known.get(key);
      const row = entry?.records[index];
      // Nothing written from `from` on, as far as this realm wrote: no read (a body stream waiting for more).
      if (row !== undefined && from >= row.chunks) return [];
      // A whole finished body (a read-back) comes with the next ones, a transaction for several.
      const buffers = await (entry !== undefined && row !== undefined && from === 0 && count === undefined && finished(row)
        ? ahead.take(key, entry, index)
        : store('readonly', (s) => readChunks(s, key, index, from, row === undefined, count)));
      return buffers.map((buffer) => new Uint8Array(buffer));
    },
  };
}

/**
 * The realm's one default IndexedDB store: what `store: "indexeddb"` (and the default where
 * IndexedDB exists) means, so that every manager of a scope shares one engine.
 *
 * @example
 * const manager = new BackgroundFetchManager({ store: 'indexeddb' });
 */
export function sharedIndexedDBStore(): BackgroundFetchStore {
  return openIndexedDBStore();
}
