/**
 * Wrong input to every public function and option. Methods never throw synchronously: each
 * returns a promise that rejects with the right error type, a message naming what is wrong, and
 * nothing stored (the manager's `getIds()` is unchanged, the store was never asked to create a
 * fetch, and a fresh manager over the same scope and store finds nothing). Constructor options
 * are checked at once: a synchronous `TypeError`.
 */
import { lastValueFrom } from 'rxjs';
import {
  BackgroundFetchManager,
  BackgroundFetchRegistration,
  createMemoryStore,
  type BackgroundFetchManagerOptions,
  type BackgroundFetchStore,
  type BackgroundFetchUpdateUIEvent,
} from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const FN = '/feature-name.txt';
const SLOW = '/slow?delay=30000';
let scopes = 0;
const uniqueScope = () => `bad-input-${process.pid}-${++scopes}`;

/** A memory store that records every fetch it is asked to create. */
function countingStore(): { store: BackgroundFetchStore; created: string[] } {
  const inner = createMemoryStore();
  const created: string[] = [];
  return {
    created,
    store: {
      ...inner,
      async create(fetch) {
        created.push(fetch.id);
        await inner.create(fetch);
      },
    },
  };
}

/** Script-style access: arguments TypeScript would refuse. */
type Loose = (...args: unknown[]) => unknown;
const loose = <T extends object>(target: T, method: keyof T): Loose => (target[method] as Loose).bind(target);

/** What a row's setup leaves for its call and its teardown. */
interface Context {
  registration?: BackgroundFetchRegistration;
  event?: BackgroundFetchUpdateUIEvent;
  request?: Request;
  teardown?: () => Promise<void>;
}

interface Row {
  /** What is wrong. */
  input: string;
  /** The call, made as script would make it. */
  call: (manager: BackgroundFetchManager, context: Context) => unknown;
  /** `TypeError`, or the name of the `DOMException`. */
  error: typeof TypeError | string;
  /** The message must name the offending thing. */
  message: RegExp;
  setup?: (manager: BackgroundFetchManager) => Promise<Context>;
}

/** A fetch that stays active until the row's teardown aborts it. */
async function activeFetch(manager: BackgroundFetchManager): Promise<Context> {
  const registration = await manager.fetch('running', [FN, SLOW]);
  return {
    registration,
    async teardown() {
      await registration.abort();
      await lastValueFrom(registration.state$);
    },
  };
}

/** A fetch that has run to its end (records no longer available). */
async function finishedFetch(manager: BackgroundFetchManager): Promise<Context> {
  const registration = await manager.fetch('finished', FN);
  await lastValueFrom(registration.state$);
  return { registration };
}

/** A success event held open with waitUntil() until the teardown. */
async function activeEvent(manager: BackgroundFetchManager): Promise<Context> {
  let release!: () => void;
  const event = new Promise<BackgroundFetchUpdateUIEvent>((resolve) => {
    manager.addEventListener(
      'backgroundfetchsuccess',
      (raw) => {
        const held = raw as BackgroundFetchUpdateUIEvent;
        held.waitUntil(new Promise<void>((done) => (release = done)));
        resolve(held);
      },
      { once: true },
    );
  });
  const registration = await manager.fetch('eventful', FN);
  return {
    registration,
    event: await event,
    async teardown() {
      release();
      await lastValueFrom(registration.state$);
    },
  };
}

const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

