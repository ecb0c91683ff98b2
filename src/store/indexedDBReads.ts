import { keys, type FetchRow, type RecordRow } from './schema';

/** A fetch's rows as the IndexedDB store knows them: its fetch row and one row per record. */
export interface KnownFetch {
  row: FetchRow;
  readonly records: RecordRow[];
}

/**
 * Reads every fetch of `scope` with its record rows, in the one transaction of `s` (so a fetch
 * removed meanwhile is either whole or absent), keyed by fetch key.
 *
 * @example
 * const fetches = await store('readonly', (s) => readScope(s, 'app'));
 */
export function readScope(s: IDBObjectStore, scope: string): Promise<Map<string, KnownFetch>> {
  return new Promise((resolve, reject) => {
    const fetches = s.getAll(keys.allFetches());
    fetches.onerror = () => reject(fetches.error);
    fetches.onsuccess = () => {
      const mine = (fetches.result as FetchRow[]).filter((row) => row.fetch.scope === scope);
      const loaded = new Map<string, KnownFetch>();
      if (mine.length === 0) resolve(loaded);
      for (const row of mine) {
        const records = s.getAll(keys.records(row.fetch.key));
        records.onerror = () => reject(records.error);
        records.onsuccess = () => {
          loaded.set(row.fetch.key, { row, records: records.result as RecordRow[] });
          if (loaded.size === mine.length) resolve(loaded);
        };
      }
    };
  });
}

/**
 * Reads one fetch's rows in the transaction of `s`; `undefined` when it is not stored.
 *
 * @example
 * const known = await store('readonly', (s) => readFetch(s, key));
 */
export function readFetch(s: IDBObjectStore, key: string): Promise<KnownFetch | undefined> {
  return new Promise((resolve, reject) => {
    const row = s.get(keys.fetch(key));
    const records = s.getAll(keys.records(key));
    row.onerror = () => reject(row.error);
    records.onerror = () => reject(records.error);
    // Requests of one transaction succeed in the order they were made: the row is in by now.
    records.onsuccess = () => resolve(row.result === undefined ? undefined : { row: row.result as FetchRow, records: records.result as RecordRow[] });
  });
}

/**
 * Reads a record's chunks from number `from` on (at most `count` when given), in the transaction
 * of `s`; with `checkRow`, in the same transaction reads its row too, rejecting `TypeError` when
 * the record is not stored.
 *
 * @example
 * const buffers = await store('readonly', (s) => readChunks(s, key, 0, 0, true));
 */
export function readChunks(s: IDBObjectStore, key: string, index: number, from: number, checkRow: boolean, count?: number): Promise<ArrayBuffer[]> {
  return new Promise((resolve, reject) => {
    const row = checkRow ? s.get(keys.record(key, index)) : undefined;
    const chunks = s.getAll(keys.chunks(key, index, from), count);
    if (row !== undefined) row.onerror = () => reject(row.error);
    chunks.onerror = () => reject(chunks.error);
    chunks.onsuccess = () => {
      if (row !== undefined && row.result === undefined) reject(new TypeError(`The IndexedDB store holds no record ${index} of background fetch "${key}": it was removed.`));
      else resolve(chunks.result as ArrayBuffer[]);
    };
  });
}
