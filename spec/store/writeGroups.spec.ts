/**
 * How bodies reach the store (issue 15): the IndexedDB store gets the chunks that arrive while a
 * write is in flight written together, up to about 1 MB, every count only once its bytes are
 * stored; a body slower than the store is written chunk by chunk, with no wait for more; the
 * memory store gets one write at a time. No chunk is copied or split on the way. Not timed: the stores are slowed only
 * so that chunks pile up behind a write.
 */
import 'fake-indexeddb/auto';
import { BackgroundFetchManager, createMemoryStore, openIndexedDBStore, type BackgroundFetchRegistration, type BackgroundFetchStore } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { countingFetch, pause, slowedStore, transactionsDuring } from './support';

let server: TestServer;
let made = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const MB = 1024 * 1024;

/** Runs one fetch of `url` to its end; resolves with the body read back in the success event. */
async function download(
  store: BackgroundFetchStore,
  url: string,
  network: typeof fetch = fetch,
  watch?: (registration: BackgroundFetchRegistration) => void,
): Promise<Buffer> {
  const target = new BackgroundFetchManager({ store, scope: `joined-${++made}`, baseURL: server.url, fetch: network, progressInterval: 0 });
  const body = new Promise<Buffer>((resolve, reject) => {
    target.addEventListener('backgroundfetchfail', () => reject(new Error('backgroundfetchfail')));
    target.addEventListener('backgroundfetchsuccess', (raw) => {
      const event = raw as Event & { registration: BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
      event.waitUntil(
        (async () => {
          const [record] = await event.registration.matchAll();
          resolve(Buffer.from(await (await record.responseReady).arrayBuffer()));
        })().catch(reject),
      );
    });
  });
  const registration = await target.fetch('media', [url]);
  watch?.(registration);
  try {
    return await body;
  } finally {
    await target.close();
  }
}

const indexedDB = () => openIndexedDBStore({ database: `joined-${process.pid}-${++made}` });

test('IndexedDB: a body faster than the store is written in groups of about 1 MB at most, each counted once stored', async () => {
  const { store, groups, stored } = slowedStore(indexedDB());
  const network = countingFetch();
  const size = 8 * MB;
  const ahead: number[] = [];
  const body = await download(store, `/bytes?size=${size}&chunk=65536`, network.fetch, (registration) =>
    registration.state$.subscribe((state) => {
      if (state.downloaded > stored()) ahead.push(state.downloaded - stored());
    }),
  );
  expect(body.equals(bodyOf(size))).toBe(true);
  expect(ahead).toEqual([]);
  // Every chunk as it came (none copied or split), in groups made while the last one was landing.
  expect(groups.flat()).toEqual(network.chunks);
  expect(Math.max(...groups.map((group) => group.length))).toBeGreaterThan(1);
  const groupBytes = groups.map((group) => group.reduce((sum, bytes) => sum + bytes, 0));
  expect(Math.max(...groupBytes)).toBeLessThanOrEqual(MB + Math.max(...network.chunks));
});

test('IndexedDB: the writes of a group, made at once, are stored in the order made', async () => {
  // The bare store: no wrapper between the writes of a group and the store's own bookkeeping.
  const size = 16 * MB;
  const body = await download(indexedDB(), `/bytes?size=${size}&chunk=65536&seed=order`);
  expect(body.equals(bodyOf(size, 'order'))).toBe(true);
});

test('IndexedDB: a body slower than the store is stored and counted chunk by chunk, nothing waiting to be joined', async () => {
  const size = 48 * 1024;
  const counted: number[] = [];
  // Three 16 KB chunks 600 ms apart: each is counted before the next arrives.
  const body = await download(indexedDB(), `/bytes?size=${size}&chunk=16384&delay=600`, fetch, (registration) =>
    registration.state$.subscribe((state) => counted.push(state.downloaded)),
  );
  expect(body.equals(bodyOf(size))).toBe(true);
  expect([...new Set(counted)].filter((bytes) => bytes > 0)).toEqual([16384, 32768, 49152]);
});

test('memory: one write at a time, every chunk as it came, however slow the store', async () => {
  const { store, groups } = slowedStore(createMemoryStore());
  const network = countingFetch();
  const size = 2 * MB;
  const body = await download(store, `/bytes?size=${size}&chunk=65536`, network.fetch);
  expect(body.equals(bodyOf(size))).toBe(true);
  expect(groups).toEqual(network.chunks.map((bytes) => [bytes]));
});

describe('IndexedDB: a record whose body ended while its last write waited for its transaction', () => {
  const head = { url: 'http://test/small', status: 200, statusText: 'OK', headers: [] };
  const stored = (key: string) => ({
    key,
    scope: `ending-${key}`,
    id: key,
    requests: [{ url: 'http://test/small', method: 'GET', headers: [], body: null }],
    downloadTotal: 0,
    uploadTotal: 0,
    title: '',
    icons: [],
    created: Date.now(),
  });

  /** A new IndexedDB store holding fetch `key`, its one record begun. */
  async function begun(key: string) {
    const store = indexedDB();
    await store.create(stored(key));
    const sink = store.sink(key);
    await sink.begin(0, head, 0);
    return { store, sink };
  }

  test('is settled by that write: settling it then writes nothing more', async () => {
    const { store, sink } = await begun('joined');
    const count = await transactionsDuring('readwrite', async () => {
      const landed = sink.write(0, new Uint8Array(16));
      sink.ending!(0, 'success');
      await landed;
      await store.settleRecord('joined', 0, 'success');
    });
    expect(count).toBe(1);
    expect((await store.load('ending-joined'))[0].records).toEqual([{ response: head, bytes: 16, result: 'success' }]);
  });

  test('is settled by a write of its own when that write had begun already', async () => {
    const { store, sink } = await begun('apart');
    const count = await transactionsDuring('readwrite', async () => {
      const landed = sink.write(0, new Uint8Array(16));
      // The transaction starts at the end of the tick: past it, the write no longer gathers.
      await pause(0);
      sink.ending!(0, 'success');
      expect((await store.load('ending-apart'))[0].records[0].result).toBe('');
      await landed;
      await store.settleRecord('apart', 0, 'success');
    });
    expect(count).toBe(2);
    expect((await store.load('ending-apart'))[0].records).toEqual([{ response: head, bytes: 16, result: 'success' }]);
  });
});
