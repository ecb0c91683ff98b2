import type { RecordStatus } from './types';

/**
 * One status per record, by index, immutable and persistent: `with()` makes a new table that
 * shares everything but the one entry it replaces. The statuses sit in blocks of about √n, so a
 * step copies one block and the list of blocks (about 2√n references: 200 for 10,000 records),
 * not the whole table, and a tally already emitted still reads as it was.
 *
 * @example
 * const next = table.with(3, { ...table.at(3)!, bytes: 10 });
 * next.at(3)!.bytes; // 10, while table.at(3) is as it was
 */
export class RecordTable implements Iterable<RecordStatus> {
  /** How many records the table holds. */
  readonly length: number;
  readonly #blocks: readonly (readonly RecordStatus[])[];
  readonly #size: number;

  private constructor(blocks: readonly (readonly RecordStatus[])[], size: number, length: number) {
    this.#blocks = blocks;
    this.#size = size;
    this.length = length;
  }

  /**
   * A table of `statuses`, in order (the array is copied, not kept).
   *
   * @example
   * const table = RecordTable.from([freshRecord, freshRecord]);
   * table.length; // 2
   */
  static from(statuses: readonly RecordStatus[]): RecordTable {
    const size = Math.max(16, Math.ceil(Math.sqrt(statuses.length)));
    const blocks: RecordStatus[][] = [];
    for (let start = 0; start < statuses.length; start += size) blocks.push(statuses.slice(start, start + size));
    return new RecordTable(blocks, size, statuses.length);
  }

  /**
   * The status of record `index`, or `undefined` when there is no such record.
   *
   * @example
   * table.at(0)?.bytes; // 0 for a fresh record
   * table.at(table.length); // undefined
   */
  at(index: number): RecordStatus | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    const block = Math.floor(index / this.#size);
    return this.#blocks[block][index - block * this.#size];
  }

  /**
   * A copy of this table with entry `index` replaced; this table is left as it was.
   *
   * @example
   * const next = table.with(0, { ...table.at(0)!, result: 'success' });
   * next !== table; // true
   */
  with(index: number, status: RecordStatus): RecordTable {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`RecordTable.with: no record ${index} in a table of ${this.length}; pass an index from 0 to ${this.length - 1}.`);
    }
    const block = Math.floor(index / this.#size);
    const entries = this.#blocks[block].slice();
    entries[index - block * this.#size] = status;
    const blocks = this.#blocks.slice();
    blocks[block] = entries;
    return new RecordTable(blocks, this.#size, this.length);
  }

  /**
   * A table of `change(status, index)` for every entry (the whole table is built anew).
   *
   * @example
   * const ended = table.map((status) => (status.result === '' ? { ...status, result: 'aborted' } : status));
   * ended.length === table.length; // true
   */
  map(change: (status: RecordStatus, index: number) => RecordStatus): RecordTable {
    return RecordTable.from(this.toArray().map(change));
  }

  /**
   * The statuses as a new array, in record order.
   *
   * @example
   * table.toArray().filter((status) => status.result === 'success').length; // records done
   * JSON.stringify(table); // the same array, through toJSON()
   */
  toArray(): RecordStatus[] {
    return this.#blocks.flat();
  }

  /** The statuses as an array, for `JSON.stringify`. */
  toJSON(): RecordStatus[] {
    return this.toArray();
  }

  /** The statuses in record order. */
  *[Symbol.iterator](): Iterator<RecordStatus> {
    for (const block of this.#blocks) yield* block;
  }
}
