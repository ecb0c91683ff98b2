/**
 * Users that abort at the worst moment and two tabs at once (issue 7 §3): abort() against
 * completion, the same id twice in one tick, close() during a store write, abort() during a
 * resume and two managers on one scope and store. Each outcome is checked everywhere it shows:
 * the event, the registration, abort()'s answer, the server and the store.
 */
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, openIndexedDBStore, type BackgroundFetchRegistration, type BackgroundFetchStore } from '../../src';
import { bodyOf } from '../helpers/testServer';
import { withSinks } from '../store/support';
import { completion, completionTypes, expectCounted, expectNoLoss, expectSettledAndEmpty, fresh, indexedDBKeys, rangeStart, track, until, reliabilitySuite, type Fresh, type Outcome } from './support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 10 }, timeout: 2000 });

const manager = suite.manager;

/** Counts every completion event `target` gets from now on. */
function countEvents(target: EventTarget): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of completionTypes) target.addEventListener(type, () => (counts[type] = (counts[type] ?? 0) + 1));
  return counts;
}

/** Counts the `progress` events that carry a result, and the ones after the first of those. */
function countFinalProgress(registration: BackgroundFetchRegistration): { final: number; after: number } {
  const counts = { final: 0, after: 0 };
  registration.addEventListener('progress', () => {
    if (counts.final > 0) counts.after++;
    if (registration.result !== '') counts.final++;
  });
  return counts;
}

const seen = (path: string) => suite.server.requests.filter((request) => request.path === path);
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/**
 * Waits until no more timers run than `before`: a request cut off must leave nothing behind (a
 * body read left pending keeps its stall timer, of the manager's 10 s timeout, alive).
 */
