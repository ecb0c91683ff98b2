/**
 * Scale: one registration of 10,000 requests runs to the end against a real server, and the
 * per-chunk work of the progress pipeline does not grow with the number of records, shown by
 * counting work (record status objects read and made) and the memory a kept tally holds, not by
 * timing.
 */
import { Subject, distinctUntilChanged, lastValueFrom, map, scan, type OperatorFunction } from 'rxjs';
import {
  countBytes,
  createTally,
  limitDownloadTotal,
  RecordTable,
  throttleProgress,
  untilSettled,
  type FetchTally,
  type RecordEvent,
  type RecordStatus,
} from '../../operators';
import { BackgroundFetchManager, type BackgroundFetchUpdateUIEvent } from '../../src';
import { gc } from '../helpers/gc';
import { startTestServer, type TestServer } from '../helpers/testServer';

describe('10,000 requests in one registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  test('completes: success, 10,000 records from matchAll, 10,000 requests served, never more than `concurrency` in flight', async () => {
    const count = 10_000;
    const concurrency = 8;
    // The first `concurrency` requests are held 300 ms, so the server sees the pool full at least once.
    const urls = Array.from({ length: count }, (_, i) => (i < concurrency ? `/slow?delay=300&i=${i}` : `/feature-name.txt?i=${i}`));
    const manager = new BackgroundFetchManager({ store: 'memory', scope: `scale-${process.pid}`, baseURL: server.url, concurrency });
    try {
      const inEvent = new Promise<{ type: string; records: number; firstURL: string; lastURL: string; lastText: string }>((resolve, reject) => {
        const listener = (raw: Event) => {
          const event = raw as BackgroundFetchUpdateUIEvent;
          event.waitUntil(
            (async () => {
              const records = await event.registration.matchAll();
              const last = records[records.length - 1];
              resolve({
                type: event.type,
                records: records.length,
                firstURL: records[0].request.url,
                lastURL: last.request.url,
                lastText: await (await last.responseReady).text(),
              });
            })().catch(reject),
          );
        };
        manager.addEventListener('backgroundfetchsuccess', listener);
        manager.addEventListener('backgroundfetchfail', listener);
      });
      server.reset();
      const registration = await manager.fetch('ten-thousand', urls);
      expect(await manager.getIds()).toEqual(['ten-thousand']);
      const seen = await inEvent;
      const final = await lastValueFrom(registration.state$);
      expect(seen).toEqual({
        type: 'backgroundfetchsuccess',
        records: count,
        firstURL: `${server.url}/slow?delay=300&i=0`,
        lastURL: `${server.url}/feature-name.txt?i=${count - 1}`,
        lastText: 'Background Fetch',
      });
      expect(final).toMatchObject({ result: 'success', failureReason: '', downloaded: (count - concurrency) * 16, recordsAvailable: false });
      expect(server.requests).toHaveLength(count);
      expect(new Set(server.requests.map((request) => request.url)).size).toBe(count);
      expect(server.maxInFlight).toBe(concurrency);
    } finally {
      await manager.close();
    }
  }, 90_000);
});

