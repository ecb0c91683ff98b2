/**
 * Both stores read a record's body a few chunks at a time when asked (`count`), so a body stream
 * never has a large body in memory whole; and a record's body streamed through a manager comes
 * out byte for byte with no store read of more than 16 chunks.
 */
import 'fake-indexeddb/auto';
import { BackgroundFetchManager, createMemoryStore, type BackgroundFetchUpdateUIEvent, openIndexedDBStore, type BackgroundFetchStore, type StoredFetch } from '../../src';
import { bodyOf as servedBody, startTestServer, type TestServer } from '../helpers/testServer';

const head = { url: 'http://x/', status: 200, statusText: 'OK', headers: [] };
const chunkOf = (n: number) => new Uint8Array(100).fill(n % 251);

const stores: Array<[string, () => BackgroundFetchStore]> = [
  ['memory', () => createMemoryStore()],
  ['indexeddb', () => openIndexedDBStore({ database: `read-chunks-${process.pid}-${Math.random()}` })],
];

describe.each(stores)('the %s store', (_name, open) => {
  it('gives at most `count` chunks from `from` on, in order, and all of them without `count`', async () => {
    const store = open();
    const fetch: StoredFetch = { key: 'k', scope: 'read-chunks', id: 'k', requests: [{ url: 'http://x/', method: 'GET', headers: [], body: null }], downloadTotal: 0, uploadTotal: 0, title: '', icons: [], created: Date.now() };
    await store.create(fetch);
    const sink = store.sink('k');
    await sink.begin(0, head, 0);
    for (let n = 0; n < 40; n++) await sink.write(0, chunkOf(n));
    await store.settleRecord('k', 0, 'success');
    const firsts = (chunks: Uint8Array[]) => chunks.map((chunk) => chunk[0]);
    expect(firsts(await store.readChunks('k', 0, 0, 16))).toEqual(Array.from({ length: 16 }, (_, n) => n));
    expect(firsts(await store.readChunks('k', 0, 32, 16))).toEqual(Array.from({ length: 8 }, (_, n) => 32 + n));
    expect(await store.readChunks('k', 0, 40, 16)).toEqual([]);
    expect(await store.readChunks('k', 0, 0)).toHaveLength(40);
    await store.remove('k');
  });
});

describe('a record body read as a stream', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it.each(stores)('comes from the %s store byte for byte, 16 chunks a read at most', async (name, open) => {
    const base = open();
    const asked: Array<number | undefined> = [];
    const got: number[] = [];
    const store: BackgroundFetchStore = {
      ...base,
      async readChunks(key, index, from, count) {
        asked.push(count);
        const chunks = await base.readChunks(key, index, from, count);
        got.push(chunks.length);
        return chunks;
      },
    };
    const manager = new BackgroundFetchManager({ store, scope: `stream-${name}-${process.pid}`, baseURL: server.url });
    try {
      const size = 8 * 1024 * 1024;
      const streamed = new Promise<Buffer>((resolve, reject) => {
        manager.addEventListener('backgroundfetchsuccess', (raw: Event) => {
          const event = raw as BackgroundFetchUpdateUIEvent;
          event.waitUntil(
            (async () => {
              const [record] = await event.registration.matchAll();
              const reader = (await record.responseReady).body!.getReader();
              const parts: Uint8Array[] = [];
              for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value);
              resolve(Buffer.concat(parts));
            })().catch(reject),
          );
        });
      });
      await manager.fetch('big', [`/bytes?size=${size}`]);
      expect((await streamed).equals(servedBody(size))).toBe(true);
      expect(got.length).toBeGreaterThan(1);
      expect(asked.every((count) => count === 16)).toBe(true);
      expect(Math.max(...got)).toBeLessThanOrEqual(16);
    } finally {
      await manager.close();
    }
  });
});
