/**
 * The IndexedDB store reads a finished record's body with those of the finished records after it
 * (up to about 1 MB more) in one transaction (issue 15): a read-back of many small bodies costs a
 * few read transactions, not one per body, and what was read ahead is never served stale.
 */
import 'fake-indexeddb/auto';
import { openIndexedDBStore, type BackgroundFetchStore, type StoredFetch } from '../../src';
import { transactionsDuring } from './support';

let made = 0;
const head = { url: 'http://x/', status: 200, statusText: 'OK', headers: [] };
const bodyOf = (index: number, size: number) => new Uint8Array(size).fill(index % 251);

/** A stored fetch of `count` records, each written as `chunks` chunks of `size` bytes and settled. */
async function storedFetch(count: number, size: number, chunks = 1): Promise<{ store: BackgroundFetchStore; key: string }> {
  const store = openIndexedDBStore({ database: `read-ahead-${process.pid}-${++made}` });
  const key = `k${made}`;
  const requests = Array.from({ length: count }, (_, index) => ({ url: `http://x/${index}`, method: 'GET', headers: [], body: null }));
  const fetch: StoredFetch = { key, scope: 'read-ahead', id: key, requests, downloadTotal: 0, uploadTotal: 0, title: '', icons: [], created: Date.now() };
  await store.create(fetch);
  const sink = store.sink(key);
  for (let index = 0; index < count; index++) {
    await sink.begin(index, head, 0);
    for (let chunk = 0; chunk < chunks; chunk++) await sink.write(index, bodyOf(index, size));
    await store.settleRecord(key, index, 'success');
  }
  return { store, key };
}

const bytesOf = (chunks: Uint8Array[]) => Buffer.concat(chunks);

test('200 small finished bodies read back in order take 4 read transactions, each body whole', async () => {
  const { store, key } = await storedFetch(200, 16 * 1024);
  const bodies: Buffer[] = [];
  const reads = await transactionsDuring('readonly', async () => {
    for (let index = 0; index < 200; index++) bodies.push(bytesOf(await store.readChunks(key, index, 0)));
  });
  expect(reads).toBe(4);
  bodies.forEach((body, index) => expect(body.equals(Buffer.from(bodyOf(index, 16 * 1024)))).toBe(true));
});

test('bodies read all at once share the reads too', async () => {
  const { store, key } = await storedFetch(20, 4096);
  let bodies: Buffer[] = [];
  const reads = await transactionsDuring('readonly', async () => {
    bodies = (await Promise.all(Array.from({ length: 20 }, (_, index) => store.readChunks(key, index, 0)))).map(bytesOf);
  });
  expect(reads).toBe(1);
  bodies.forEach((body, index) => expect(body.equals(Buffer.from(bodyOf(index, 4096)))).toBe(true));
});

test('a body larger than the read-ahead goes alone; a read from a later chunk is not read ahead', async () => {
  const { store, key } = await storedFetch(3, 512 * 1024, 3);
  const reads = await transactionsDuring('readonly', async () => {
    for (let index = 0; index < 3; index++) expect((await store.readChunks(key, index, 0)).length).toBe(3);
    expect((await store.readChunks(key, 0, 2)).length).toBe(1);
  });
  expect(reads).toBe(4);
});

test('what was read ahead is dropped with its fetch: reading it after remove() rejects', async () => {
  const { store, key } = await storedFetch(3, 1024);
  await store.readChunks(key, 0, 0);
  await store.remove(key);
  await expect(store.readChunks(key, 1, 0)).rejects.toThrow(TypeError);
});

test('a record begun again after its body was read ahead is read afresh', async () => {
  const { store, key } = await storedFetch(2, 1024);
  await store.readChunks(key, 0, 0);
  const sink = store.sink(key);
  await sink.begin(1, head, 0);
  await sink.write(1, bodyOf(7, 10));
  await store.settleRecord(key, 1, 'success');
  expect(bytesOf(await store.readChunks(key, 1, 0)).equals(Buffer.from(bodyOf(7, 10)))).toBe(true);
});
