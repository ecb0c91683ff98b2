/**
 * Shared pieces of the reliability suite: a fresh store and scope per test, the outcome of a
 * fetch as its completion event sees it (bodies read inside `waitUntil`, bytes the store holds
 * at that moment), and the no-loss checks every fault and race case ends with.
 */
import 'fake-indexeddb/auto';
import { lastValueFrom } from 'rxjs';
import { startTestServer, type TestServer } from '../helpers/testServer';
export { until } from '../helpers/until';
import {
  BackgroundFetchManager,
  type BackgroundFetchManagerOptions,
  createMemoryStore,
  openIndexedDBStore,
  type BackgroundFetchRegistration,
  type BackgroundFetchState,
  type BackgroundFetchStore,
} from '../../src';

export type CompletionType = 'backgroundfetchsuccess' | 'backgroundfetchfail' | 'backgroundfetchabort';
export const completionTypes: readonly CompletionType[] = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort'];

/** A store and a scope no other test uses; `database` names the IndexedDB database behind it. */
export interface Fresh {
  readonly store: BackgroundFetchStore;
  readonly scope: string;
  readonly database: string | undefined;
}

let made = 0;

/**
 * A fresh store (its own IndexedDB database, or its own memory store) and scope.
 *
 * @example
 * const { store, scope } = fresh();
 * const manager = new BackgroundFetchManager({ store, scope, baseURL: server.url });
 */
export function fresh(kind: 'indexeddb' | 'memory' = 'indexeddb', prefix = 'reliability'): Fresh {
  made++;
  const scope = `${prefix}-scope-${process.pid}-${made}`;
  if (kind === 'memory') return { store: createMemoryStore(), scope, database: undefined };
  const database = `${prefix}-db-${process.pid}-${made}`;
  return { store: openIndexedDBStore({ database }), scope, database };
}

/** One fetch's end, as its completion event saw it. */
export interface Outcome {
  readonly type: CompletionType;
  readonly registration: BackgroundFetchRegistration;
  /** The registration's state inside the event. */
  readonly state: BackgroundFetchState;
  /** Each record's body, or the name of the error its `responseReady` (or body) rejected with. */
  readonly bodies: ReadonlyArray<Buffer | string>;
  /** Each record's response status, `null` when it has none. */
  readonly statuses: ReadonlyArray<number | null>;
  /** Bytes the store held for each record during the event. */
  readonly stored: readonly number[];
}

/**
 * Resolves with the next completion event of `target` for fetch `id` (any id when omitted): the
 * bodies are read and the store is looked at inside `event.waitUntil()`, while the records are
 * still there.
 *
 * @example
 * const done = completion(manager, fresh);
 * await manager.fetch('a', ['/feature-name.txt']);
 * const { type, bodies } = await done;
 */
export function completion(target: EventTarget, { store, scope }: Pick<Fresh, 'store' | 'scope'>, id?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const listener = (raw: Event) => {
      const event = raw as Event & { registration: BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
      const { registration } = event;
      if (id !== undefined && registration.id !== id) return;
      for (const type of completionTypes) target.removeEventListener(type, listener);
      const state = snapshot(registration);
      event.waitUntil(
        (async () => {
          const records = await registration.matchAll();
          const read = await Promise.all(
            records.map(async (record): Promise<[Buffer | string, number | null]> => {
              try {
                const response = await record.responseReady;
                try {
                  return [Buffer.from(await response.arrayBuffer()), response.status];
                } catch (error) {
                  return [(error as Error).name, response.status];
                }
              } catch (error) {
                return [(error as Error).name, null];
              }
            }),
          );
          const loaded = (await store.load(scope)).find((entry) => entry.fetch.id === registration.id);
          const stored = loaded === undefined ? [] : loaded.records.map((record) => record.bytes);
          resolve({ type: event.type as CompletionType, registration, state, bodies: read.map(([body]) => body), statuses: read.map(([, status]) => status), stored });
        })().catch(reject),
      );
    };
    for (const type of completionTypes) target.addEventListener(type, listener);
  });
}

/** The eight attributes of a registration, read now. */
export function snapshot(registration: BackgroundFetchRegistration): BackgroundFetchState {
  const { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable } = registration;
  return { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable };
}

