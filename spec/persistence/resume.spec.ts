import 'fake-indexeddb/auto';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, openIndexedDBStore, type BackgroundFetchRegistration, type BackgroundFetchStore } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let scopes = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** A fresh IndexedDB store (its own database) and scope per test. */
function fresh(): { store: BackgroundFetchStore; scope: string } {
  scopes++;
  return { store: openIndexedDBStore({ database: `resume-${scopes}` }), scope: `scope-${scopes}` };
}

/** Resolves with the bodies read inside the completion event, and the event's type. */
function completion(manager: BackgroundFetchManager): Promise<{ type: string; bodies: (Buffer | string)[] }> {
  return new Promise((resolve) => {
    for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort']) {
      manager.addEventListener(type, (event) => {
        const { registration } = event as unknown as { registration: BackgroundFetchRegistration };
        (event as unknown as { waitUntil(p: Promise<unknown>): void }).waitUntil(
          (async () => {
            const bodies = await Promise.all(
              (await registration.matchAll()).map((record) =>
                record.responseReady
                  .then(async (response) => Buffer.from(await response.arrayBuffer()))
                  .catch((error: Error) => error.name),
              ),
            );
            resolve({ type, bodies });
          })(),
        );
      });
    }
  });
}

/** Every downloaded value the registration reports from now on. */
function track(registration: BackgroundFetchRegistration): number[] {
  const seen: number[] = [];
  registration.state$.subscribe((state) => seen.push(state.downloaded));
  return seen;
}

async function startAndClose(store: BackgroundFetchStore, scope: string, url: string, over: number): Promise<number[]> {
  const first = new BackgroundFetchManager({ store, scope, baseURL: server.url });
  const registration = await first.fetch('media', [url]);
  const seen = track(registration);
  await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded > over)));
  await first.close();
  return seen;
}

