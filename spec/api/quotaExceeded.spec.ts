/**
 * Issue 11 §8: where the platform has the `QuotaExceededError` class (Web IDL; Chromium 138+),
 * an over-quota `fetch()` rejects with an instance of it, `quota` and `requested` filled in; else
 * with a `DOMException` named `QuotaExceededError`. Node 20 has no such class, so the instance
 * path installs a stand-in shaped as the spec says for the test's duration.
 */
import { memorySink } from '../../operators/memorySink';
import { BackgroundFetchManager } from '../../src';
import { guardSink } from '../../src/engine/guardedSink';
import { fromWire, toWire } from '../../src/polyfill/protocol';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** `QuotaExceededError` as Web IDL defines it: a DOMException with nullable `quota` and `requested`. */
class QuotaExceededErrorStandIn extends DOMException {
  readonly #quota: number | null;
  readonly #requested: number | null;

  constructor(message = '', options: { quota?: number; requested?: number } = {}) {
    super(message, 'QuotaExceededError');
    const { quota = null, requested = null } = options;
    if ((quota !== null && quota < 0) || (requested !== null && requested < 0)) throw new RangeError('quota and requested must not be negative');
    if (quota !== null && requested !== null && requested < quota) throw new RangeError('requested must not be less than quota');
    this.#quota = quota;
    this.#requested = requested;
  }

  get quota(): number | null {
    return this.#quota;
  }

  get requested(): number | null {
    return this.#requested;
  }
}

const hasNative = 'QuotaExceededError' in globalThis;

/** Runs the test with the stand-in as `globalThis.QuotaExceededError`. */
function withStandIn(): void {
  beforeEach(() => {
    Object.defineProperty(globalThis, 'QuotaExceededError', { value: QuotaExceededErrorStandIn, configurable: true, writable: true });
  });
  afterEach(() => {
    delete (globalThis as { QuotaExceededError?: unknown }).QuotaExceededError;
  });
}

let scopes = 0;
const over = async () => {
  const manager = new BackgroundFetchManager({
    store: 'memory',
    scope: `quota-${process.pid}-${++scopes}`,
    baseURL: server.url,
    quota: async () => ({ usage: 400, quota: 1000 }),
  });
  try {
    const before = server.requests.length;
    const error = await manager.fetch('over', '/feature-name.txt', { downloadTotal: 601 }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(await manager.getIds()).toEqual([]);
    expect(server.requests.length).toBe(before);
    return error;
  } finally {
    await manager.close();
  }
};

test('Node 20 has no QuotaExceededError class (the stand-in is what proves the instance path)', () => {
  expect(hasNative).toBe(false);
});

describe('where the QuotaExceededError class exists', () => {
  withStandIn();

  test('an over-quota fetch() rejects with an instance of it, quota and requested (usage + downloadTotal) filled in', async () => {
    const error = await over();
    expect(error).toBeInstanceOf(QuotaExceededErrorStandIn);
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'QuotaExceededError', code: 22, quota: 1000, requested: 1001 });
    expect((error as Error).message).toBe('downloadTotal (601 bytes) is more than the 600 bytes of storage quota free.');
  });

  test('a store write past the quota rejects with an instance of it, quota and requested filled in', async () => {
    const sink = guardSink(memorySink(), async () => ({ usage: 100, quota: 1000 }));
    await sink.begin(0, { url: server.url, status: 200, statusText: 'OK', headers: [] }, 0);
    await sink.write(0, new Uint8Array(500));
    const error = await sink.write(0, new Uint8Array(401)).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(QuotaExceededErrorStandIn);
    expect(error).toMatchObject({ name: 'QuotaExceededError', quota: 1000, requested: 1001 });
  });

  test('it stays one across the polyfill’s wire (a page gets what the host threw)', () => {
    const error = fromWire(structuredClone(toWire(new QuotaExceededErrorStandIn('Over.', { quota: 1000, requested: 1001 }))));
    expect(error).toBeInstanceOf(QuotaExceededErrorStandIn);
    expect(error).toMatchObject({ name: 'QuotaExceededError', message: 'Over.', quota: 1000, requested: 1001 });
  });

  test('figures the class would refuse (a negative quota from a custom quota function) are left out, not thrown', async () => {
    const sink = guardSink(memorySink(), async () => ({ usage: 0, quota: -1 }));
    await sink.begin(0, { url: server.url, status: 200, statusText: 'OK', headers: [] }, 0);
    const error = await sink.write(0, new Uint8Array(1)).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(QuotaExceededErrorStandIn);
    expect(error).toMatchObject({ name: 'QuotaExceededError', quota: null, requested: 1 });
  });
});

describe('where it does not', () => {
  test('an over-quota fetch() rejects with a DOMException named QuotaExceededError', async () => {
    const error = await over();
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'QuotaExceededError', code: 22 });
    expect(error).not.toHaveProperty('quota');
  });

  test('the polyfill’s wire gives a DOMException named QuotaExceededError', () => {
    const error = fromWire(structuredClone(toWire(new DOMException('Over.', 'QuotaExceededError'))));
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'QuotaExceededError', message: 'Over.', code: 22 });
  });
});
