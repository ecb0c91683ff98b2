/**
 * The IndexedDB store's write queue: one `readwrite` transaction at a time, carrying every write
 * queued while the last one ran; all or nothing per transaction (fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { writeQueue } from '../../src/store/writeQueue';

let made = 0;
const freshStore = (): UseStore => createStore(`write-queue-${process.pid}-${++made}`, 'fetches');
const read = (store: UseStore, key: string) => store('readonly', (s) => promisifyRequest(s.get(key)));

test('writes made in one tick share one transaction and resolve once it has committed', async () => {
  const store = freshStore();
  const queue = writeQueue(store);
  const transactions = new Set<IDBTransaction>();
  const writes = ['a', 'b', 'c'].map((key) =>
    queue.write((s) => {
      transactions.add(s.transaction);
      s.put(`value ${key}`, key);
    }),
  );
  await Promise.all(writes);
  expect(transactions.size).toBe(1);
  expect(await read(store, 'c')).toBe('value c');
});

test('writes queued while a transaction runs all go into the next one, in the order queued', async () => {
  const store = freshStore();
  const queue = writeQueue(store);
  const seen: Array<[string, IDBTransaction]> = [];
  const later: Promise<void>[] = [];
  const put = (value: number) => () =>
    queue.write((s) => {
      seen.push([`put ${value}`, s.transaction]);
      s.put(value, 'n');
    });
  const first = queue.write((s) => {
    seen.push(['first', s.transaction]);
    s.put(1, 'n');
    // Queued while this transaction runs, in this tick and the next ones.
    later.push(put(2)());
    queueMicrotask(() => later.push(put(3)()));
    s.get('n').onsuccess = () => later.push(put(4)());
  });
  await first;
  await Promise.all(later);
  expect(seen.map(([name]) => name)).toEqual(['first', 'put 2', 'put 3', 'put 4']);
  expect(new Set(seen.map(([, transaction]) => transaction)).size).toBe(2);
  expect(await read(store, 'n')).toBe(4);
});

test('a write that cannot be stored fails its whole transaction, and the next one still commits', async () => {
  const store = freshStore();
  const queue = writeQueue(store);
  const good = queue.write((s) => s.put('kept?', 'x'));
  const bad = queue.write((s) => s.put(() => 'a function cannot be cloned', 'y'));
  await expect(bad).rejects.toMatchObject({ name: 'DataCloneError' });
  await expect(good).rejects.toMatchObject({ name: 'DataCloneError' });
  expect(await read(store, 'x')).toBeUndefined();
  await queue.write((s) => s.put('after', 'z'));
  expect(await read(store, 'z')).toBe('after');
});

test('settled() waits for every write queued so far, failed ones included', async () => {
  const store = freshStore();
  const queue = writeQueue(store);
  const order: string[] = [];
  void queue.write((s) => s.put(1, 'a')).then(() => order.push('a'));
  await new Promise((resolve) => setTimeout(resolve, 0)); // so that the next write is a transaction of its own
  void queue.write((s) => s.put(() => 0, 'b')).catch(() => order.push('b failed'));
  await queue.settled();
  order.push('settled');
  expect(order).toEqual(['a', 'b failed', 'settled']);
  await expect(queue.settled()).resolves.toBeUndefined();
});

test('gathers() says whether a final of that id waits for the transaction to come, until that transaction begins', async () => {
  const queue = writeQueue(freshStore());
  const final = (value: string) => ({ id: 'row', work: (s: IDBObjectStore) => void s.put(value, 'row') });
  expect(queue.gathers('row')).toBe(false);
  const first = queue.write(undefined, final('one'));
  expect(queue.gathers('row')).toBe(true);
  expect(queue.gathers('other')).toBe(false);
  await Promise.resolve();
  // The transaction began at the end of the tick: a write now waits for the next one.
  expect(queue.gathers('row')).toBe(false);
  await first;
});
