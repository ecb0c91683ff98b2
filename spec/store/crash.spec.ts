/**
 * Writes made together lose nothing that was counted (issue 15): the IndexedDB store gets the
 * chunks that arrive while a write is in flight as one group, committed in one transaction, so at
 * any moment a record holds bytes stored, counted, and bytes read but not yet written. A stop
 * between two groups — close(), or a crash (a group that never lands) — keeps every counted byte, and the next manager fetches
 * only what was never counted, counting each byte once. A body that breaks off stores what it
 * held before resuming. Not timed: the store is slowed only so that chunks pile up behind a write.
 */
import 'fake-indexeddb/auto';
import { lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, openIndexedDBStore, type BackgroundFetchRegistration, type BackgroundFetchStore } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { countingFetch, pause, slowedStore } from './support';

let server: TestServer;
let made = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const size = 8 * 1024 * 1024;

function fresh(): { inner: BackgroundFetchStore; scope: string } {
  made++;
  return { inner: openIndexedDBStore({ database: `crash-${process.pid}-${made}` }), scope: `crash-${made}` };
}

/**
 * A manager on a slowed store over `inner`, whose first group of writes after a group of several
 * has landed is stopped at a gate: `open()` lets it land, `fail()` rejects it unwritten (the
 * process died with it). Until then nothing of that group has reached `inner`.
 */
function gatedManager(inner: BackgroundFetchStore, scope: string) {
  let gatedGroup = -1;
  let reached!: () => void;
  const atGate = new Promise<void>((resolve) => (reached = resolve));
  let open!: () => void;
  let fail!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  gate.catch(() => undefined);
  const slowed = slowedStore(inner, (groups) => {
    if (!groups.some((group) => group.length > 1)) return undefined;
    gatedGroup = groups.length;
    // Reached once the whole group has been made (in the same tick as its first write).
    setTimeout(reached, 0);
    return gate;
  });
  return {
    manager: manager(slowed.store, scope),
    atGate,
    open: () => open(),
    fail: () => fail(new Error('the process died')),
    /** Bytes of the writes that landed. */
    landed: () => slowed.stored(),
    gatedBytes: () => slowed.groups[gatedGroup].reduce((sum, bytes) => sum + bytes, 0),
  };
}

function manager(store: BackgroundFetchStore, scope: string, network: typeof fetch = fetch): BackgroundFetchManager {
  // progressInterval 0: every count is seen, so `downloaded` is exactly what was counted.
  return new BackgroundFetchManager({ store, scope, baseURL: server.url, fetch: network, progressInterval: 0, retry: { limit: 2, delay: () => 10 } });
}

/** Every downloaded value the registration reports from now on. */
function track(registration: BackgroundFetchRegistration): number[] {
  const seen: number[] = [];
  registration.state$.subscribe((state) => seen.push(state.downloaded));
  return seen;
}

/** Resolves with the body read back in the completion event, and the event's type. */
function completion(target: BackgroundFetchManager): Promise<{ type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort']) {
      target.addEventListener(type, (raw) => {
        const event = raw as Event & { registration: BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
        event.waitUntil(
          (async () => {
            const [record] = await event.registration.matchAll();
            resolve({ type, body: Buffer.from(await (await record.responseReady).arrayBuffer()) });
          })().catch(reject),
        );
      });
    }
  });
}

/** Ends a manager left at the gate: its pipeline is cut off first, then the gated write fails unwritten (a no-op once open). */
async function stop(target: BackgroundFetchManager, gated: { fail(): void }): Promise<void> {
  const closing = target.close();
  gated.fail();
  await closing;
}

const rangeStart = (range: string | undefined) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]);
const storedBytes = async (store: BackgroundFetchStore, scope: string) => (await store.load(scope))[0].records[0].bytes;