const expectTimersBackTo = (before: number) => until(() => timers() <= before, `timers to return to ${before} (now ${timers()})`, 2000);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('abort() at the moment of completion', () => {
  const size = 50_000;

  /** The one record of `size` bytes succeeded although abort() was called: so says the event, the store, the registration and its events. */
  async function expectSuccessWon(outcome: Outcome, registration: BackgroundFetchRegistration, where: Fresh, seen: { events: Record<string, number>; progress: { final: number; after: number } }) {
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    const final = await expectSettledAndEmpty(registration, where);
    expect(final).toMatchObject({ result: 'success', failureReason: '' });
    expect(seen.events).toEqual({ backgroundfetchsuccess: 1 });
    expect(seen.progress).toEqual({ final: 1, after: 0 });
  }

  test.each(['memory', 'indexeddb'] as const)(
    '(%s) with every byte stored and counted but the record not yet settled: the record settles first, success wins, abort() answers false',
    async (kind) => {
      const where = fresh(kind, 'races');
      const target = manager(where, { timeout: 10_000 });
      const before = timers();
      const events = countEvents(target);
      const done = completion(target, where);
      const registration = await target.fetch('late-abort', [`/bytes?size=${size}&chunk=8192&delay=1`]);
      const progress = countFinalProgress(registration);
      let returned: Promise<boolean> | undefined;
      // Synchronously inside the value that counts the last bytes, before the record settles.
      registration.state$.subscribe((state) => {
        if (returned === undefined && state.downloaded === size && state.result === '') returned = registration.abort();
      });
      const outcome = await done;
      expect(returned).toBeDefined();
      expect(await returned).toBe(false);
      await expectSuccessWon(outcome, registration, where, { events, progress });
      await expectTimersBackTo(before);
    },
  );

  test.each(['memory', 'indexeddb'] as const)(
    '(%s) from the progress event that counts one record whole: that record stays readable, the one still downloading is aborted (WPT abort AB-02 without its timing)',
    async (kind) => {
      const where = fresh(kind, 'races');
      const target = manager(where, { timeout: 10_000 });
      const done = completion(target, where);
      const registration = await target.fetch('abort-at-whole', [`/bytes?size=${size}&chunk=8192&delay=1`, '/slow?delay=5000&size=10']);
      let returned: Promise<boolean> | undefined;
      registration.addEventListener('progress', () => {
        if (returned === undefined && registration.downloaded === size) returned = registration.abort();
      });
      const outcome = await done;
      expect(returned).toBeDefined();
      expect(await returned).toBe(true);
      expect(outcome.type).toBe('backgroundfetchabort');
      expect(outcome.state).toMatchObject({ result: 'failure', failureReason: 'aborted', downloaded: size });
      expect(outcome.bodies).toEqual([bodyOf(size), 'AbortError']);
      expectCounted(outcome);
      await expectSettledAndEmpty(registration, where);
    },
  );

  test('asked for and closed at once: close() waits for the abort to land, abort() answers true, the next manager fires backgroundfetchabort', async () => {
    const where = fresh('indexeddb', 'races');
    const first = manager(where);
    const firstDone = completion(first, where);
    const registration = await first.fetch('abort-then-close', ['/slow?delay=5000&size=10']);
    const returned = registration.abort();
    await first.close();
    expect(await returned).toBe(true);
    const second = manager(where);
    const outcome = await Promise.race([firstDone, completion(second, where)]);
    expect(outcome.type).toBe('backgroundfetchabort');
    expect(outcome.state).toMatchObject({ result: 'failure', failureReason: 'aborted' });
    await expectSettledAndEmpty(outcome.registration, where);
  });

  test('two abort() calls at once: one answers true, the other false', async () => {
    const where = fresh('memory', 'races');
    const target = manager(where);
    const done = completion(target, where);
    const registration = await target.fetch('abort-twice', ['/slow?delay=5000&size=10']);
    const answers = await Promise.all([registration.abort(), registration.abort()]);
    expect(answers).toEqual([true, false]);
    expect((await done).type).toBe('backgroundfetchabort');
  });

  test('download-total-exceeded by the very last chunk: the request cut off at its end is released', async () => {
    const where = fresh('memory', 'races');
    const target = manager(where, { timeout: 10_000 });
    const before = timers();
    const done = completion(target, where);
    const registration = await target.fetch('overrun', [`/bytes?size=${size}&chunk=8192&delay=1`], { downloadTotal: size - 1 });
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state).toMatchObject({ failureReason: 'download-total-exceeded', downloaded: size });
    expectCounted(outcome);
    await expectSettledAndEmpty(registration, where);
    await expectTimersBackTo(before);
  });

  test('inside the final state: success wins, abort() answers false, everywhere', async () => {
    const where = fresh('memory', 'races');
    const target = manager(where);
    const events = countEvents(target);
    const done = completion(target, where);
    const registration = await target.fetch('late-abort', [`/bytes?size=${size}`]);
    const progress = countFinalProgress(registration);
    let returned: Promise<boolean> | undefined;
    registration.state$.subscribe((state) => {
      if (returned === undefined && state.result !== '') returned = registration.abort();
    });
    let fromListener: Promise<boolean> | undefined;
    registration.addEventListener('progress', () => {
      if (registration.result !== '') fromListener = registration.abort();
    });
    const outcome = await done;
    expect(await returned).toBe(false);
    expect(await fromListener).toBe(false);
    await expectSuccessWon(outcome, registration, where, { events, progress });
  });

  test('swept across the turns around completion: exactly one outcome, the same in the event, the registration and abort()', async () => {
    const where = fresh('memory', 'races');
    const target = manager(where);
    const outcomes = new Set<string>();
    const fired: string[] = [];
    for (const type of completionTypes) target.addEventListener(type, (event) => fired.push(`${(event as unknown as { registration: BackgroundFetchRegistration }).registration.id} ${type}`));
    for (let turns = 0; turns < 40; turns++) {
      const done = completion(target, where, `sweep-${turns}`);
      const registration = await target.fetch(`sweep-${turns}`, [`/bytes?size=${size}&chunk=8192`]);
      const progress = countFinalProgress(registration);
      for (let turn = 0; turn < turns; turn++) await nextTurn();
      const returned = await registration.abort();
      const outcome = await done;
      const final = await expectSettledAndEmpty(registration, where);
      const expected = returned
        ? { type: 'backgroundfetchabort', result: 'failure', failureReason: 'aborted' }
        : { type: 'backgroundfetchsuccess', result: 'success', failureReason: '' };
      expect({ type: outcome.type, result: outcome.state.result, failureReason: outcome.state.failureReason }).toEqual(expected);
      expect({ type: outcome.type, result: final.result, failureReason: final.failureReason }).toEqual(expected);
      expect({ type: outcome.type, result: registration.result, failureReason: registration.failureReason }).toEqual(expected);
      expectCounted(outcome);
      if (!returned) expectNoLoss(outcome, [bodyOf(size)]);
      expect(fired.filter((entry) => entry.startsWith(`sweep-${turns} `))).toEqual([`sweep-${turns} ${expected.type}`]);
      expect(progress).toEqual({ final: 1, after: 0 });
      outcomes.add(outcome.type);
      if (outcomes.size === 2 && turns >= 20) break;
    }
  });
});

