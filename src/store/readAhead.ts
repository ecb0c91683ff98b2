import type { UseStore } from 'idb-keyval';
import { readChunks, type KnownFetch } from './indexedDBReads';
import type { RecordRow } from './schema';

/**
 * Bodies of finished records read several to a transaction, for a read-back that goes record by record.
 *
 * @example
 * const buffers = await ahead.take(key, known.get(key), 3);
 * ahead.forget(key, 4); // record 4 begins again
 */
export interface ReadAhead {
  /** Every chunk of finished record `index` of fetch `key`, read with the finished records after it unless an earlier read took it along. */
  take(key: string, entry: KnownFetch, index: number): Promise<ArrayBuffer[]>;
  /** Drops what was read ahead of one record (`index`) or of the whole fetch, which is about to change or go. */
  forget(key: string, index?: number): void;
}

// The most bytes one read takes along besides the record asked for: a completion event reading
// 200 small bodies one after another makes 4 read transactions, not 200; a large body goes alone.
const aheadBytes = 1024 * 1024;

/**
 * Whether a record's body is whole and will not change: what a read-back reads.
 *
 * @example
 * finished({ response: head, bytes: 10, chunks: 1, result: 'success' }); // true
 * finished({ response: head, bytes: 10, chunks: 1, result: '' });        // false: still running
 */
export function finished(row: RecordRow): boolean {
  return row.result === 'success' || row.result === 'bad-status';
}

/**
 * Reads the body of a finished record together with those of the finished records that follow
 * it, up to about 1 MB more, in one `readonly` transaction, and keeps theirs until they are asked
 * for (or forgotten): a transaction costs much more than a request in it, and a read-back goes
 * through the records in order. A failed read fails each body it was reading.
 *
 * @example
 * const ahead = readAhead(store);
 * const buffers = await ahead.take('k1', known.get('k1'), 0); // records 1, 2, … are in memory now
 */
export function readAhead(store: UseStore): ReadAhead {
  const waiting = new Map<string, Map<number, Promise<ArrayBuffer[]>>>();
  return {
    take(key, entry, index) {
      const ofFetch = waiting.get(key) ?? new Map<number, Promise<ArrayBuffer[]>>();
      const found = ofFetch.get(index);
      if (found !== undefined) {
        ofFetch.delete(index);
        return found;
      }
      const along: number[] = [];
      let bytes = 0;
      for (let next = index + 1; next < entry.records.length; next++) {
        const row = entry.records[next];
        if (!finished(row) || ofFetch.has(next)) break;
        if (row.chunks === 0) continue;
        if (bytes + row.bytes > aheadBytes) break;
        along.push(next);
        bytes += row.bytes;
      }
      const read = store('readonly', (s) => Promise.all([index, ...along].map((record) => readChunks(s, key, record, 0, false))));
      if (along.length > 0) waiting.set(key, ofFetch);
      along.forEach((record, at) => {
        const body = read.then((bodies) => bodies[at + 1]);
        // Rejects for whoever takes it; one never taken is no unhandled rejection.
        body.catch(() => undefined);
        ofFetch.set(record, body);
      });
      return read.then((bodies) => bodies[0]);
    },
    forget(key, index) {
      if (index === undefined) waiting.delete(key);
      else waiting.get(key)?.delete(index);
    },
  };
}