/** The next manager on the bare store finishes the fetch: what it counted first, every count, the body and the Range it sent. */
async function resume(inner: BackgroundFetchStore, scope: string) {
  const next = manager(inner, scope);
  const done = completion(next);
  const registration = (await next.get('media'))!;
  expect(registration).toBeDefined();
  const counts = track(registration);
  const { type, body } = await done;
  await lastValueFrom(registration.state$);
  await next.close();
  const ranged = server.requests.filter((request) => request.range !== undefined);
  expect(ranged).toHaveLength(1);
  return { type, body, counts, from: rangeStart(ranged[0].range) };
}

describe('a stop between two groups of writes', () => {
  test('close(): the write in flight lands, what was held unwritten is fetched again, nothing counted twice', async () => {
    const { inner, scope } = fresh();
    const gated = gatedManager(inner, scope);
    const first = gated.manager;
    try {
      const registration = await first.fetch('media', [`/bytes?size=${size}&chunk=65536`]);
      await gated.atGate;
      const counted = registration.downloaded;
      expect(counted).toBe(gated.landed());
      let closed = false;
      const closing = first.close().then(() => (closed = true));
      await pause(50);
      expect(closed).toBe(false); // close() waits for the write in flight…
      gated.open();
      await closing;
      // …which lands uncounted; the bytes read behind it were never written, never counted.
      const stored = await storedBytes(inner, scope);
      expect(stored).toBe(counted + gated.gatedBytes());
      // Nor written later: a write the closed manager still had to make would land in the records
      // the next manager resumes (slowed writes land 20 ms after they are made).
      await pause(100);
      expect(gated.landed()).toBe(stored);

      const { type, body, counts, from } = await resume(inner, scope);
      expect(type).toBe('backgroundfetchsuccess');
      expect(body.equals(bodyOf(size))).toBe(true);
      expect(from).toBe(stored);
      expect(counts[0]).toBe(stored);
      expect(Math.max(...counts)).toBe(size);
    } finally {
      await stop(first, gated);
    }
  });

  test('a crash (the write never lands): resume fetches exactly the bytes never counted', async () => {
    const { inner, scope } = fresh();
    const gated = gatedManager(inner, scope);
    const first = gated.manager;
    try {
      const registration = await first.fetch('media', [`/bytes?size=${size}&chunk=65536`]);
      await gated.atGate;
      const counted = registration.downloaded;
      expect(counted).toBe(gated.landed());
      // The process is gone with the write it was making and the bytes it held: a new engine
      // (another store object, so another slot) reads what the database holds.
      const stored = await storedBytes(inner, scope);
      expect(stored).toBe(counted);

      const { type, body, counts, from } = await resume(inner, scope);
      expect(type).toBe('backgroundfetchsuccess');
      expect(body.equals(bodyOf(size))).toBe(true);
      expect(from).toBe(counted);
      expect(counts[0]).toBe(counted);
      expect(Math.max(...counts)).toBe(size);
    } finally {
      await stop(first, gated);
    }
  });
});

describe('a body that breaks off', () => {
  test('stores every byte it read before the break, then resumes right after the last one', async () => {
    const { inner, scope } = fresh();
    const { store } = slowedStore(inner);
    const network = countingFetch();
    const target = new BackgroundFetchManager({ store, scope, baseURL: server.url, fetch: network.fetch, retry: { limit: 2, delay: () => 10 } });
    const done = completion(target);
    await target.fetch('media', [`/reset?size=${size}&after=${size / 2}&times=1&chunk=65536`]);
    const { type, body } = await done;
    await target.close();
    expect(type).toBe('backgroundfetchsuccess');
    expect(body.equals(bodyOf(size))).toBe(true);
    const ranged = server.requests.filter((request) => request.range !== undefined);
    expect(ranged).toHaveLength(1);
    // Every byte the first response gave before it broke was stored: the resume starts after the last.
    expect(network.perResponse[0]).toBeGreaterThan(0);
    expect(rangeStart(ranged[0].range)).toBe(network.perResponse[0]);
  });
});
