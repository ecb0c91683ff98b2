/**
 * The Node counterpart of the WPT background-fetch harness (`resources/utils.js` and
 * `service_workers/sw*.js`, catalogued in /work/shared/research/wpt-background-fetch.md §0):
 * a fresh scope per test instead of a fresh service-worker registration, the manager itself as
 * the "service worker global", and the same normalised messages the WPT workers post.
 */
import { createServer } from 'node:net';
import { lastValueFrom } from 'rxjs';
import {
  BackgroundFetchManager,
  type BackgroundFetchEvent,
  type BackgroundFetchManagerOptions,
  type BackgroundFetchRecord,
  type BackgroundFetchRegistration,
} from '../../src';

/** The body of `/feature-name.txt` (the WPT resource `resources/feature-name.txt`). */
export const FEATURE = 'Background Fetch';
/** `FN` of the catalogue: the path the test server serves {@link FEATURE} on. */
export const FN = '/feature-name.txt';
/** A request that stays in flight until the test aborts it (the WPT `/common/slow.py`). */
export const SLOW = '/slow?delay=30000';

export type CompletionType = 'backgroundfetchsuccess' | 'backgroundfetchfail' | 'backgroundfetchabort';
const completionTypes: CompletionType[] = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort'];

/** What `sw.js` turns a record into: `null` when `responseReady` rejects. */
export interface RecordResult {
  url: string;
  status: number;
  text: string;
}

/** The message `sw.js` posts from inside the completion event's `waitUntil`. */
export interface Completion {
  type: CompletionType;
  /** `cloneRegistration(event.registration)`: a `for…in` copy without functions. */
  eventRegistration: Record<string, unknown>;
  results: Array<RecordResult | null>;
  /** Why each `null` result was null (the rejection), in the same order as `results`. */
  errors: unknown[];
  /** The event itself, to check its class and the registration object it carried. */
  event: BackgroundFetchEvent;
}

let scopes = 0;

/** A scope no other test uses: the WPT harness's "fresh service-worker registration". */
export function uniqueScope(prefix = 'wpt'): string {
  return `${prefix}-${process.pid}-${++scopes}`;
}

let ids = 0;

/** WPT's `uniqueId()`. */
export function uniqueId(): string {
  return `id${ids++}`;
}

/**
 * Makes managers for one test file and closes them after each test.
 *
 * @example
 * const managers = managerFactory(() => ({ baseURL: server.url }));
 * const manager = managers.create();
 */
export function managerFactory(defaults: () => BackgroundFetchManagerOptions): { create(options?: BackgroundFetchManagerOptions): BackgroundFetchManager } {
  const open: BackgroundFetchManager[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((manager) => manager.close()));
  });
  return {
    create(options = {}) {
      const manager = new BackgroundFetchManager({ store: 'memory', scope: uniqueScope(), retry: 0, patience: 0, ...defaults(), ...options });
      open.push(manager);
      return manager;
    },
  };
}

/** `cloneRegistration()` of `sw-helpers.js`: every enumerable property, inherited ones included, functions skipped. */
export function cloneRegistration(registration: BackgroundFetchRegistration): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in registration) {
    const value = (registration as unknown as Record<string, unknown>)[key];
    if (typeof value !== 'function') copy[key] = value;
  }
  return copy;
}

/** What `sw.js` does with one record. */
export async function toResult(record: BackgroundFetchRecord, errors: unknown[]): Promise<RecordResult | null> {
  let response: Response;
  try {
    response = await record.responseReady;
  } catch (error) {
    errors.push(error);
    return null;
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    text = 'error';
  }
  return { url: response.url, status: response.status, text };
}

/**
 * Resolves with the message `sw.js` would post for the next completion event of `manager`:
 * inside `event.waitUntil()` it runs `pick` (default `matchAll()`), normalises the answer into
 * an array and turns each record into a {@link RecordResult}.
 */
export function nextCompletion(
  manager: EventTarget,
  pick: (registration: BackgroundFetchRegistration) => Promise<BackgroundFetchRecord | BackgroundFetchRecord[] | undefined> = (registration) =>
    registration.matchAll(),
): Promise<Completion> {
  return new Promise((resolve, reject) => {
    const listener = (raw: Event) => {
      for (const type of completionTypes) manager.removeEventListener(type, listener);
      const event = raw as BackgroundFetchEvent;
      event.waitUntil(
        (async () => {
          const eventRegistration = cloneRegistration(event.registration);
          const picked = await pick(event.registration);
          const records = picked === undefined ? [] : Array.isArray(picked) ? picked : [picked];
          const errors: unknown[] = [];
          const results = await Promise.all(records.map((record) => toResult(record, errors)));
          resolve({ type: event.type as CompletionType, eventRegistration, results, errors, event });
        })().catch(reject),
      );
    };
    for (const type of completionTypes) manager.addEventListener(type, listener);
  });
}

/**
 * What every test checks once its fetch is over (`await lastValueFrom(state$)` waits for the
 * completion event and its `waitUntil` promises): the final state has `recordsAvailable` false,
 * `match()`/`matchAll()` reject `InvalidStateError`, the id is gone from `get`/`getIds`, and a
 * new fetch with the same id works (it is run to its end too).
 *
 * @returns the final state of `registration`.
 */
export async function expectOverAndIdFree(manager: BackgroundFetchManager, registration: BackgroundFetchRegistration) {
  const final = await lastValueFrom(registration.state$);
  expect(final.result).not.toBe('');
  expect(final.recordsAvailable).toBe(false);
  expect(registration.recordsAvailable).toBe(false);
  expect(registration.result).toBe(final.result);
  await expect(registration.match(FN)).rejects.toMatchObject({ name: 'InvalidStateError' });
  await expect(registration.matchAll()).rejects.toMatchObject({ name: 'InvalidStateError' });
  expect(await manager.getIds()).not.toContain(registration.id);
  expect(await manager.get(registration.id)).toBeUndefined();
  expect(await registration.abort()).toBe(false);

  const again = await manager.fetch(registration.id, FN);
  expect(again).not.toBe(registration);
  expect(again.id).toBe(registration.id);
  expect(await manager.getIds()).toContain(registration.id);
  expect(await manager.get(registration.id)).toBe(again);
  const reused = await lastValueFrom(again.state$);
  expect(reused).toMatchObject({ result: 'success', failureReason: '', downloaded: FEATURE.length, recordsAvailable: false });
  return final;
}

/** A loopback port nothing listens on: a request to it fails at the network level (ECONNREFUSED). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves after the current macrotask queue has run (`step_timeout(…, 0)`). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