/** Every `downloaded` value the registration reports from now on. */
export function track(registration: BackgroundFetchRegistration): number[] {
  const seen: number[] = [];
  registration.state$.subscribe((state) => seen.push(state.downloaded));
  return seen;
}

/**
 * The no-loss check: bytes reported = bytes stored = the bytes of the bodies read, and each body
 * is what was expected (a `Buffer` byte for byte, or the name of the error it rejected with).
 */
export function expectNoLoss(outcome: Outcome, expected: ReadonlyArray<Buffer | string>): void {
  expectCounted(outcome);
  expect(outcome.bodies.map(describe)).toEqual(expected.map(describe));
  outcome.bodies.forEach((body, index) => {
    const want = expected[index];
    if (Buffer.isBuffer(want)) expect(Buffer.isBuffer(body) && body.equals(want)).toBe(true);
  });
  const served = outcome.bodies.reduce((sum, body) => sum + (Buffer.isBuffer(body) ? body.length : 0), 0);
  const stored = outcome.stored.reduce((sum, bytes) => sum + bytes, 0);
  expect({ reported: outcome.state.downloaded, stored }).toEqual({ reported: served, stored: served });
}

/** Bytes reported = bytes stored (for fetches whose records were cut off, whose bodies cannot be read whole). */
export function expectCounted(outcome: Outcome): void {
  expect(outcome.state.downloaded).toBe(outcome.stored.reduce((sum, bytes) => sum + bytes, 0));
}

function describe(body: Buffer | string): string {
  return Buffer.isBuffer(body) ? `${body.length} bytes` : body;
}

/**
 * Waits for the state stream to end (the completion event handled, the store cleaned), then
 * checks the store holds nothing of `scope`, and for IndexedDB that no row but the schema is left.
 */
export async function expectSettledAndEmpty(registration: BackgroundFetchRegistration, { store, scope, database }: Fresh): Promise<BackgroundFetchState> {
  const final = await lastValueFrom(registration.state$);
  expect(final.recordsAvailable).toBe(false);
  expect(await store.load(scope)).toEqual([]);
  if (database !== undefined) expect(await indexedDBKeys(database)).toEqual([['schema']]);
  return final;
}

/** Every key of an IndexedDB store's database, read through a connection of its own. */
export function indexedDBKeys(database: string): Promise<IDBValidKey[]> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('fetches').objectStore('fetches').getAllKeys();
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        open.result.close();
        resolve(request.result);
      };
    };
  });
}

/** The start of a `Range: bytes=N-` header. */
export function rangeStart(range: string | undefined): number {
  const match = /^bytes=(\d+)-$/.exec(range ?? '');
  if (match === null) throw new Error(`Not an open range: ${String(range)}`);
  return Number(match[1]);
}

/** The test server of one spec file and the managers its tests open (see {@link reliabilitySuite}). */
export interface ReliabilitySuite {
  /** The running test server (set from `beforeAll` on). */
  readonly server: TestServer;
  /** A manager of `where` with the file's defaults and `options`, closed after the test. */
  manager(where: Pick<Fresh, 'store' | 'scope'>, options?: BackgroundFetchManagerOptions): BackgroundFetchManager;
  /** Closes this manager after the test too. */
  adopt(manager: BackgroundFetchManager): BackgroundFetchManager;
}

/**
 * The jest hooks every reliability file needs: a real test server started before the file,
 * reset before each test and closed after the file, and every manager a test opened closed
 * after it. `defaults` are the file's manager options (the base URL is the server's).
 *
 * @example
 * const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 10 }, timeout: 2000 });
 * const target = suite.manager(fresh(), { patience: 500 });
 */
export function reliabilitySuite(defaults: BackgroundFetchManagerOptions): ReliabilitySuite {
  let server: TestServer | undefined;
  const open: BackgroundFetchManager[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());
  beforeEach(() => server?.reset());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((manager) => manager.close()));
  });
  const suite: ReliabilitySuite = {
    get server() {
      if (server === undefined) throw new Error('The test server starts in beforeAll: use suite.server inside a test or hook.');
      return server;
    },
    manager: (where, options = {}) => suite.adopt(new BackgroundFetchManager({ store: where.store, scope: where.scope, baseURL: suite.server.url, progressInterval: 0, ...defaults, ...options })),
    adopt(manager) {
      open.push(manager);
      return manager;
    },
  };
  return suite;
}
