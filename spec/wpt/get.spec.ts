/**
 * WPT `background-fetch/get.https.window.js` (GE-01..GE-03) and `get-ids.https.window.js`
 * (GI-01, GI-02). "Does not require an activated worker" becomes "works on a fresh manager":
 * the ponyfill has no worker to wait for.
 */
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FN, expectOverAndIdFree, managerFactory, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

/** `get` as script may call it, arguments unchecked by TypeScript. */
type LooseGet = (...args: unknown[]) => Promise<unknown>;

test('GE-01 BackgroundFetchManager.get() does not require an activated worker (a fresh manager)', async () => {
  const manager = managers.create();
  await expect(manager.get('x')).resolves.toBeUndefined();
});

test('GE-02 Getting non-existing registrations yields `undefined`', async () => {
  const manager = managers.create();
  const get = manager.get.bind(manager) as LooseGet;
  let missing: unknown;
  let empty: unknown;
  expect(() => (missing = get())).not.toThrow();
  expect(() => (empty = get(''))).not.toThrow();
  expect(missing).toBeInstanceOf(Promise);
  expect(empty).toBeInstanceOf(Promise);
  await expect(missing).rejects.toThrow(TypeError);
  await expect(empty).rejects.toThrow(TypeError);
  await expect(manager.get('my-id')).resolves.toBeUndefined();
});

test('GE-03 Getting an existing registration has the expected values', async () => {
  const manager = managers.create();
  const id = uniqueId();
  const registration = await manager.fetch(id, FN, { downloadTotal: 1234 });
  expect(registration.id).toBe(id);
  expect(registration.uploadTotal).toBe(0);
  expect(registration.uploaded).toBe(0);
  expect(registration.downloadTotal).toBe(1234);
  expect(registration.result).toBe('');
  expect(registration.failureReason).toBe('');
  expect(registration.recordsAvailable).toBe(true);
  const got = await manager.get(id);
  expect(got).toBeDefined();
  expect(got).toBe(registration); // API.md §3: the same object fetch() returned
  for (const name of ['id', 'uploadTotal', 'uploaded', 'downloadTotal', 'failureReason', 'recordsAvailable', 'downloaded'] as const) {
    expect(got![name]).toBe(registration[name]);
  }
  const final = await expectOverAndIdFree(manager, registration);
  expect(final).toMatchObject({ result: 'success', downloadTotal: 1234, downloaded: 16 });
});

test('GI-01 BackgroundFetchManager.getIds() does not require an activated worker (a fresh manager)', async () => {
  const manager = managers.create();
  const ids = await manager.getIds();
  expect(Array.isArray(ids)).toBe(true);
  expect(ids).toHaveLength(0);
});

test('GI-02 The BackgroundFetchManager exposes active fetches', async () => {
  const manager = managers.create();
  expect(await manager.getIds()).toHaveLength(0);
  const id = uniqueId();
  const registration = await manager.fetch(id, FN);
  expect(registration.id).toBe(id);
  const ids = await manager.getIds();
  expect(ids).toHaveLength(1);
  expect(ids[0]).toBe(id);
  // Scoped: a manager of another scope on the same store sees none of them.
  expect(await managers.create().getIds()).toEqual([]);
  await expectOverAndIdFree(manager, registration);
});
