import type { RecordStatus } from './types';

// A node of the table: 32 statuses (a leaf) or 32 nodes. Index bits pick the path: 5 per level.
type TableNode = readonly unknown[];
const bits = 5;
const width = 1 << bits;
const mask = width - 1;

/**
 * One status per record, by index, immutable and persistent: `with()` makes a new table that
 * shares everything but the one entry it replaces. The statuses sit in a tree of nodes of 32
 * (the layout of Clojure's persistent vector), so a step copies one node per level (3 for
 * 10,000 records: under 100 references), not the whole table, and a tally already emitted still
 * reads as it was.
 *
 * @example
 * const next = table.with(3, { ...table.at(3)!, bytes: 10 });
 * next.at(3)!.bytes; // 10, while table.at(3) is as it was
 */
export class RecordTable implements Iterable<RecordStatus> {
  /** How many records the table holds. */
  readonly length: number;
  readonly #root: TableNode;
  // The index bits above the root's own: 0 when the root is a leaf.
  readonly #shift: number;

  private constructor(root: TableNode, shift: number, length: number) {
    this.#root = root;
    this.#shift = shift;
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
    let level: TableNode[] = nodesOf(statuses);
    let shift = 0;
    while (level.length > 1) {
      level = nodesOf(level);
      shift += bits;
    }
    return new RecordTable(level[0] ?? [], shift, statuses.length);
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
    let node = this.#root;
    for (let shift = this.#shift; shift > 0; shift -= bits) node = node[(index >>> shift) & mask] as TableNode;
    return node[index & mask] as RecordStatus;
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
    return new RecordTable(replaced(this.#root, this.#shift, index, status), this.#shift, this.length);
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
    const statuses: RecordStatus[] = [];
    pushLeaves(this.#root, this.#shift, statuses);
    return statuses;
  }

  /** The statuses as an array, for `JSON.stringify`. */
  toJSON(): RecordStatus[] {
    return this.toArray();
  }

  /** The statuses in record order. */
  [Symbol.iterator](): Iterator<RecordStatus> {
    return this.toArray()[Symbol.iterator]();
  }
}

/** `entries` in nodes of 32, in order. */
function nodesOf(entries: readonly unknown[]): TableNode[] {
  const nodes: TableNode[] = [];
  for (let start = 0; start < entries.length; start += width) nodes.push(entries.slice(start, start + width));
  return nodes;
}

/** A copy of the path from `node` down to entry `index`, with that entry replaced. */
function replaced(node: TableNode, shift: number, index: number, status: RecordStatus): TableNode {
  const copy = node.slice();
  const at = (index >>> shift) & mask;
  copy[at] = shift === 0 ? status : replaced(node[at] as TableNode, shift - bits, index, status);
  return copy;
}

/** Appends the statuses under `node` to `statuses`, in order. */
function pushLeaves(node: TableNode, shift: number, statuses: RecordStatus[]): void {
  if (shift === 0) statuses.push(...(node as readonly RecordStatus[]));
  else for (const child of node) pushLeaves(child as TableNode, shift - bits, statuses);
}
