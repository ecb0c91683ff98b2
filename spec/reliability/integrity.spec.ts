/**
 * What a skeptical user found (issue 11 §1–4): close() while a fetch is still being registered,
 * connections left open after a store failure, a live body stream when its manager closes, and
 * match() called twice on a record that finished beside one still running. Each case checks the
 * server's side too: which manager sent what, and whether any connection is left open.
 */
import { createMemoryStore } from '../../src';
import { bodyOf } from '../helpers/testServer';
import { withSinks } from '../store/support';
import { completion, expectNoLoss, expectSettledAndEmpty, fresh, until, reliabilitySuite } from './support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 10 }, timeout: 5000 });

const manager = suite.manager;

/** A `fetch` that counts what it sends, and when it sends it. */
function countingFetch(): { fetch: typeof fetch; sent: number[] } {
  const sent: number[] = [];
  return {
    sent,
    fetch: (input, init) => {
      sent.push(performance.now());
      return globalThis.fetch(input, init);
    },
  };
}

const microtasks = async (count: number) => {
  for (let turn = 0; turn < count; turn++) await Promise.resolve();
};
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('close() while fetch() is still registering it', () => {
  const size = 300_000;
  const path = `/bytes?size=${size}&chunk=8192&delay=1`;

  test.each([
    ['one setImmediate', nextTurn],
    ['three microtasks', () => microtasks(3)],
    ['no wait at all', () => Promise.resolve()],
  ])('(%s) nothing runs for the closed manager; the fetch is refused or resumed once, byte-exact', async (_, wait) => {
    const where = fresh('indexeddb', 'integrity');
    const closedOnes = countingFetch();
    const first = manager(where, { fetch: closedOnes.fetch });
    const registering = first.fetch('raced', [path]).then(
      () => 'registered' as const,
      (error: Error) => error.name,
    );
    await wait();
    await first.close();
    const closedAt = performance.now();
    const answer = await registering;

    const next = manager(where);
    const done = completion(next, where, 'raced');
    const ids = await next.getIds();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closedOnes.sent.filter((at) => at > closedAt)).toEqual([]);
    if (answer === 'registered') {
      expect(ids).toEqual(['raced']);
      const outcome = await done;
      expect(outcome.type).toBe('backgroundfetchsuccess');
      expectNoLoss(outcome, [bodyOf(size)]);
      await expectSettledAndEmpty(outcome.registration, where);
    } else {
      expect(answer).toBe('InvalidStateError');
      expect(ids).toEqual([]);
      expect(await where.store.load(where.scope)).toEqual([]);
    }
    expect(closedOnes.sent.filter((at) => at > closedAt)).toEqual([]);
  });

  test('swept across the turns of registration: every successful body byte-exact, no request from a closed manager', async () => {
    const answers = new Set<string>();
    for (let turns = 0; turns < 12; turns++) {
      const where = fresh('indexeddb', 'integrity');
      const closedOnes = countingFetch();
      const first = manager(where, { fetch: closedOnes.fetch });
      const registering = first.fetch('swept', [`/bytes?size=50000&chunk=8192&delay=1`]).then(
        () => 'registered',
        (error: Error) => error.name,
      );
      for (let turn = 0; turn < turns; turn++) await microtasks(turn % 2 === 0 ? 1 : 3).then(nextTurn);
      await first.close();
      const closedAt = performance.now();
      answers.add(await registering);
      const next = manager(where);
      const done = completion(next, where, 'swept');
      if ((await next.getIds()).includes('swept')) {
        const outcome = await done;
        expectNoLoss(outcome, [bodyOf(50_000)]);
        await expectSettledAndEmpty(outcome.registration, where);
      }
      expect(closedOnes.sent.filter((at) => at > closedAt)).toEqual([]);
      await next.close();
    }
    expect([...answers].every((answer) => answer === 'registered' || answer === 'InvalidStateError')).toBe(true);
  });
});

describe('a record that stops closes its connection at once', () => {
  // 2 MB trickled over 40 s: the connection is open for the whole test unless the client cuts it.
  const trickle = '/bytes?size=2000000&chunk=50000&delay=1000';

  test('quota-exceeded while storing: the request is cancelled, its connection closed', async () => {
    const where = fresh('indexeddb', 'integrity');
    const target = manager(where, { quota: async () => ({ usage: 0, quota: 50_000 }) });
    const done = completion(target, where);
    await target.fetch('over-quota', [trickle]);
    const outcome = await done;
    expect(outcome.state.failureReason).toBe('quota-exceeded');
    await until(() => suite.server.inFlight === 0, 'the server to see the connection closed', 5000);
  });

  test('a store whose write() throws: the request is cancelled, its connection closed', async () => {
    const memory = createMemoryStore();
    const failing = withSinks(memory, () => ({ write: () => Promise.reject(new Error('disk on fire')) }));
    const where = { store: failing, scope: fresh('memory', 'integrity').scope };
    const target = manager(where);
    const done = completion(target, where);
    await target.fetch('broken-store', [trickle]);
    const outcome = await done;
    expect(outcome.state.result).toBe('failure');
    await until(() => suite.server.inFlight === 0, 'the server to see the connection closed', 5000);
  });

  test('close() during a trickling body closes the connection too', async () => {
    const where = fresh('indexeddb', 'integrity');
    const target = manager(where);
    const registration = await target.fetch('closing', [trickle]);
    await until(() => registration.downloaded > 0, 'the first bytes');
    await target.close();
    await until(() => suite.server.inFlight === 0, 'the server to see the connection closed', 5000);
  });
});

describe('a live body stream when its manager closes', () => {
  test.each(['indexeddb', 'memory'] as const)('(%s) the pending read() rejects AbortError', async (kind) => {
    const where = fresh(kind, 'integrity');
    const target = manager(where);
    const registration = await target.fetch('live', ['/bytes?size=2000000&chunk=50000&delay=500']);
    const [record] = await registration.matchAll();
    const response = await record.responseReady;
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let next: Promise<unknown> = Promise.resolve();
    for (;;) {
      next = reader.read();
      const settled = await Promise.race([next.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);
      if (!settled) break;
    }
    await target.close();
    await expect(next).rejects.toMatchObject({ name: 'AbortError', message: expect.stringMatching(/closed/) });
  });

  test('a responseReady still waiting for its headers rejects AbortError when the manager closes', async () => {
    const where = fresh('memory', 'integrity');
    const target = manager(where);
    const registration = await target.fetch('headless', ['/slow?delay=20000&size=10']);
    const [record] = await registration.matchAll();
    const ready = record.responseReady;
    await until(() => suite.server.inFlight === 1, 'the request to be sent');
    await target.close();
    await expect(ready).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('match() twice on one record while another still runs', () => {
  test.each(['indexeddb', 'memory'] as const)('(%s) every record object of every call is readable', async (kind) => {
    const where = fresh(kind, 'integrity');
    const target = manager(where);
    const registration = await target.fetch('twice', ['/bytes?size=20000&seed=done', '/bytes?size=2000000&chunk=20000&delay=200']);
    // The first call reads the whole body, so the record has finished; the second keeps running.
    for (let call = 0; call < 3; call++) {
      const record = await registration.match(`${suite.server.url}/bytes?size=20000&seed=done`);
      const response = await Promise.race([record!.responseReady, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`call ${call}: responseReady never settled`)), 5000))]);
      expect(Buffer.from(await response.arrayBuffer()).equals(bodyOf(20_000, 'done'))).toBe(true);
    }
    expect(registration.result).toBe('');
  });
});