const rows: Row[] = [
  // fetch(id, …)
  { input: 'fetch() id undefined', call: (m) => loose(m, 'fetch')(undefined, FN), error: TypeError, message: /id string, got undefined/ },
  { input: 'fetch() id 42', call: (m) => loose(m, 'fetch')(42, FN), error: TypeError, message: /id string, got number/ },
  { input: 'fetch() id null', call: (m) => loose(m, 'fetch')(null, FN), error: TypeError, message: /id string, got null/ },
  { input: "fetch() id ''", call: (m) => m.fetch('', FN), error: TypeError, message: /non-empty id/ },
  { input: 'fetch() id of 1 MB', call: (m) => m.fetch('x'.repeat(1 << 20), FN), error: TypeError, message: /at most 1024 characters, got 1048576/ },
  {
    input: 'fetch() id already active',
    setup: activeFetch,
    call: (m) => m.fetch('running', FN),
    error: TypeError,
    message: /"running" is already active/,
  },
  // fetch(…, requests)
  { input: 'requests undefined', call: (m) => loose(m, 'fetch')('r', undefined), error: TypeError, message: /needs a request/ },
  { input: 'requests null', call: (m) => loose(m, 'fetch')('r', null), error: TypeError, message: /needs a request/ },
  { input: 'requests []', call: (m) => m.fetch('r', []), error: TypeError, message: /list is empty/ },
  { input: 'requests [42]', call: (m) => loose(m, 'fetch')('r', [42]), error: TypeError, message: /Request 0 is a number/ },
  { input: 'requests [FN, {}]', call: (m) => loose(m, 'fetch')('r', [FN, {}]), error: TypeError, message: /Request 1 is a object/ },
  {
    input: 'a no-cors Request',
    call: (m) => m.fetch('r', new Request(url(FN), { mode: 'no-cors' })),
    error: TypeError,
    message: /no-cors/,
  },
  {
    input: 'a Request whose body was already read',
    setup: async () => {
      const request = new Request(url('/echo'), { method: 'POST', body: 'once' });
      await request.text();
      return { request };
    },
    call: (m, { request }) => m.fetch('r', [FN, request!]),
    error: TypeError,
    message: /body of the request for "http:\/\/127\.0\.0\.1:\d+\/echo" was already read/,
  },
  { input: "'data:text/plain,x'", call: (m) => m.fetch('r', 'data:text/plain,x'), error: TypeError, message: /"data:text\/plain,x"/ },
  { input: "'ftp://127.0.0.1/'", call: (m) => m.fetch('r', 'ftp://127.0.0.1/'), error: TypeError, message: /"ftp:\/\/127\.0\.0\.1\/"/ },
  { input: "'http://u:p@127.0.0.1/'", call: (m) => m.fetch('r', 'http://u:p@127.0.0.1/'), error: TypeError, message: /credentials/ },
  { input: "'http://[' (not a URL)", call: (m) => m.fetch('r', 'http://['), error: TypeError, message: /"http:\/\/\[" is not a valid URL/ },
  { input: 'a bad port (25)', call: (m) => m.fetch('r', 'http://127.0.0.1:25/'), error: TypeError, message: /Port 25/ },
  // Added to Fetch's list in 2024 (6679) and 2025 (0).
  { input: 'a bad port (6679)', call: (m) => m.fetch('r', 'http://127.0.0.1:6679/'), error: TypeError, message: /Port 6679/ },
  { input: 'a bad port (0)', call: (m) => m.fetch('r', 'http://127.0.0.1:0/'), error: TypeError, message: /Port 0 / },
  {
    input: '100,000 URLs',
    call: (m) => m.fetch('r', Array.from({ length: 100_000 }, (_, i) => `${FN}?${i}`)),
    error: TypeError,
    message: /at most 50000 requests, got 100000/,
  },
  // fetch(…, …, options)
  { input: 'downloadTotal -1', call: (m) => m.fetch('r', FN, { downloadTotal: -1 }), error: TypeError, message: /downloadTotal .*got -1\./ },
  { input: 'downloadTotal NaN', call: (m) => m.fetch('r', FN, { downloadTotal: NaN }), error: TypeError, message: /downloadTotal .*got NaN\./ },
  { input: 'downloadTotal 1.5', call: (m) => m.fetch('r', FN, { downloadTotal: 1.5 }), error: TypeError, message: /downloadTotal .*got 1\.5\./ },
  { input: "downloadTotal '10'", call: (m) => loose(m, 'fetch')('r', FN, { downloadTotal: '10' }), error: TypeError, message: /downloadTotal .*got "10"\./ },
  { input: 'downloadTotal Infinity', call: (m) => m.fetch('r', FN, { downloadTotal: Infinity }), error: TypeError, message: /downloadTotal .*got Infinity\./ },
  { input: 'title 42', call: (m) => loose(m, 'fetch')('r', FN, { title: 42 }), error: TypeError, message: /title must be a string, got number/ },
  { input: "icons 'x'", call: (m) => loose(m, 'fetch')('r', FN, { icons: 'x' }), error: TypeError, message: /icons must be an array.*got "x"/ },
  { input: 'icons [{}]', call: (m) => loose(m, 'fetch')('r', FN, { icons: [{}] }), error: TypeError, message: /icons\[0\] must be an object with a src/ },
  { input: "options 'x'", call: (m) => loose(m, 'fetch')('r', FN, 'x'), error: TypeError, message: /fetch\(\) options must be an object, got string/ },
  {
    input: 'downloadTotal over the quota',
    call: (m) => m.fetch('r', FN, { downloadTotal: 2000 }),
    error: 'QuotaExceededError',
    message: /downloadTotal \(2000 bytes\)/,
  },
  // get(id)
  { input: 'get() without an id', call: (m) => loose(m, 'get')(), error: TypeError, message: /get\(\) needs an id string, got undefined/ },
  { input: "get('')", call: (m) => m.get(''), error: TypeError, message: /get\(\) needs a non-empty id/ },
  { input: 'get(42)', call: (m) => loose(m, 'get')(42), error: TypeError, message: /get\(\) needs an id string, got number/ },
  // registration.match() / matchAll()
  {
    input: 'match() on a finished fetch',
    setup: finishedFetch,
    call: (_m, { registration }) => registration!.match(FN),
    error: 'InvalidStateError',
    message: /"finished" are no longer available/,
  },
  {
    input: 'matchAll() on a finished fetch',
    setup: finishedFetch,
    call: (_m, { registration }) => registration!.matchAll(),
    error: 'InvalidStateError',
    message: /"finished" are no longer available/,
  },
  {
    input: 'match() without a request',
    setup: activeFetch,
    call: (_m, { registration }) => loose(registration!, 'match')(),
    error: TypeError,
    message: /match\(\) needs a request/,
  },
  {
    input: "match('http://[')",
    setup: activeFetch,
    call: (_m, { registration }) => registration!.match('http://['),
    error: TypeError,
    message: /Cannot match "http:\/\/\["/,
  },
  {
    input: "matchAll('http://[')",
    setup: activeFetch,
    call: (_m, { registration }) => registration!.matchAll('http://['),
    error: TypeError,
    message: /Cannot match "http:\/\/\["/,
  },
  // event.updateUI(options)
  {
    input: "updateUI({ icons: 'x' })",
    setup: activeEvent,
    call: (_m, { event }) => loose(event!, 'updateUI')({ icons: 'x' }),
    error: TypeError,
    message: /icons must be an array.*got "x"/,
  },
  {
    input: 'updateUI({ title: 42 })',
    setup: activeEvent,
    call: (_m, { event }) => loose(event!, 'updateUI')({ title: 42 }),
    error: TypeError,
    message: /title must be a string, got number/,
  },
  {
    input: "updateUI('x')",
    setup: activeEvent,
    call: (_m, { event }) => loose(event!, 'updateUI')('x'),
    error: TypeError,
    message: /updateUI\(\) options must be an object, got string/,
  },
  // a method called on an object of another class (Web IDL: a rejected promise, not a throw)
  ...(['fetch', 'get', 'getIds', 'close'] as const).map(
    (method): Row => ({
      input: `BackgroundFetchManager.prototype.${method} on a plain object`,
      call: () => (BackgroundFetchManager.prototype[method] as Loose).call({}, 'r', FN),
      error: TypeError,
      message: /Receiver must be an instance of class Background|Cannot read private member/,
    }),
  ),
  ...(['abort', 'match', 'matchAll'] as const).map(
    (method): Row => ({
      input: `BackgroundFetchRegistration.prototype.${method} on a plain object`,
      call: () => (BackgroundFetchRegistration.prototype[method] as Loose).call({}, FN),
      error: TypeError,
      message: /Receiver must be an instance of class Background|Cannot read private member/,
    }),
  ),
  // any method of a closed manager
  ...(['fetch', 'get', 'getIds'] as const).map(
    (method): Row => ({
      input: `${method}() after close()`,
      setup: async (m) => (await m.close(), {}),
      call: (m) => loose(m, method)('after-close', FN),
      error: 'InvalidStateError',
      message: new RegExp(`${method}\\(\\) was called on a closed BackgroundFetchManager`),
    }),
  ),
];

