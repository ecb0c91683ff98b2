import { emptyRecord, keys, type FetchRow, type RecordRow } from './schema';

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
        readRecords(s, row, reject, (records) => {
          loaded.set(row.fetch.key, { row, records });
          if (loaded.size === mine.length) resolve(loaded);
        });
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
    row.onerror = () => reject(row.error);
    row.onsuccess = () => {
      const found = row.result as FetchRow | undefined;
      if (found === undefined) resolve(undefined);
      else readRecords(s, found, reject, (records) => resolve({ row: found, records }));
    };
  });
}

/**
 * Reads the record rows of a fetch in the transaction of `s` and gives one per request, in
 * order: a record with no row (nothing written to it yet) is {@link emptyRecord}.
 */
function readRecords(s: IDBObjectStore, row: FetchRow, reject: (error: unknown) => void, done: (records: RecordRow[]) => void): void {
  const range = keys.records(row.fetch.key);
  const indices = s.getAllKeys(range);
  const rows = s.getAll(range);
  indices.onerror = () => reject(indices.error);
  rows.onerror = () => reject(rows.error);
  // Requests of one transaction succeed in the order they were made: the keys are in by now.
  rows.onsuccess = () => {
    const records = new Array<RecordRow>(row.fetch.requests.length).fill(emptyRecord);
    (indices.result as [string, string, number][]).forEach(([, , index], at) => {
      if (index < records.length) records[index] = (rows.result as RecordRow[])[at];
    });
    done(records);
  };
}

/**
 * Reads a record's chunks from number `from` on (at most `count` when given), in the transaction
 * of `s`; with `checkRow`, in the same transaction reads its fetch's row too, rejecting
 * `TypeError` when the fetch (or this record of it) is not stored.
 *
 * @example
 * const buffers = await store('readonly', (s) => readChunks(s, key, 0, 0, true));
 */
export function readChunks(s: IDBObjectStore, key: string, index: number, from: number, checkRow: boolean, count?: number): Promise<ArrayBuffer[]> {
  return new Promise((resolve, reject) => {
    const row = checkRow ? s.get(keys.fetch(key)) : undefined;
    const chunks = s.getAll(keys.chunks(key, index, from), count);
    if (row !== undefined) row.onerror = () => reject(row.error);
    chunks.onerror = () => reject(chunks.error);
    chunks.onsuccess = () => {
      const fetch = (row?.result as FetchRow | undefined)?.fetch;
      if (row !== undefined && (fetch === undefined || index >= fetch.requests.length)) reject(new TypeError(`The IndexedDB store holds no record ${index} of background fetch "${key}": it was removed.`));
      else resolve(chunks.result as ArrayBuffer[]);
    };
  });
}
