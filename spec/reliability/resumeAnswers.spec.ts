/**
 * What a resume may trust (found by exploratory testing against the loopback server). A record
 * continues its stored bytes only when the server can prove the answer is of the same version
 * (a strong ETag or Last-Modified for If-Range), stores no byte a part's Content-Range does not
 * name, and takes a 416 that says the stored bytes are the whole resource for the end it is.
 * Each case reads the body back in the completion event and compares it byte for byte, on
 * IndexedDB (fake-indexeddb) and in memory.
 */
import 'fake-indexeddb/auto';
import { filter, firstValueFrom } from 'rxjs';
import { BackgroundFetchManager, createMemoryStore, openIndexedDBStore, type BackgroundFetchRegistration, type BackgroundFetchStore } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let made = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const stores = ['indexeddb', 'memory'] as const;

/** A fresh store (one object, which a second manager shares, as a page's next load shares IndexedDB) and scope. */
function fresh(kind: (typeof stores)[number]): { store: BackgroundFetchStore; scope: string } {
  made++;
  return { store: kind === 'memory' ? createMemoryStore() : openIndexedDBStore({ database: `resume-answers-${process.pid}-${made}` }), scope: `resume-answers-${made}` };
}

function manager(store: BackgroundFetchStore, scope: string): BackgroundFetchManager {
  return new BackgroundFetchManager({ store, scope, baseURL: server.url, progressInterval: 0, retry: { limit: 3, delay: () => 5 } });
}

/** The completion event's type, the fetch's state then, and the body read back in it. */
function completion(target: BackgroundFetchManager): Promise<{ type: string; failureReason: string; downloaded: number; body: Buffer | string }> {
  return new Promise((resolve, reject) => {
    for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort']) {
      target.addEventListener(type, (raw) => {
        const event = raw as Event & { registration: BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
        const { failureReason, downloaded } = event.registration;
        event.waitUntil(
          (async () => {
            const [record] = await event.registration.matchAll();
            const body = await record.responseReady.then(async (response) => Buffer.from(await response.arrayBuffer())).catch((error: Error) => error.name);
            resolve({ type, failureReason, downloaded, body });
          })().catch(reject),
        );
      });
    }
  });
}

describe.each(stores)('%s store', (kind) => {
  test('a resource with no validator that changes after a break is fetched again whole, not joined', async () => {
    const { store, scope } = fresh(kind);
    const target = manager(store, scope);
    const size = 100_000;
    try {
      const done = completion(target);
      await target.fetch('media', [`/changing?size=${size}&after=40000&validators=0&chunk=8192`]);
      const { type, body, downloaded } = await done;
      expect(type).toBe('backgroundfetchsuccess');
      // The second answer is version 2, sent whole: nothing of version 1 is kept in front of it.
      expect(Buffer.isBuffer(body) && body.equals(bodyOf(size, 'v2'))).toBe(true);
      expect(downloaded).toBe(size);
      const asked = server.requests.filter((request) => request.path === '/changing');
      expect(asked.map((request) => request.range)).toEqual([undefined, undefined]);
    } finally {
      await target.close();
    }
  });

  test('bytes a 206 sends past its own Content-Range are not stored', async () => {
    const { store, scope } = fresh(kind);
    const target = manager(store, scope);
    const size = 200_000;
    try {
      const done = completion(target);
      // The first answer breaks off at 70,000; the resume's 206 names 70000-199999 and sends 13 bytes more.
      await target.fetch('media', [`/bad-range?size=${size}&mode=trailing-junk&after=70000&chunk=8192`]);
      const { type, body, downloaded } = await done;
      expect(type).toBe('backgroundfetchsuccess');
      expect(Buffer.isBuffer(body) && body.equals(bodyOf(size))).toBe(true);
      expect(downloaded).toBe(size);
      expect(server.requests.map((request) => request.range)).toEqual([undefined, 'bytes=70000-']);
    } finally {
      await target.close();
    }
  });

  test('a chunked body stored whole but cut off before its end: the resume gets a 416 for exactly that length, and the record succeeds', async () => {
    const { store, scope } = fresh(kind);
    const size = 50_000;
    const url = `/bytes?size=${size}&chunked=1&holdEnd=1&chunk=10000&seed=held`;
    const first = manager(store, scope);
    let second: BackgroundFetchManager | undefined;
    try {
      const registration = await first.fetch('media', [url]);
      await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded === size)));
      await first.close();
      second = manager(store, scope);
      const done = completion(second);
      await second.get('media');
      const { type, body, downloaded } = await done;
      expect(type).toBe('backgroundfetchsuccess');
      expect(Buffer.isBuffer(body) && body.equals(bodyOf(size, 'held'))).toBe(true);
      expect(downloaded).toBe(size);
      expect(server.requests.map((request) => request.range)).toEqual([undefined, `bytes=${size}-`]);
    } finally {
      await first.close();
      await second?.close();
    }
  });
});