describe('close() at the moment of completion', () => {
  test.each(['indexeddb', 'memory'] as const)('(%s) inside the final state: the completion event fires once, on the next manager, records readable', async (kind) => {
    const where = fresh(kind, 'races');
    const first = manager(where);
    const firstEvents = countEvents(first);
    const size = 50_000;
    const registration = await first.fetch('closing', [`/bytes?size=${size}`]);
    let closing: Promise<void> | undefined;
    registration.state$.subscribe((state) => {
      if (closing === undefined && state.result !== '') closing = first.close();
    });
    await until(() => closing !== undefined, 'the final state');
    await closing;
    const second = manager(where);
    const secondEvents = countEvents(second);
    const done = completion(second, where);
    expect(await second.getIds()).toEqual([]);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    await expectSettledAndEmpty(outcome.registration, where);
    expect(firstEvents).toEqual({});
    expect(secondEvents).toEqual({ backgroundfetchsuccess: 1 });
    expect(seen('/bytes')).toHaveLength(1);
  });

  test('right after abort() returned true: the abort is not lost, the next manager fires backgroundfetchabort', async () => {
    const where = fresh('indexeddb', 'races');
    const first = manager(where);
    const firstEvents = countEvents(first);
    const firstDone = completion(first, where);
    const registration = await first.fetch('aborted', ['/slow?delay=5000&size=10']);
    expect(await registration.abort()).toBe(true);
    await first.close();
    const second = manager(where);
    const secondEvents = countEvents(second);
    // Whichever manager it fires on (the first, if its event was under way before the close), it fires once.
    const outcome = await Promise.race([firstDone, completion(second, where)]);
    expect(outcome.type).toBe('backgroundfetchabort');
    expect(outcome.state).toMatchObject({ result: 'failure', failureReason: 'aborted', downloaded: 0 });
    expect(outcome.bodies).toEqual(['AbortError']);
    await expectSettledAndEmpty(outcome.registration, where);
    expect([firstEvents, secondEvents]).toContainEqual({ backgroundfetchabort: 1 });
    expect([firstEvents, secondEvents]).toContainEqual({});
  });

  test('during the completion event: it finishes there, and the next manager does not fire it again', async () => {
    const where = fresh('indexeddb', 'races');
    const first = manager(where);
    const done = completion(first, where);
    let closing: Promise<void> | undefined;
    first.addEventListener('backgroundfetchsuccess', () => (closing = first.close()));
    await first.fetch('closing', ['/feature-name.txt']);
    const outcome = await done;
    await closing;
    expectNoLoss(outcome, [Buffer.from('Background Fetch')]);
    const second = manager(where);
    const secondEvents = countEvents(second);
    expect(await second.getIds()).toEqual([]);
    expect(await where.store.load(where.scope)).toEqual([]);
    expect(secondEvents).toEqual({});
  });
});

