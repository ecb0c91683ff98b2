/**
 * The write-behind of one body: what it holds and has in flight is what `unstored` says, the
 * figure `fetchRecords` bounds landing records by, and a group is reported only once it landed.
 */
import type { BodySink } from '../../operators/types';
import { writeBehind } from '../../operators/writeBehind';

/** A sink whose writes land when the test says: `land()` resolves every write made so far. */
function heldSink(writeSize: number) {
  const pending: Array<() => void> = [];
  const written: number[] = [];
  const sink: BodySink = {
    writeSize,
    resumePoint: async () => ({ offset: 0, response: null }),
    begin: async () => undefined,
    write: (_index, chunk) =>
      new Promise<void>((resolve) => {
        written.push(chunk.byteLength);
        pending.push(resolve);
      }),
  };
  const land = async () => {
    pending.splice(0).forEach((resolve) => resolve());
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
  };
  return { sink, written, land };
}

test('unstored counts the bytes held and in flight, down to 0 once every group has landed', async () => {
  const { sink, written, land } = heldSink(1024);
  const stored: number[] = [];
  const writes = writeBehind(sink, 0, (bytes) => stored.push(bytes));
  expect(writes.unstored).toBe(0);
  writes.add(new Uint8Array(10));
  writes.add(new Uint8Array(5));
  writes.add(new Uint8Array(7));
  // The first chunk is in flight; the next two are held for the group after it.
  expect(written).toEqual([10]);
  expect(writes.unstored).toBe(22);
  await land();
  expect(stored).toEqual([10]);
  expect(written).toEqual([10, 5, 7]);
  expect(writes.unstored).toBe(12);
  await land();
  expect(stored).toEqual([10, 12]);
  expect(writes.unstored).toBe(0);
});

test('a dropped write-behind holds nothing, and what was in flight is not reported when it lands', async () => {
  const { sink, land } = heldSink(1024);
  const stored: number[] = [];
  const writes = writeBehind(sink, 0, (bytes) => stored.push(bytes));
  writes.add(new Uint8Array(10));
  writes.add(new Uint8Array(5));
  writes.drop();
  expect(writes.unstored).toBe(10);
  await land();
  expect(writes.unstored).toBe(0);
  expect(stored).toEqual([]);
});
