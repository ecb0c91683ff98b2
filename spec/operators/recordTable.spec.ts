import { RecordTable } from '../../operators/recordTable';
import type { RecordStatus } from '../../operators/types';

const status = (bytes: number): RecordStatus => ({ response: null, bytes, result: '', generation: 0 });
const statuses = (n: number) => Array.from({ length: n }, (_, i) => status(i));
const bytesOf = (table: RecordTable) => table.toArray().map((s) => s.bytes);

describe('RecordTable', () => {
  // Sizes around the node boundaries: a tree of nodes of 32, one level more at 33, 1,025 and 32,769.
  it.each([0, 1, 31, 32, 33, 1_023, 1_024, 1_025, 10_001, 32_768, 32_769])('holds %i statuses in order, by at(), iteration, toArray() and JSON', (n) => {
    const list = statuses(n);
    const table = RecordTable.from(list);
    expect(table.length).toBe(n);
    expect(list.every((s, i) => table.at(i) === s)).toBe(true);
    expect([...table]).toEqual(list);
    expect(table.toArray()).toEqual(list);
    expect(JSON.parse(JSON.stringify(table))).toEqual(list);
  });

  it('answers undefined outside the table, as an array does', () => {
    const table = RecordTable.from(statuses(3));
    expect([-1, 3, 1.5, Number.NaN].map((index) => table.at(index))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('does not keep the array it was made from', () => {
    const list = statuses(3);
    const table = RecordTable.from(list);
    list[0] = status(99);
    expect(table.at(0)?.bytes).toBe(0);
  });

  it('with() makes a new table and leaves every earlier one as it was, at every position of 10,001', () => {
    const n = 10_001;
    let table = RecordTable.from(statuses(n));
    const first = table;
    const kept: RecordTable[] = [];
    for (let index = 0; index < n; index += 97) {
      const next = table.with(index, status(-index - 1));
      kept.push(table);
      table = next;
    }
    expect(bytesOf(first)).toEqual(statuses(n).map((s) => s.bytes));
    // Table k has the first k replacements and none of the later ones.
    kept.forEach((earlier, k) => {
      for (let j = 0; j * 97 < n; j++) expect(earlier.at(j * 97)?.bytes).toBe(j < k ? -j * 97 - 1 : j * 97);
    });
    expect(table.at(n - 1)?.bytes).toBe(n - 1);
    expect(table.at(9_991)?.bytes).toBe(-9_992);
  });

  it('shares the statuses it did not replace', () => {
    const table = RecordTable.from(statuses(40));
    const next = table.with(5, status(-1));
    expect(next.at(4)).toBe(table.at(4));
    expect(next.at(39)).toBe(table.at(39));
    expect(next.at(5)).not.toBe(table.at(5));
  });

  it('refuses with() outside the table with a RangeError that gives the valid range', () => {
    const table = RecordTable.from(statuses(2));
    expect(() => table.with(2, status(0))).toThrow(new RangeError('RecordTable.with: no record 2 in a table of 2; pass an index from 0 to 1.'));
    expect(() => table.with(-1, status(0))).toThrow(RangeError);
  });

  it('map() gives a new table of the changed statuses with their indices', () => {
    const table = RecordTable.from(statuses(20));
    const doubled = table.map((s, index) => status(s.bytes * 2 + index));
    expect(bytesOf(doubled)).toEqual(statuses(20).map((_, i) => i * 3));
    expect(bytesOf(table)).toEqual(statuses(20).map((_, i) => i));
  });
});
