/**
 * @jest-environment node
 *
 * Soak (issue 7 §5): 1,000 registrations one after another, then 200 at once, small bodies.
 * Afterwards memory (heap after a full GC), registrations kept alive, listeners on the manager,
 * active ids, store entries and timers are back at their starting level, within a margin.
 */
import { getEventListeners } from 'node:events';
import { lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, createMemoryStore, type BackgroundFetchRegistration } from '../../src';
import { settle } from '../helpers/gc';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { completionTypes, fresh, indexedDBKeys, until, type Fresh } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Heap in use after full collections (a few, with turns between, so finalizers and weak maps settle). */
async function settledHeap(): Promise<number> {
  await settle();
  return process.memoryUsage().heapUsed;
}

const listeners = (target: EventTarget) => completionTypes.reduce((total, type) => total + getEventListeners(target, type).length, 0);
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/**
 * Runs fetches on one manager, one listener per completion type for all of them: each fetch's
 * body is read in its completion event and checked, and its registration is only weakly held.
 */
function harness(where: Fresh) {
  const manager = new BackgroundFetchManager({ store: where.store, scope: where.scope, baseURL: server.url, retry: { limit: 2, delay: () => 10 } });
  const waiting = new Map<string, (problem: string | null) => void>();
  const refs: Array<WeakRef<BackgroundFetchRegistration>> = [];
  const size = 256;
  const expected = bodyOf(size);
  for (const type of completionTypes) {
    manager.addEventListener(type, (raw) => {
      const event = raw as unknown as { registration: BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
      const { registration } = event;
      event.waitUntil(
        (async () => {
          const record = await registration.match(`/bytes?size=${size}&n=${registration.id}`);
          const body = Buffer.from(await (await record!.responseReady).arrayBuffer());
          const problem = type !== 'backgroundfetchsuccess' ? `${registration.id} ended with ${type}` : body.equals(expected) ? null : `${registration.id} has a wrong body`;
          waiting.get(registration.id)?.(problem);
          waiting.delete(registration.id);
        })(),
      );
    });
  }
  /** Starts fetch `id` and resolves once its completion event has been handled. */
  const one = async (id: string): Promise<void> => {
    const done = new Promise<string | null>((resolve) => waiting.set(id, resolve));
    const registration = await manager.fetch(id, [`/bytes?size=${size}&n=${id}`]);
    refs.push(new WeakRef(registration));
    const problem = await done;
    if (problem !== null) throw new Error(problem);
    // The state stream ends once the store is cleaned.
    const final = await lastValueFrom(registration.state$);
    if (final.recordsAvailable) throw new Error(`${id} ended with its records still available`);
  };
  return {
    manager,
    one,
    sequential: async (prefix: string, count: number) => {
      for (let index = 0; index < count; index++) await one(`${prefix}-${index}`);
    },
    parallel: (prefix: string, count: number) => Promise.all(Array.from({ length: count }, (_, index) => one(`${prefix}-${index}`))),
    alive: () => refs.filter((ref) => ref.deref() !== undefined).length,
    forget: () => (refs.length = 0),
  };
}

test('1,000 registrations one after another, then 200 at once: memory, listeners, ids and store entries return to their start', async () => {
  const where = { store: createMemoryStore(), scope: 'soak-memory', database: undefined };
  const run = harness(where);
  // Warm up (JIT, module caches, the HTTP client's connection pool) before the baseline.
  await run.sequential('warm', 50);
  await run.parallel('warm-parallel', 50);
  run.forget();
  server.reset(); // the server's own log of requests is not the library's memory
  const start = { heap: await settledHeap(), listeners: listeners(run.manager), timers: timers() };

  await run.sequential('one-by-one', 1000);
  await run.parallel('at-once', 200);

  expect(await run.manager.getIds()).toEqual([]);
  expect(await where.store.load(where.scope)).toEqual([]);
  expect(listeners(run.manager)).toBe(start.listeners);
  server.reset();
  const end = { heap: await settledHeap(), alive: run.alive() };
  // Every registration object can be collected once the test lets go of it.
  expect(end.alive).toBeLessThanOrEqual(2);
  expect(end.heap - start.heap).toBeLessThan(10 * 1024 * 1024);
  await until(() => timers() <= start.timers + 2, 'timers to return to their starting level');
  await until(() => server.inFlight === 0, 'every response to end');
  await run.manager.close();
}, 60_000);

test('on IndexedDB, 200 one after another and 100 at once leave no row but the schema', async () => {
  const where = fresh('indexeddb', 'soak');
  const run = harness(where);
  await run.sequential('one-by-one', 200);
  await run.parallel('at-once', 100);
  expect(await run.manager.getIds()).toEqual([]);
  expect(await where.store.load(where.scope)).toEqual([]);
  expect(await indexedDBKeys(where.database!)).toEqual([['schema']]);
  await run.manager.close();
}, 60_000);