describe('fetch() with the same id twice in one tick', () => {
  test('on one manager: one registration, one TypeError, one download, one stored fetch', async () => {
    const where = fresh('indexeddb', 'races');
    const target = manager(where);
    const done = completion(target, where);
    const [first, second] = await Promise.allSettled([target.fetch('twice', ['/bytes?size=1000']), target.fetch('twice', ['/bytes?size=1000'])]);
    expect(first.status).toBe('fulfilled');
    expect(second).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(await target.getIds()).toEqual(['twice']);
    const outcome = await done;
    expectNoLoss(outcome, [bodyOf(1000)]);
    expect(seen('/bytes')).toHaveLength(1);
    await expectSettledAndEmpty((first as PromiseFulfilledResult<BackgroundFetchRegistration>).value, where);
  });

  test('on two managers of one scope and store: the same', async () => {
    const where = fresh('indexeddb', 'races');
    const [a, b] = [manager(where), manager(where)];
    const settled = await Promise.allSettled([a.fetch('twice', ['/bytes?size=1000']), b.fetch('twice', ['/bytes?size=1000'])]);
    expect(settled.map((entry) => entry.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(TypeError);
    const registration = settled.find((entry): entry is PromiseFulfilledResult<BackgroundFetchRegistration> => entry.status === 'fulfilled')!.value;
    expect((await where.store.load(where.scope)).map((entry) => entry.fetch.id)).toEqual(['twice']);
    await expectSettledAndEmpty(registration, where);
    expect(seen('/bytes')).toHaveLength(1);
  });
});

/** A store whose `blockAt`-th body write waits until `open()` is called. */
function gatedStore(inner: BackgroundFetchStore, blockAt: number) {
  let writes = 0;
  let landed = 0;
  let blockedBytes = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const blocked = new Promise<void>((resolve) => (reached = resolve));
  let finished!: () => void;
  /** Resolves once the blocked write has landed or failed. */
  const over = new Promise<void>((resolve) => (finished = resolve));
  const store = withSinks(inner, (sink) => ({
    async write(index, chunk) {
      const blocking = ++writes === blockAt;
      try {
        if (blocking) {
          blockedBytes = chunk.byteLength;
          reached();
          await gate;
        }
        await sink.write(index, chunk);
        landed += chunk.byteLength;
      } finally {
        if (blocking) finished();
      }
    },
  }));
  return { store, blocked, over, open: () => release(), landed: () => landed, blockedBytes: () => blockedBytes };
}

describe('close() during a store write', () => {
  test.each(['indexeddb', 'memory'] as const)('(%s) waits for the write; the next manager resumes from it without counting twice, byte-identical', async (kind) => {
    const base = fresh(kind, 'races');
    const gated = gatedStore(base.store, 4);
    const where = { ...base, store: gated.store };
    const size = 512 * 1024;
    const url = `/bytes?size=${size}&chunk=16384&delay=5`;
    const first = manager(where);
    await first.fetch('gated', [url]);
    await gated.blocked;
    let closed = false;
    const closing = first.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    gated.open();
    await closing;
    const [held] = (await where.store.load(where.scope))[0].records;
    expect(held.bytes).toBe(gated.landed());
    expect(held.bytes).toBeGreaterThan(0);

    const second = manager(where);
    const done = completion(second, where);
    const registration = (await second.get('gated'))!;
    const downloaded = track(registration);
    expect(downloaded[0]).toBe(held.bytes);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(Math.max(...downloaded)).toBe(size);
    const ranged = seen('/bytes').filter((request) => request.range !== undefined);
    expect(ranged.map((request) => rangeStart(request.range))).toEqual([held.bytes]);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('abort() during a store write', () => {
  test('the write under way lands before the fetch is removed, its uncounted bytes dropped: the store holds what was counted, then nothing', async () => {
    const base = fresh('indexeddb', 'races');
    const gated = gatedStore(base.store, 4);
    const where = { ...base, store: gated.store };
    const target = manager(where);
    const done = completion(target, where);
    const registration = await target.fetch('gated', [`/bytes?size=${512 * 1024}&chunk=16384&delay=5`]);
    await gated.blocked;
    expect(await registration.abort()).toBe(true);
    setTimeout(() => gated.open(), 50);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchabort');
    // The write under way when abort() came landed after the final count: it is dropped again,
    // so the store holds what was counted.
    expectCounted(outcome);
    expect(outcome.state.downloaded).toBe(gated.landed() - gated.blockedBytes());
    expect(outcome.bodies).toEqual(['AbortError']);
    await expectSettledAndEmpty(registration, where);
    await gated.over;
    expect(await indexedDBKeys(where.database!)).toEqual([['schema']]);
  });
});

/**
 * A store whose sinks hold back the first `begin()` that drops bytes a record holds (a restart)
 * until `open()`; the writes of record `holdWritesOf` wait until that restart was asked for.
 */
function restartGatedStore(inner: BackgroundFetchStore, holdWritesOf?: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const restarting = new Promise<void>((resolve) => (reached = resolve));
  let gated = false;
  const store = withSinks(inner, (sink) => ({
    async begin(index, response, offset) {
      const { offset: held } = await sink.resumePoint(index);
      if (!gated && offset < held) {
        gated = true;
        reached();
        await gate;
      }
      return sink.begin(index, response, offset);
    },
    async write(index, chunk) {
      if (index === holdWritesOf) await restarting;
      return sink.write(index, chunk);
    },
  }));
  return { store, restarting, open: () => release() };
}

describe('a restart under way when the fetch ends', () => {
  // No Range support: the attempt after the break starts over, dropping the bytes stored before it.
  const broken = '/reset?size=100000&after=20000&times=1&ranges=0';

  test.each(['indexeddb', 'memory'] as const)('(%s) abort() while the restart drops the stored bytes: they are uncounted with it, the store holds what was counted', async (kind) => {
    const base = fresh(kind, 'races');
    const gated = restartGatedStore(base.store);
    const where = { ...base, store: gated.store };
    const target = manager(where);
    const done = completion(target, where);
    const registration = await target.fetch('restart', [broken]);
    await gated.restarting;
    expect(await registration.abort()).toBe(true);
    setTimeout(() => gated.open(), 50);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchabort');
    expectCounted(outcome);
    expect(outcome.state.downloaded).toBe(0);
    expect(outcome.bodies).toEqual(['AbortError']);
    await expectSettledAndEmpty(registration, where);
  });

  test.each(['indexeddb', 'memory'] as const)('(%s) another record passing downloadTotal meanwhile: the restarted record is counted at 0, as stored', async (kind) => {
    const base = fresh(kind, 'races');
    const gated = restartGatedStore(base.store, 0);
    const where = { ...base, store: gated.store };
    const target = manager(where);
    const done = completion(target, where);
    const size = 40_000;
    const registration = await target.fetch('restart', [`/bytes?size=${size}`, broken], { downloadTotal: size - 1 });
    await firstValueFrom(registration.state$.pipe(filter((state) => state.result !== '')));
    gated.open();
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state).toMatchObject({ failureReason: 'download-total-exceeded', downloaded: size });
    expectCounted(outcome);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('abort() during resume', () => {
  test('right after get() on the resuming manager: aborted everywhere, bytes kept counted, nothing left', async () => {
    const where = fresh('indexeddb', 'races');
    const size = 1024 * 1024;
    const first = manager(where);
    const before = await first.fetch('resumed', [`/bytes?size=${size}&chunk=16384&delay=5`, '/feature-name.txt']);
    await firstValueFrom(before.state$.pipe(filter((state) => state.downloaded > size / 8)));
    await first.close();
    const held = (await where.store.load(where.scope))[0].records.reduce((sum, record) => sum + record.bytes, 0);

    const second = manager(where);
    const events = countEvents(second);
    const done = completion(second, where);
    const registration = (await second.get('resumed'))!;
    const progress = countFinalProgress(registration);
    expect(await registration.abort()).toBe(true);
    expect(await second.getIds()).toEqual([]);
    expect(await registration.abort()).toBe(false);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchabort');
    expect(outcome.state).toMatchObject({ result: 'failure', failureReason: 'aborted', downloaded: held });
    expectCounted(outcome);
    expect(outcome.bodies[0]).toBe('AbortError');
    await expectSettledAndEmpty(registration, where);
    expect(events).toEqual({ backgroundfetchabort: 1 });
    expect(progress).toEqual({ final: 1, after: 0 });
    await until(() => suite.server.inFlight === 0, 'the server to see every connection closed');
  });

  test('abort() through a registration of a closed manager does not claim an abort it cannot carry out', async () => {
    const where = fresh('indexeddb', 'races');
    const first = manager(where);
    const stale = await first.fetch('stale', ['/slow?delay=300&size=10']);
    await first.close();
    await expect(stale.abort()).rejects.toMatchObject({ name: 'InvalidStateError' });
    // The fetch was not aborted: the next manager resumes it to its end.
    const second = manager(where);
    const done = completion(second, where);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(10)]);
    await expectSettledAndEmpty(outcome.registration, where);
  });
});

describe('two managers on the same scope and store', () => {
  async function run(where: Fresh, a: BackgroundFetchManager, b: BackgroundFetchManager) {
    const size = 256 * 1024;
    const urls = [`/bytes?size=${size}&chunk=16384&delay=2`, '/feature-name.txt'];
    const registration = await a.fetch('shared', urls);
    const mirror = (await b.get('shared'))!;
    expect(mirror).toBeDefined();
    expect(await b.getIds()).toEqual(['shared']);
    const [finalA, finalB] = await Promise.all([lastValueFrom(registration.state$), lastValueFrom(mirror.state$)]);
    expect(finalB).toEqual(finalA);
    expect(finalA).toMatchObject({ result: 'success', downloaded: size + 16 });
    expect(mirror.downloaded).toBe(registration.downloaded);
    expect(seen('/bytes')).toHaveLength(1);
    expect(seen('/feature-name.txt')).toHaveLength(1);
    expect(await where.store.load(where.scope)).toEqual([]);
  }

  test('only one downloads; both see the registration; each events target gets one event', async () => {
    const where = fresh('indexeddb', 'races');
    const [a, b] = [manager(where), manager(where)];
    const [eventsA, eventsB] = [countEvents(a), countEvents(b)];
    const done = completion(b, where);
    await run(where, a, b);
    expect((await done).type).toBe('backgroundfetchsuccess');
    expect(eventsA).toEqual({ backgroundfetchsuccess: 1 });
    expect(eventsB).toEqual({ backgroundfetchsuccess: 1 });
  });

  test('sharing one events target, it gets the event once', async () => {
    const where = fresh('indexeddb', 'races');
    const events = new EventTarget();
    const counts = countEvents(events);
    const [a, b] = [manager(where, { events }), manager(where, { events })];
    await run(where, a, b);
    expect(counts).toEqual({ backgroundfetchsuccess: 1 });
  });

  test('with two store objects for one IndexedDB database: still one download and one event each', async () => {
    const where = fresh('indexeddb', 'races');
    const other = { ...where, store: openIndexedDBStore({ database: where.database }) };
    const [a, b] = [manager(where), manager(other)];
    const [eventsA, eventsB] = [countEvents(a), countEvents(b)];
    await run(where, a, b);
    expect(eventsA).toEqual({ backgroundfetchsuccess: 1 });
    expect(eventsB).toEqual({ backgroundfetchsuccess: 1 });
  });

  test('in two realms opening one new IndexedDB database at once, neither takes the other’s rows for foreign data', async () => {
    // A second copy of the store module is what a second tab (or worker) has: its own store object.
    let other!: typeof import('../../src/store/indexedDBStore');
    jest.isolateModules(() => {
      other = require('../../src/store/indexedDBStore');
    });
    const where = fresh('indexeddb', 'races');
    const second = other.openIndexedDBStore({ database: where.database });
    expect(second).not.toBe(where.store);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const stored = { key: 'k1', scope: where.scope, id: 'tab-1', requests: [], downloadTotal: 0, uploadTotal: 0, title: '', icons: [], created: Date.now() };
      await Promise.all([where.store.load(where.scope), second.load(where.scope)]);
      await Promise.all([where.store.create(stored), second.load(where.scope)]);
      expect(warn).not.toHaveBeenCalled();
      expect((await second.load(where.scope)).map((entry) => entry.fetch.id)).toEqual(['tab-1']);
      await where.store.remove('k1');
    } finally {
      warn.mockRestore();
    }
  });

  test('closing the one that started the fetch leaves the other running it to the end, once', async () => {
    const where = fresh('indexeddb', 'races');
    const [a, b] = [manager(where), manager(where)];
    const eventsB = countEvents(b);
    const done = completion(b, where);
    const size = 512 * 1024;
    const registration = await a.fetch('handover', [`/bytes?size=${size}&chunk=16384&delay=5`]);
    await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded > 0)));
    await a.close();
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(seen('/bytes').map((request) => request.range)).toEqual([undefined]);
    await expectSettledAndEmpty(outcome.registration, where);
    expect(eventsB).toEqual({ backgroundfetchsuccess: 1 });
  });
});
