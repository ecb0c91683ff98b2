/**
 * Downloads that outlive the network (issue 12 §1, §2): a GET record keeps its bytes through an
 * outage and resumes with `Range`; only time online counts against the patience; an `online`
 * event retries at once; one retry budget per record, counted on the server; `waiting$` and the
 * scope's `ids$`. Patience and backoff are made small here; the server really stops listening.
 */
import { BehaviorSubject, firstValueFrom } from 'rxjs';
import type { BackgroundFetchManager } from '../../src';
import { bodyOf } from '../helpers/testServer';
import { completion, expectNoLoss, expectSettledAndEmpty, fresh, rangeStart, until, reliabilitySuite, type Fresh } from './support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 20, backoffLimit: 100 }, timeout: 2000 });

const manager = suite.manager;
// A test that took the server down brings it back for the next one.
afterEach(() => suite.server.up().catch(() => undefined));

/** Every `waiting$` value of the registration from now on. */
function waits(registration: { waiting$: { subscribe(next: (value: boolean) => void): unknown } }): boolean[] {
  const seen: boolean[] = [];
  registration.waiting$.subscribe((value) => seen.push(value));
  return seen;
}

const size = 4_000_000;
const slow = (seed: string) => `/bytes?size=${size}&seed=${seed}&chunk=65536&delay=20`;
const bytesRequests = () => suite.server.requests.filter((request) => request.path === '/bytes');

describe('a server unreachable in the middle of a download', () => {
  test.each(['indexeddb', 'memory'] as const)('(%s) for less than the patience: the fetch waits, resumes with Range from the stored bytes and succeeds byte-exact', async (kind) => {
    const where = fresh(kind, 'network');
    const target = manager(where, { patience: 20_000 });
    const done = completion(target, where);
    const registration = await target.fetch('outage', [slow('o')]);
    const seen = waits(registration);
    await until(() => registration.downloaded > size / 4, 'a quarter of the body');
    await suite.server.down();
    await until(() => seen.includes(true), 'waiting$ to say the fetch waits for the network');
    const held = registration.downloaded;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(registration.result).toBe('');
    expect(registration.downloaded).toBe(held);
    await suite.server.up();
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size, 'o')]);
    const requests = bytesRequests();
    expect(requests[0].range).toBeUndefined();
    // At most one chunk fetched twice: the resume starts within a chunk of what was stored.
    const resumedAt = rangeStart(requests.at(-1)?.range);
    expect(resumedAt).toBeGreaterThanOrEqual(held - 65_536);
    expect(resumedAt).toBeLessThanOrEqual(held);
    expect(seen.at(-1)).toBe(false);
    await expectSettledAndEmpty(registration, where);
  });

  test('for longer than the patience: fetch-error once the patience is used up, the bytes dropped', async () => {
    const where = fresh('memory', 'network');
    const target = manager(where, { patience: 600 });
    const done = completion(target, where);
    const registration = await target.fetch('gone', [slow('g')]);
    await until(() => registration.downloaded > 0, 'the first bytes');
    const started = Date.now();
    await suite.server.down();
    const outcome = await done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state).toMatchObject({ failureReason: 'fetch-error', downloaded: 0 });
    expect(outcome.bodies).toEqual(['TypeError']);
  });

  test('refused from the very first request, then back within the patience: the fetch waits, then succeeds', async () => {
    const where = fresh('memory', 'network');
    const target = manager(where, { patience: 20_000 });
    await suite.server.down();
    const done = completion(target, where);
    const registration = await target.fetch('early', [`/bytes?size=100000&seed=e`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(registration.result).toBe('');
    await suite.server.up();
    expectNoLoss(await done, [bodyOf(100_000, 'e')]);
  });
});

describe('offline time never counts', () => {
  /** A manager whose platform reports `online$`, with a backoff of a minute: only an online event can bring a retry within a test. */
  function offlineManager(where: Fresh, online$: BehaviorSubject<boolean>, sent: number[]): BackgroundFetchManager {
    return manager(where, {
      online$,
      retry: { limit: 2, delay: () => 60_000, backoffLimit: 60_000 },
      patience: 300,
      fetch: (input, init) => (sent.push(Date.now()), globalThis.fetch(input, init)),
    });
  }

  test('offline for longer than the patience in the middle of a download: no attempt, then at the online event it goes on at once', async () => {
    const online$ = new BehaviorSubject(true);
    const sent: number[] = [];
    const where = fresh('memory', 'network');
    const target = offlineManager(where, online$, sent);
    const done = completion(target, where);
    const registration = await target.fetch('offline', [slow('f')]);
    const seen = waits(registration);
    await until(() => registration.downloaded > size / 4, 'a quarter of the body');
    online$.next(false);
    await suite.server.down();
    await until(() => seen.includes(true), 'waiting$ to say the fetch waits');
    const attempts = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sent).toHaveLength(attempts);
    expect(registration.result).toBe('');
    await suite.server.up();
    online$.next(true);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size, 'f')]);
    expect(rangeStart(bytesRequests().at(-1)?.range)).toBeGreaterThan(0);
  });

  test('a fetch started offline sends nothing until the online event', async () => {
    const online$ = new BehaviorSubject(false);
    const sent: number[] = [];
    const where = fresh('memory', 'network');
    const target = offlineManager(where, online$, sent);
    const done = completion(target, where);
    const registration = await target.fetch('later', ['/feature-name.txt']);
    expect(await firstValueFrom(registration.waiting$)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sent).toEqual([]);
    online$.next(true);
    expectNoLoss(await done, [Buffer.from('Background Fetch')]);
  });
});

describe('one retry budget per record, counted on the server', () => {
  test('status retries across resumes spend one budget: a body cut, two 503s, a cut, then the 503 is the answer', async () => {
    const where = fresh('memory', 'network');
    const target = manager(where, { patience: 20_000 });
    const done = completion(target, where);
    await target.fetch('budget', [`/script?size=200000&after=50000&steps=c55c5555&seed=b`]);
    const outcome = await done;
    // limit 2: the first cut and the second are network failures (resumed); the 503s spend the
    // budget once each: 2 retries, then the third 503 is the record's answer.
    expect(outcome.type).toBe('backgroundfetchfail');
    expect(outcome.state.failureReason).toBe('bad-status');
    expect(suite.server.requests.filter((request) => request.path === '/script')).toHaveLength(5);
  });

  test('503 on every attempt: exactly limit + 1 requests', async () => {
    const where = fresh('memory', 'network');
    const target = manager(where);
    const done = completion(target, where);
    await target.fetch('flaky', ['/flaky?times=99']);
    const outcome = await done;
    expect(outcome.state.failureReason).toBe('bad-status');
    expect(suite.server.requests.filter((request) => request.path === '/flaky')).toHaveLength(3);
  });
});

describe('ids$: every fetch of the scope', () => {
  test('a second manager of the scope sees fetches started by the first, as they start and end', async () => {
    const where = fresh('memory', 'network');
    const first = manager(where);
    const second = manager(where);
    const lists: string[][] = [];
    second.ids$.subscribe((ids) => lists.push(ids));
    await until(() => lists.length > 0, 'the first list');
    expect(lists[0]).toEqual([]);
    const done = completion(first, where, 'b');
    await first.fetch('a', ['/slow?delay=300&size=10']);
    await first.fetch('b', ['/feature-name.txt']);
    await done;
    await until(() => lists.at(-1)?.join() === '', 'both to end');
    expect(lists).toContainEqual(['a']);
    expect(lists).toContainEqual(['a', 'b']);
    expect(await firstValueFrom(second.ids$)).toEqual([]);
  });
});