describe('resume after close()', () => {
  test('a multi-megabyte download continues with Range from the bytes stored, byte-identical', async () => {
    const { store, scope } = fresh();
    const size = 4 * 1024 * 1024;
    const url = `/bytes?size=${size}&chunk=65536&delay=5`;
    const before = await startAndClose(store, scope, url, size / 4);
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(second);
    const registration = await second.get('media');
    expect(registration).toBeDefined();
    const after = track(registration!);
    const { type, bodies } = await done;
    await lastValueFrom(registration!.state$);
    expect(type).toBe('backgroundfetchsuccess');
    expect((bodies[0] as Buffer).equals(bodyOf(size))).toBe(true);
    expect(Math.max(...before, ...after)).toBe(size);
    expect(registration!.downloaded).toBe(size);
    const ranged = server.requests.filter((request) => request.range !== undefined);
    expect(ranged).toHaveLength(1);
    const from = Number(/^bytes=(\d+)-$/.exec(ranged[0].range!)![1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThan(size);
    expect(ranged[0].headers['if-range']).toBe(`"-${size}"`);
    expect(await store.load(scope)).toEqual([]);
    await second.close();
  });

  test('a 200 answer to the Range request restarts the record; its old bytes are not counted twice', async () => {
    const { store, scope } = fresh();
    const size = 2 * 1024 * 1024;
    const url = `/bytes?size=${size}&chunk=65536&delay=5&ranges=0`;
    const before = await startAndClose(store, scope, url, size / 4);
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(second);
    const after = track((await second.get('media'))!);
    const { type, bodies } = await done;
    expect(type).toBe('backgroundfetchsuccess');
    expect((bodies[0] as Buffer).equals(bodyOf(size))).toBe(true);
    expect(Math.max(...before, ...after)).toBe(size);
    expect(server.requests.filter((request) => request.range !== undefined)).toHaveLength(1);
    await second.close();
  });

  test('a changed resource (new ETag) is fetched whole again: If-Range gets a full 200 of the new content', async () => {
    const { store, scope } = fresh();
    const size = 2 * 1024 * 1024;
    // /changing drops its first answer after `after` bytes; close before that, resume after.
    const url = `/changing?size=${size}&after=${size - 1}&chunk=65536&delay=5`;
    await startAndClose(store, scope, url, size / 8);
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(second);
    const { type, bodies } = await done;
    expect(type).toBe('backgroundfetchsuccess');
    expect((bodies[0] as Buffer).equals(bodyOf(size, 'v2'))).toBe(true);
    const resumed = server.requests.find((request) => request.range !== undefined);
    expect(resumed?.headers['if-range']).toBe('"v1"');
    await second.close();
  });

  test('an invalid partial response (garbage Content-Range) fails the record with fetch-error', async () => {
    const { store, scope } = fresh();
    const size = 2 * 1024 * 1024;
    await startAndClose(store, scope, `/bad-range?size=${size}&mode=garbage&chunk=65536&delay=5`, size / 8);
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(second);
    const registration = await second.get('media');
    const { type, bodies } = await done;
    await lastValueFrom(registration!.state$);
    expect(type).toBe('backgroundfetchfail');
    expect(bodies).toEqual(['TypeError']);
    expect(await store.load(scope)).toEqual([]);
    await second.close();
  });

  test('a POST is never resumed: it restarts whole after close()', async () => {
    const { store, scope } = fresh();
    const first = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const registration = await first.fetch('upload', [new Request(`${server.url}/slow?delay=300&size=10`, { method: 'POST', body: 'payload' })]);
    expect(registration.uploadTotal).toBe(7);
    await first.close();
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const { type } = await completion(second);
    expect(type).toBe('backgroundfetchsuccess');
    const posts = server.requests.filter((request) => request.method === 'POST');
    expect(posts.every((request) => request.range === undefined && request.body.toString() === 'payload')).toBe(true);
    await second.close();
  });

  test('getIds() of a new manager lists the unfinished fetches (WK-06)', async () => {
    const { store, scope } = fresh();
    const first = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    await first.fetch('a', ['/slow?delay=5000']);
    await first.fetch('b', ['/slow?delay=5000']);
    await first.close();
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    expect(await second.getIds()).toEqual(['a', 'b']);
    expect(await (await second.get('a'))!.abort()).toBe(true);
    expect(await (await second.get('b'))!.abort()).toBe(true);
    expect(await second.getIds()).toEqual([]);
    await second.close();
  });
});

describe('records with a Range of their own (issue 11 §9)', () => {
  const ranged = (url: string, range: string) => new Request(`${server.url}${url}`, { headers: { Range: range } });

  test('records splitting a file by Range each hold exactly their bytes; downloaded is the file size', async () => {
    const { store, scope } = fresh();
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(manager);
    const url = '/bytes?size=250000&seed=split';
    const registration = await manager.fetch('split', [ranged(url, 'bytes=0-99999'), ranged(url, 'bytes=100000-199999'), ranged(url, 'bytes=200000-')]);
    const { type, bodies } = await done;
    await lastValueFrom(registration.state$);
    expect(type).toBe('backgroundfetchsuccess');
    const file = bodyOf(250000, 'split');
    expect(bodies.map((body) => (body as Buffer).length)).toEqual([100000, 100000, 50000]);
    expect(Buffer.concat(bodies as Buffer[]).equals(file)).toBe(true);
    expect(registration.downloaded).toBe(250000);
    expect(server.requests.map((request) => request.range)).toEqual(['bytes=0-99999', 'bytes=100000-199999', 'bytes=200000-']);
    await manager.close();
  });

  test('close() during a ranged record: the next manager resumes inside the range, byte-exact, counted once', async () => {
    const { store, scope } = fresh();
    const size = 4 * 1024 * 1024;
    const [first, last] = [1024 * 1024, 3 * 1024 * 1024 - 1];
    const starting = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const registration = await starting.fetch('part', [ranged(`/bytes?size=${size}&chunk=65536&delay=5`, `bytes=${first}-${last}`)]);
    const before = track(registration);
    await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded > 256 * 1024)));
    await starting.close();
    const second = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const done = completion(second);
    const resumed = await second.get('part');
    const after = track(resumed!);
    const { type, bodies } = await done;
    await lastValueFrom(resumed!.state$);
    expect(type).toBe('backgroundfetchsuccess');
    expect((bodies[0] as Buffer).equals(bodyOf(size).subarray(first, last + 1))).toBe(true);
    expect(Math.max(...before, ...after)).toBe(last + 1 - first);
    const ranges = server.requests.map((request) => request.range);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBe(`bytes=${first}-${last}`);
    const from = Number(/^bytes=(\d+)-(\d+)$/.exec(ranges[1]!)?.[1]);
    expect(from).toBeGreaterThan(first);
    expect(from).toBeLessThan(last);
    expect(ranges[1]).toBe(`bytes=${from}-${last}`);
    expect(server.requests[1].headers['if-range']).toBe(`"-${size}"`);
    expect(await store.load(scope)).toEqual([]);
    await second.close();
  });
});