test.each(rows.map((row) => [row.input, row] as const))('%s → a rejected promise, the right error, nothing stored', async (_input, row) => {
  const { store, created } = countingStore();
  const scope = uniqueScope();
  const options: BackgroundFetchManagerOptions = { store, scope, baseURL: server.url, retry: 0, quota: async () => ({ usage: 0, quota: 1000 }) };
  const manager = new BackgroundFetchManager(options);
  const context = (await row.setup?.(manager)) ?? {};
  const closed = row.input.endsWith('after close()');
  const idsBefore = closed ? [] : await manager.getIds();
  const createdBefore = created.length;

  let returned: unknown;
  expect(() => (returned = row.call(manager, context))).not.toThrow();
  expect(returned).toBeInstanceOf(Promise);
  const outcome = await (returned as Promise<unknown>).then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  expect(outcome).toHaveProperty('rejected');
  const error = (outcome as { rejected: Error }).rejected;
  if (typeof row.error === 'string') {
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe(row.error);
  } else {
    expect(error).toBeInstanceOf(row.error);
    expect(error).not.toBeInstanceOf(DOMException);
  }
  expect(error.message).toMatch(row.message);

  // Nothing stored.
  if (!closed) expect(await manager.getIds()).toEqual(idsBefore);
  expect(created).toHaveLength(createdBefore);
  await context.teardown?.();
  await manager.close();
  const fresh = new BackgroundFetchManager(options);
  try {
    expect(await fresh.getIds()).toEqual([]);
    expect(await store.load(scope)).toEqual([]);
  } finally {
    await fresh.close();
  }
});