describe('per-chunk work of the progress pipeline', () => {
  /** What processing one chunk event cost. */
  interface ChunkWork {
    /** Reads of the record the chunk belongs to (property gets, key listings, descriptor lookups). */
    ownReads: number;
    /** Reads of any other record. */
    otherReads: number;
    /** Entries of the record table that hold a different status object than before the event. */
    statusesReplaced: number;
    /** Tallies the pipeline emitted for the event. */
    emitted: number;
  }

  /**
   * The pipeline of one fetch's progress as `FetchJob` builds it (reducer, downloadTotal guard,
   * settle detection, state projection, throttle), without network or store, fed N records and
   * one chunk event per record. Each fresh record status is a Proxy that counts reads.
   */
  function measure(n: number, reducer: (seed: FetchTally) => OperatorFunction<RecordEvent, FetchTally> = countBytes): ChunkWork[] {
    const fresh = createTally({ id: `n${n}`, downloadTotal: 0, uploadTotal: 0 }, n);
    const records: RecordStatus[] = [];
    let current = -1;
    let ownReads = 0;
    let otherReads = 0;
    for (let i = 0; i < n; i++) {
      const index = i;
      const count = () => (index === current ? ownReads++ : otherReads++);
      records[i] = new Proxy<RecordStatus>(
        { response: null, bytes: 0, result: '', generation: 0 },
        {
          get: (target, key, receiver) => (count(), Reflect.get(target, key, receiver)),
          ownKeys: (target) => (count(), Reflect.ownKeys(target)),
          getOwnPropertyDescriptor: (target, key) => (count(), Reflect.getOwnPropertyDescriptor(target, key)),
          has: (target, key) => (count(), Reflect.has(target, key)),
        },
      );
    }
    const seed: FetchTally = { ...fresh, records: RecordTable.from(records) };
    const events = new Subject<RecordEvent>();
    let last: FetchTally | undefined;
    let emitted = 0;
    let states = 0;
    const subscription = events
      .pipe(
        reducer(seed),
        limitDownloadTotal(Number.MAX_SAFE_INTEGER),
        untilSettled(),
        (tallies) => {
          tallies.subscribe((tally) => {
            last = tally;
            emitted++;
          });
          return tallies;
        },
        map((tally) => tally.state),
        distinctUntilChanged(),
        throttleProgress(0),
      )
      .subscribe(() => states++);

    // Counted outside the measured step: a shadow of the table to see which entries changed.
    const work: ChunkWork[] = [];
    const shadow = seed.records.toArray();
    for (let index = 0; index < n; index++) {
      ownReads = 0;
      otherReads = 0;
      emitted = 0;
      current = index;
      events.next({ type: 'chunk', index, bytes: 100 });
      current = -1;
      const after = last!.records;
      let statusesReplaced = 0;
      for (let i = 0; i < n; i++) {
        if (after.at(i) !== shadow[i]) {
          statusesReplaced++;
          shadow[i] = after.at(i)!;
        }
      }
      work.push({ ownReads, otherReads, statusesReplaced, emitted });
    }
    expect(last!.state.downloaded).toBe(100 * n);
    expect(states).toBe(n);
    subscription.unsubscribe();
    return work;
  }

  /** The most of each counter over all chunk events. */
  function worst(work: ChunkWork[]): ChunkWork {
    const max = (key: keyof ChunkWork) => work.reduce((most, step) => Math.max(most, step[key]), 0);
    return { ownReads: max('ownReads'), otherReads: max('otherReads'), statusesReplaced: max('statusesReplaced'), emitted: max('emitted') };
  }

  test('a chunk event makes exactly one record status and reads no other record, for N = 10 and N = 10,000 alike', () => {
    const small = measure(10);
    const large = measure(10_000);
    expect(small).toHaveLength(10);
    expect(large).toHaveLength(10_000);
    // Identical per-chunk work whatever the number of records…
    expect(worst(large)).toEqual(worst(small));
    expect(new Set(large.map((step) => JSON.stringify(step))).size).toBe(1);
    // …and that work is: one status object made from the chunk's own record, one tally emitted.
    expect(worst(small)).toEqual({ ownReads: worst(small).ownReads, otherReads: 0, statusesReplaced: 1, emitted: 1 });
    expect(small.every((step) => step.statusesReplaced === 1 && step.ownReads > 0)).toBe(true);
  });

  test('the counters do see work that grows with N (control: a reducer that copies the table on every chunk)', () => {
    const copying = (seed: FetchTally): OperatorFunction<RecordEvent, FetchTally> =>
      scan(
        (tally: FetchTally, event: RecordEvent): FetchTally => {
          const records = tally.records.map((record, i) => (i === event.index && event.type === 'chunk' ? { ...record, bytes: record.bytes + event.bytes } : { ...record }));
          const downloaded = records.toArray().reduce((sum, record) => sum + record.bytes, 0);
          return { ...tally, records, state: { ...tally.state, downloaded }, changed: event.index };
        },
        seed,
      );
    const small = worst(measure(10, copying));
    const large = worst(measure(1_000, copying));
    expect(large.otherReads).toBeGreaterThan(small.otherReads);
    expect(large.statusesReplaced).toBe(1_000);
  });

  /** Heap in use after full collections. */
  function settledHeap(): number {
    for (let pass = 0; pass < 3; pass++) gc();
    return process.memoryUsage().heapUsed;
  }

  /**
   * Heap bytes each tally holds when every tally of `steps` chunk events over `n` records is
   * kept (as a subscriber that keeps history does): what one step of the reducer copies.
   */
  function heldPerTally(n: number, steps: number, reducer: (seed: FetchTally) => OperatorFunction<RecordEvent, FetchTally> = countBytes): number {
    const seed = createTally({ id: `held${n}`, downloadTotal: 0, uploadTotal: 0 }, n);
    const events = new Subject<RecordEvent>();
    const kept: FetchTally[] = [];
    const subscription = events.pipe(reducer(seed)).subscribe((tally) => kept.push(tally));
    const before = settledHeap();
    for (let step = 0; step < steps; step++) events.next({ type: 'chunk', index: (step * 7919) % n, bytes: 1 });
    const after = settledHeap();
    subscription.unsubscribe();
    expect(kept).toHaveLength(steps);
    expect(kept[steps - 1].state.downloaded).toBe(steps);
    return (after - before) / steps;
  }

  test('a kept tally of 10,000 records holds one path of nodes of 32, not a copy of the table (control: a reducer that copies it)', () => {
    const copyingTable = (seed: FetchTally): OperatorFunction<RecordEvent, FetchTally> =>
      scan((tally: FetchTally, event: RecordEvent): FetchTally => {
        const statuses = tally.records.toArray();
        statuses[event.index] = { ...statuses[event.index], bytes: statuses[event.index].bytes + (event.type === 'chunk' ? event.bytes : 0) };
        return { ...tally, records: RecordTable.from(statuses), state: { ...tally.state, downloaded: tally.state.downloaded + (event.type === 'chunk' ? event.bytes : 0) }, changed: event.index };
      }, seed);
    // A table copy is at least 10,000 references (80 KB); a path of 3 nodes of 32 is under 1 KB.
    const ours = heldPerTally(10_000, 500);
    const control = heldPerTally(10_000, 500, copyingTable);
    expect(control).toBeGreaterThan(80_000);
    expect(ours).toBeLessThan(8_000);
  });
});