describe('mid-body failures', () => {
  test('a connection reset mid-body is resumed with Range within the retry limit', async () => {
    const { store, scope } = fresh();
    const size = 1024 * 1024;
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url, retry: { limit: 3, delay: () => 10 } });
    const done = completion(manager);
    // Paced chunks, so the client holds bytes when the server drops the connection.
    await manager.fetch('reset', [`/reset?size=${size}&after=300000&times=2&chunk=16384&delay=2`]);
    const { type, bodies } = await done;
    expect(type).toBe('backgroundfetchsuccess');
    expect((bodies[0] as Buffer).equals(bodyOf(size))).toBe(true);
    // A reset loses what was still in flight, so each resume starts at or before what was sent.
    const ranges = server.requests.map((request) => request.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]).toBeUndefined();
    const starts = ranges.slice(1).map((range) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? 0));
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[0]).toBeLessThanOrEqual(300_000);
    expect(starts[1]).toBeGreaterThan(starts[0]);
    expect(starts[1]).toBeLessThanOrEqual(starts[0] + 300_000);
    await manager.close();
  });

  test('beyond the network patience, never getting further, the record fails with fetch-error and its bytes stop counting', async () => {
    const { store, scope } = fresh();
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url, retry: { limit: 1, delay: () => 10 }, patience: 200 });
    const done = completion(manager);
    const registration = await manager.fetch('reset', [`/reset?size=100000&after=1000&times=999&ranges=0`, '/feature-name.txt']);
    const { type, bodies } = await done;
    expect(type).toBe('backgroundfetchfail');
    expect(registration.failureReason).toBe('fetch-error');
    expect(registration.downloaded).toBe(16);
    expect(bodies[0]).toBe('TypeError');
    expect(String(bodies[1])).toBe('Background Fetch');
    expect(server.requests.filter((request) => request.path === '/reset').length).toBeGreaterThanOrEqual(2);
    await manager.close();
  });
});

describe('quota', () => {
  test('downloadTotal above the free quota rejects QuotaExceededError and stores nothing', async () => {
    const { store, scope } = fresh();
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url, quota: async () => ({ usage: 500, quota: 1500 }) });
    await expect(manager.fetch('big', ['/feature-name.txt'], { downloadTotal: 1001 })).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(await manager.getIds()).toEqual([]);
    expect(await store.load(scope)).toEqual([]);
    await manager.close();
  });

  test('running out while storing ends the fetch with quota-exceeded and stops the other requests', async () => {
    const { store, scope } = fresh();
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url, quota: async () => ({ usage: 0, quota: 200_000 }) });
    const done = completion(manager);
    const registration = await manager.fetch('full', ['/bytes?size=1000000&chunk=16384&delay=2', '/hang']);
    const { type } = await done;
    expect(type).toBe('backgroundfetchfail');
    expect(registration.failureReason).toBe('quota-exceeded');
    expect(registration.downloaded).toBeLessThanOrEqual(200_000);
    await manager.close();
    // The server hears of the closed connections a moment later.
    for (let waited = 0; server.inFlight > 0 && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.inFlight).toBe(0);
  });
});

describe('the store', () => {
  test('holds nothing of a fetch once its completion event has been handled, aborted or failed', async () => {
    const { store, scope } = fresh();
    const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    const ok = await manager.fetch('ok', ['/feature-name.txt']);
    const bad = await manager.fetch('bad', ['/status/404']);
    const aborted = await manager.fetch('aborted', ['/hang']);
    await aborted.abort();
    await Promise.all([ok, bad, aborted].map((registration) => lastValueFrom(registration.state$)));
    expect([ok.result, bad.failureReason, aborted.failureReason]).toEqual(['success', 'bad-status', 'aborted']);
    expect(await store.load(scope)).toEqual([]);
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const open = indexedDB.open(`resume-${scopes}`);
      open.onsuccess = () => {
        const request = open.result.transaction('fetches').objectStore('fetches').getAllKeys();
        request.onsuccess = () => resolve(request.result);
      };
    });
    expect(keys).toEqual([['schema']]);
    await manager.close();
  });

  test('data of an unknown schema version is discarded with a clear warning, not a crash', async () => {
    const database = `schema-${Date.now()}`;
    await new Promise<void>((resolve) => {
      const open = indexedDB.open(database);
      open.onupgradeneeded = () => open.result.createObjectStore('fetches');
      open.onsuccess = () => {
        const tx = open.result.transaction('fetches', 'readwrite');
        tx.objectStore('fetches').put(99, ['schema']);
        tx.objectStore('fetches').put({ fetch: { scope: 's', key: 'k' }, what: 'from the future' }, ['fetch', 'k']);
        tx.oncomplete = () => {
          open.result.close();
          resolve();
        };
      };
    });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = openIndexedDBStore({ database });
    const manager = new BackgroundFetchManager({ store, scope: 's', baseURL: server.url });
    expect(await manager.getIds()).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/schema version 99.*discarded/));
    warn.mockRestore();
    const done = completion(manager);
    await manager.fetch('after', ['/feature-name.txt']);
    expect((await done).type).toBe('backgroundfetchsuccess');
    await manager.close();
  });
});
