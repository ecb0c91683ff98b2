/**
 * Servers that drop, stall and lie (issue 7 §1). Every case runs a real manager on a fresh
 * IndexedDB store against the fault-capable test server, checks the outcome API.md §3–§5 gives
 * it, and ends with the no-loss check: bytes reported = bytes stored = bytes of the bodies read,
 * bodies byte-identical to what the server serves, and nothing left in the store once settled.
 */
import { filter, firstValueFrom } from 'rxjs';
import { BackgroundFetchManager, type BackgroundFetchManagerOptions } from '../../src';
import { bodyOf } from '../helpers/testServer';
import { completion, expectNoLoss, expectSettledAndEmpty, fresh, rangeStart, track, reliabilitySuite, type Fresh } from './support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 10 }, timeout: 2000, patience: 500 });

/** A manager on a fresh IndexedDB store with the file's small retry delays, timeouts and network patience (500 ms). */
function setup(options: BackgroundFetchManagerOptions = {}): Fresh & { manager: BackgroundFetchManager } {
  const where = fresh('indexeddb', 'faults');
  return { ...where, manager: suite.manager(where, options) };
}

const seen = (path: string) => suite.server.requests.filter((request) => request.path === path);
const FEATURE = Buffer.from('Background Fetch');
const KB16 = 16 * 1024;

