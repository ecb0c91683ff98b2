import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { BodySink, RecordResult, StoredResponse } from '../../operators/types';
import { ensureSchema, keys, type FetchRow, type RecordRow } from './schema';
import type { BackgroundFetchStore, LoadedFetch } from './types';

/** Options of {@link openIndexedDBStore}. */
export interface IndexedDBStoreOptions {
  /** Database name. Default `"rx-background-fetch"`. */
  readonly database?: string;
}

const emptyRecord: RecordRow = { response: null, bytes: 0, chunks: 0, result: '' };

const opened = new Map<string, BackgroundFetchStore>();

/**
 * The IndexedDB store (through idb-keyval): the default where `indexedDB` exists. Bodies are
 * stored chunk by chunk as they arrive, so a fetch resumes from what is on disk and a
 * record's body can be read while it downloads. One database is one store: opening it again
 * in this realm gives the same object, so its managers share one engine and never download
 * the same fetch twice.
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
  const readRecord = async (key: string, index: number): Promise<RecordRow> => {
    const row = await store('readonly', (s) => promisifyRequest<RecordRow | undefined>(s.get(keys.record(key, index))));
    if (row === undefined) throw new TypeError(`The IndexedDB store holds no record ${index} of background fetch "${key}": it was removed.`);
    return row;
  };
  const writeRows = (rows: Array<[IDBValidKey, unknown]>, drop: IDBKeyRange[] = []) =>
    store('readwrite', (s) => {
      for (const range of drop) s.delete(range);
      for (const [key, value] of rows) s.put(value, key);
      return promisifyRequest(s.transaction);
    });

  return {
    async load(scope) {
      // One transaction, so a fetch removed meanwhile is either whole or absent.
      const rows = await store('readonly', (s) => new Promise<Array<{ row: FetchRow; records: RecordRow[] }>>((resolve, reject) => {
        const fetches = s.getAll(keys.allFetches());
        fetches.onerror = () => reject(fetches.error);
        fetches.onsuccess = () => {
          const mine = (fetches.result as FetchRow[]).filter((row) => row.fetch.scope === scope);
          const loaded: Array<{ row: FetchRow; records: RecordRow[] }> = [];
          if (mine.length === 0) resolve(loaded);
          for (const row of mine) {
            const records = s.getAll(keys.records(row.fetch.key));
            records.onerror = () => reject(records.error);
            records.onsuccess = () => {
              loaded.push({ row, records: records.result as RecordRow[] });
              if (loaded.length === mine.length) resolve(loaded);
            };
          }
        };
      }));
      return rows
        .sort((a, b) => a.row.fetch.created - b.row.fetch.created)
        .map(({ row: { fetch, settled }, records }): LoadedFetch => ({
          fetch,
          records: records.map(({ response, bytes, result }) => ({ response, bytes, result })),
          settled,
        }));
    },
    async create(fetch) {
      const row: FetchRow = { fetch, settled: null };
      await writeRows([[keys.fetch(fetch.key), row], ...fetch.requests.map((_, index): [IDBValidKey, RecordRow] => [keys.record(fetch.key, index), emptyRecord])]);
    },
    async settleRecord(key, index, result: RecordResult) {
      const row = await readRecord(key, index);
      if (result === 'fetch-error') await writeRows([[keys.record(key, index), { ...row, result, bytes: 0, chunks: 0 }]], [keys.chunks(key, index)]);
      else await writeRows([[keys.record(key, index), { ...row, result }]]);
    },
    async settleFetch(key, failureReason) {
      const row = await store('readonly', (s) => promisifyRequest<FetchRow | undefined>(s.get(keys.fetch(key))));
      if (row !== undefined) await writeRows([[keys.fetch(key), { ...row, settled: { failureReason } }]]);
    },
    async remove(key) {
      await writeRows([], [IDBKeyRange.only(keys.fetch(key)), keys.records(key), keys.allChunks(key)]);
    },
    sink(key): BodySink {
      // The row of each record being written, so a chunk costs one transaction and no read.
      const rows = new Map<number, RecordRow>();
      const rowOf = async (index: number) => rows.get(index) ?? readRecord(key, index);
      return {
        async resumePoint(index) {
          const row = await readRecord(key, index);
          return { offset: row.bytes, response: row.response };
        },
        async begin(index, response: StoredResponse, offset) {
          const row = await readRecord(key, index);
          if (offset === 0) {
            const next: RecordRow = { ...row, response, bytes: 0, chunks: 0 };
            await writeRows([[keys.record(key, index), next]], [keys.chunks(key, index)]);
            rows.set(index, next);
          } else if (offset === row.bytes) {
            const next: RecordRow = { ...row, response };
            await writeRows([[keys.record(key, index), next]]);
            rows.set(index, next);
          } else {
            rows.set(index, await truncate(key, index, { ...row, response }, offset));
          }
        },
        async write(index, chunk) {
          const row = await rowOf(index);
          const next: RecordRow = { ...row, bytes: row.bytes + chunk.byteLength, chunks: row.chunks + 1 };
          // An exact-size copy: a view into a larger pooled buffer would store the whole buffer.
          const data = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength);
          await writeRows([
            [keys.chunk(key, index, row.chunks), data],
            [keys.record(key, index), next],
          ]);
          rows.set(index, next);
        },
      };
    },
    async readChunks(key, index, from) {
      const row = await readRecord(key, index);
      if (from >= row.chunks) return [];
      const buffers = await store('readonly', (s) => promisifyRequest(s.getAll(keys.chunks(key, index, from))) as Promise<ArrayBuffer[]>);
      return buffers.map((buffer) => new Uint8Array(buffer));
    },
  };

  async function truncate(key: string, index: number, row: RecordRow, offset: number): Promise<RecordRow> {
    const buffers = await store('readonly', (s) => promisifyRequest(s.getAll(keys.chunks(key, index))) as Promise<ArrayBuffer[]>);
    const kept: ArrayBuffer[] = [];
    let held = 0;
    for (const buffer of buffers) {
      if (held >= offset) break;
      const take = Math.min(buffer.byteLength, offset - held);
      kept.push(take === buffer.byteLength ? buffer : buffer.slice(0, take));
      held += take;
    }
    const next: RecordRow = { ...row, bytes: held, chunks: kept.length };
    await writeRows(
      [[keys.record(key, index), next], ...kept.map((buffer, seq): [IDBValidKey, ArrayBuffer] => [keys.chunk(key, index, seq), buffer])],
      [keys.chunks(key, index)],
    );
    return next;
  }
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