/** What `run` throws synchronously (undefined when it does not). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

test('Headers with CR/LF never reach the library: the Request constructor throws first', async () => {
  const { store, created } = countingStore();
  const manager = new BackgroundFetchManager({ store, scope: uniqueScope(), baseURL: server.url });
  try {
    // Node's Request comes from the outer realm, so its TypeError is matched by name.
    const typeError = { name: 'TypeError', message: expect.stringContaining('Headers') };
    expect(thrown(() => new Request(url(FN), { headers: { 'X-Bad': 'a\r\nb' } }))).toMatchObject(typeError);
    expect(thrown(() => new Request(url(FN), { headers: [['X-Bad', 'a\nb']] }))).toMatchObject(typeError);
    expect(thrown(() => new Headers([['X-Bad', 'a\rb']]))).toMatchObject(typeError);
    // Built as an argument, the Request throws in the caller before fetch() is entered.
    const fetchSpy = jest.spyOn(manager, 'fetch');
    expect(thrown(() => manager.fetch('crlf', new Request(url(FN), { headers: [['X-Bad', 'a\r\nb']] })))).toMatchObject(typeError);
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
    expect(await manager.getIds()).toEqual([]);
    expect(created).toEqual([]);
    expect(server.requests.filter((request) => request.headers['x-bad'] !== undefined)).toEqual([]);
  } finally {
    await manager.close();
  }
});

test("a TypeError from updateUI() does not use up the event's one update", async () => {
  const manager = new BackgroundFetchManager({ store: 'memory', scope: uniqueScope(), baseURL: server.url });
  try {
    const context = await activeEvent(manager);
    await expect(loose(context.event!, 'updateUI')({ icons: 'x' })).rejects.toThrow(TypeError);
    await expect(context.event!.updateUI({ title: 'fine' })).resolves.toBeUndefined();
    await expect(context.event!.updateUI({ title: 'again' })).rejects.toMatchObject({ name: 'InvalidStateError' });
    await context.teardown!();
  } finally {
    await manager.close();
  }
});

describe('manager options: a synchronous TypeError from the constructor', () => {
  const fakeStore = {} as BackgroundFetchStore;
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['concurrency 0', { concurrency: 0 }, /concurrency .*got 0\./],
    ['concurrency -1', { concurrency: -1 }, /concurrency .*got -1\./],
    ['concurrency 1.5', { concurrency: 1.5 }, /concurrency .*got 1\.5\./],
    ['concurrency NaN', { concurrency: NaN }, /concurrency .*got NaN\./],
    ["concurrency '4'", { concurrency: '4' }, /concurrency .*got "4"\./],
    ['retry -1', { retry: -1 }, /retry\.limit .*got -1/],
    ["retry 'x'", { retry: 'x' }, /retry must be a number of retries or an options object, got string/],
    ['retry { limit: -1 }', { retry: { limit: -1 } }, /retry\.limit .*got -1/],
    ['progressInterval -1', { progressInterval: -1 }, /progressInterval .*got -1\./],
    ['progressInterval NaN', { progressInterval: NaN }, /progressInterval .*got NaN\./],
    ['timeout 0', { timeout: 0 }, /timeout .*got 0\./],
    // Timers hold at most 2 ** 31 - 1 ms; a longer one fires at once.
    ['timeout 2 ** 31', { timeout: 2 ** 31 }, /timeout must be a number of ms > 0 and ≤ 2147483647, got 2147483648\./],
    ['timeout Infinity', { timeout: Infinity }, /timeout .*got Infinity\./],
    ['progressInterval 3e9', { progressInterval: 3e9 }, /progressInterval must be a number of ms ≥ 0 and ≤ 2147483647, got 3000000000\./],
    ['retry { backoffLimit: 2 ** 31 }', { retry: { backoffLimit: 2 ** 31 } }, /retry\.backoffLimit .*≤ 2147483647, got 2147483648\./],
    ["quota 'x'", { quota: 'x' }, /quota must be a function/],
    ['fetch 1', { fetch: 1 }, /fetch must be a function, got 1\./],
    ['events {}', { events: {} }, /events must be an EventTarget/],
    ["store 'disk'", { store: 'disk' }, /store must be "indexeddb", "memory", or an object/],
    ['store {}', { store: fakeStore }, /store must be .*an object with the methods load/],
    ["scope ''", { scope: '' }, /scope must be a non-empty string/],
    ["baseURL 'not a url'", { baseURL: 'not a url' }, /baseURL must be an absolute URL, got not a url/],
  ];
  test.each(cases)('%s', async (_name, given, message) => {
    const { store, created } = countingStore();
    const scope = uniqueScope();
    const construct = () => new BackgroundFetchManager({ store, scope, baseURL: server.url, ...given } as BackgroundFetchManagerOptions);
    expect(construct).toThrow(TypeError);
    expect(construct).toThrow(message);
    const fresh = new BackgroundFetchManager({ store, scope, baseURL: server.url });
    try {
      expect(await fresh.getIds()).toEqual([]);
      expect(created).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  test('the longest waits a timer holds (2 ** 31 - 1 ms) are accepted and work as asked', async () => {
    const longest = 2 ** 31 - 1;
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const manager = new BackgroundFetchManager({
      store: 'memory',
      scope: uniqueScope(),
      baseURL: server.url,
      timeout: longest,
      progressInterval: longest,
      retry: { backoffLimit: longest },
    });
    try {
      const registration = await manager.fetch('longest', FN);
      const final = await lastValueFrom(registration.state$);
      expect(final).toMatchObject({ result: 'success', failureReason: '' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
      await manager.close();
    }
  });

  test('options that are not an object', () => {
    expect(() => new BackgroundFetchManager(42 as never)).toThrow(/options must be an object, got number/);
    expect(() => new BackgroundFetchManager(null as never)).toThrow(/options must be an object, got null/);
  });
});