describe('connection reset mid-body', () => {
  test('is resumed with Range and If-Range from the bytes stored; success, byte-identical', async () => {
    const where = setup();
    const size = 1024 * 1024;
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('reset', [`/reset?size=${size}&after=300000&times=1`]);
    const downloaded = track(registration);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(Math.max(...downloaded)).toBe(size);
    const [first, resumed, ...more] = seen('/reset');
    expect(more).toEqual([]);
    expect(first.range).toBeUndefined();
    expect(rangeStart(resumed.range)).toBeGreaterThan(0);
    expect(rangeStart(resumed.range)).toBeLessThanOrEqual(300_000);
    expect(resumed.headers['if-range']).toBe(`"-${size}"`);
    await expectSettledAndEmpty(registration, where);
  });

  test('on every attempt, never getting further: after the network patience the record fails with fetch-error, its bytes uncounted; the others go on', async () => {
    const where = setup();
    const done = completion(where.manager, where);
    // No Range support: every attempt restarts at 0 and breaks at the same byte.
    const registration = await where.manager.fetch('reset', [`/reset?size=100000&after=1000&times=999&ranges=0`, '/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state).toMatchObject({ result: 'failure', failureReason: 'fetch-error' });
    expectNoLoss(outcome, ['TypeError', FEATURE]);
    expect(seen('/reset').length).toBeGreaterThanOrEqual(2);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('a stall longer than the timeout', () => {
  test('a body that stops for good (/hang) is retried for the network patience, then fetch-error with nothing kept', async () => {
    const where = setup({ timeout: 400 });
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('hang', ['/hang']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('fetch-error');
    expectNoLoss(outcome, ['TypeError']);
    expect(seen('/hang').length).toBeGreaterThanOrEqual(2);
    await expectSettledAndEmpty(registration, where);
  });

  test('a body that pauses past the timeout is resumed where it stopped; success, byte-identical', async () => {
    const where = setup({ timeout: 400 });
    const size = 3 * KB16;
    const done = completion(where.manager, where);
    // One chunk per answer, then a pause of 5 s: each attempt keeps one chunk, the next resumes after it.
    const registration = await where.manager.fetch('pause', [`/bytes?size=${size}&chunk=${KB16}&delay=5000`]);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(seen('/bytes').map((request) => request.range)).toEqual([undefined, `bytes=${KB16}-`, `bytes=${2 * KB16}-`]);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('a body shorter than its Content-Length', () => {
  test('is never taken for a whole body: retried for the network patience, then fetch-error with nothing kept', async () => {
    const where = setup();
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('short', ['/short?size=100000&send=40000', '/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('fetch-error');
    expectNoLoss(outcome, ['TypeError', FEATURE]);
    // Whether a retry asks for a Range depends on how much of the cut body the HTTP client handed
    // over before its error (undici drops it); /short answers 200 either way, so each restarts from 0.
    expect(seen('/short').length).toBeGreaterThanOrEqual(2);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('a 206 with a wrong Content-Range', () => {
  test.each(['wrong-start', 'no-header', 'garbage'])('(%s) to a resume is an invalid partial response: fetch-error, nothing kept', async (mode) => {
    const where = setup({ timeout: 400 });
    const size = 3 * KB16;
    const done = completion(where.manager, where);
    // The pause makes the first answer stall after one chunk, so the second request has a Range.
    const registration = await where.manager.fetch('bad-range', [`/bad-range?size=${size}&mode=${mode}&chunk=${KB16}&delay=5000`, '/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('fetch-error');
    expectNoLoss(outcome, ['TypeError', FEATURE]);
    // An untrustworthy partial response is not retried: the same server would answer the same.
    expect(seen('/bad-range').map((request) => request.range)).toEqual([undefined, `bytes=${KB16}-`]);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('a 206 to a request without Range', () => {
  test('covering the whole body (unsolicited) is taken as the whole body: success, status 206, byte-identical', async () => {
    const where = setup();
    const size = 200_000;
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('unsolicited', [`/bad-range?size=${size}&mode=unsolicited`]);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expect(outcome.statuses).toEqual([206]);
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(seen('/bad-range')).toHaveLength(1);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('the resource changing between attempts (new ETag)', () => {
  test('If-Range gets the new content whole; the record restarts and is counted once', async () => {
    const where = setup();
    const size = 300_000;
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('changing', [`/changing?size=${size}&after=100000&chunk=${KB16}`]);
    const downloaded = track(registration);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size, 'v2')]);
    expect(Math.max(...downloaded)).toBe(size);
    const [first, second, ...more] = seen('/changing');
    expect(more).toEqual([]);
    expect(first.range).toBeUndefined();
    expect(second.headers['if-range']).toBe('"v1"');
    await expectSettledAndEmpty(registration, where);
  });
});

describe('503 then success', () => {
  test('the 503 is retried; success with the second answer', async () => {
    const where = setup();
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('flaky', ['/flaky?status=503&times=1&size=1000']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(1000)]);
    expect(seen('/flaky')).toHaveLength(2);
    await expectSettledAndEmpty(registration, where);
  });

  test('a 503 that outlasts the retries is the record’s bad-status answer, body kept and readable', async () => {
    const where = setup();
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('flaky', ['/flaky?status=503&times=99', '/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('bad-status');
    expect(outcome.statuses).toEqual([503, 200]);
    expectNoLoss(outcome, [Buffer.alloc(0), FEATURE]);
    expect(seen('/flaky')).toHaveLength(3);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('429 with Retry-After', () => {
  /**
   * What happened, in order: requests and answers seen by the manager's `fetch`, and the
   * timers of at least `min` ms that fired (by a spy on setTimeout), so the wait is proved by
   * ordering rather than by measuring wall time.
   */
  function recordOrder(min: number) {
    const log: string[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
      realSetTimeout(
        (...inner: unknown[]) => {
          if ((ms ?? 0) >= min) log.push(`waited ${ms} ms`);
          callback(...inner);
        },
        ms,
        ...args,
      )) as typeof setTimeout);
    const fetchSpy: typeof fetch = async (input, init) => {
      log.push(`request ${suite.server.requests.length + 1}`);
      const response = await fetch(input, init);
      log.push(`answer ${response.status}`);
      return response;
    };
    return { log, fetch: fetchSpy, restore: () => spy.mockRestore() };
  }

  test('the retry is sent only after the Retry-After wait, not the retry delay', async () => {
    const order = recordOrder(1000);
    try {
      const delay = jest.fn(() => 10);
      const where = setup({ fetch: order.fetch, retry: { limit: 2, delay }, timeout: 5000 });
      const done = completion(where.manager, where);
      const registration = await where.manager.fetch('limited', ['/flaky?status=429&retryAfter=1&times=1&size=100']);
      const outcome = await done;
      expect(outcome.type).toBe('backgroundfetchsuccess');
      expectNoLoss(outcome, [bodyOf(100)]);
      expect(order.log).toEqual(['request 1', 'answer 429', 'waited 1000 ms', 'request 2', 'answer 200']);
      expect(delay).not.toHaveBeenCalled();
      expect(seen('/flaky')).toHaveLength(2);
      await expectSettledAndEmpty(registration, where);
    } finally {
      order.restore();
    }
  });

  test('a Retry-After longer than retry.backoffLimit waits backoffLimit, not an hour', async () => {
    const order = recordOrder(50);
    try {
      const where = setup({ fetch: order.fetch, retry: { limit: 2, delay: () => 10, backoffLimit: 50 } });
      const done = completion(where.manager, where);
      const registration = await where.manager.fetch('limited', ['/flaky?status=429&retryAfter=3600&times=1&size=100']);
      const outcome = await done;
      expect(outcome.type).toBe('backgroundfetchsuccess');
      expectNoLoss(outcome, [bodyOf(100)]);
      expect(order.log).toEqual(['request 1', 'answer 429', 'waited 50 ms', 'request 2', 'answer 200']);
      await expectSettledAndEmpty(registration, where);
    } finally {
      order.restore();
    }
  }, 10_000);
});

describe('slow headers', () => {
  test('within the timeout: success', async () => {
    const where = setup({ timeout: 2000 });
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('slow', ['/stall-headers?delay=200']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [FEATURE]);
    expect(seen('/stall-headers')).toHaveLength(1);
    await expectSettledAndEmpty(registration, where);
  });

  test('beyond the timeout: retried like a network failure for the network patience, then fetch-error', async () => {
    const where = setup({ timeout: 400 });
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('slow', ['/stall-headers?delay=5000', '/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('fetch-error');
    expectNoLoss(outcome, ['TypeError', FEATURE]);
    expect(seen('/stall-headers').length).toBeGreaterThanOrEqual(2);
    await expectSettledAndEmpty(registration, where);
  });

  test('beyond the timeout once, then in time: the retry succeeds', async () => {
    let calls = 0;
    // The first attempt goes to a route whose headers stall; the retry to the real one.
    const stallFirst: typeof fetch = (input, init) =>
      calls++ === 0 ? fetch(`${suite.server.url}/stall-headers?delay=5000`, { signal: (input as Request).signal }) : fetch(input, init);
    const where = setup({ timeout: 400, fetch: stallFirst });
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('slow', ['/feature-name.txt']);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [FEATURE]);
    expect(suite.server.requests.map((request) => request.path)).toEqual(['/stall-headers', '/feature-name.txt']);
    await expectSettledAndEmpty(registration, where);
  });
});

describe('a server restarted in the middle of a fetch', () => {
  test('the fetch resumes from the bytes stored once the server is back; success, byte-identical', async () => {
    const where = setup({ retry: { limit: 3, delay: () => 20 } });
    const size = 1024 * 1024;
    const done = completion(where.manager, where);
    const registration = await where.manager.fetch('restart', [`/bytes?size=${size}&chunk=${KB16}&delay=5`]);
    const downloaded = track(registration);
    await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded > size / 4)));
    await suite.server.restart();
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(Math.max(...downloaded)).toBe(size);
    const ranged = seen('/bytes').filter((request) => request.range !== undefined);
    expect(ranged).toHaveLength(1);
    expect(rangeStart(ranged[0].range)).toBeGreaterThan(size / 4);
    await expectSettledAndEmpty(registration, where);
  });
});
