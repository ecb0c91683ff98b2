/**
 * WPT `background-fetch/match.https.window.js` (MA-01..MA-05). The worker-side cases run their
 * `match()` inside the completion event on the manager. The base URL is `/cors/` so a relative
 * request (`feature-name.txt`) can be matched by its absolute path, as in WPT.
 */
import type { BackgroundFetchRecord } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FEATURE, SLOW, expectOverAndIdFree, managerFactory, nextCompletion, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: `${server.url}/cors/` }));
const ABSOLUTE_PATH = '/cors/feature-name.txt';

test('MA-01 Matching to a single request should work', async () => {
  const manager = managers.create();
  const done = nextCompletion(manager, (registration) => registration.match(ABSOLUTE_PATH));
  const registration = await manager.fetch('matchexistingrequest', 'feature-name.txt');
  expect(registration.id).toBe('matchexistingrequest');
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.results).toEqual([{ url: server.url + ABSOLUTE_PATH, status: 200, text: FEATURE }]);
  expect(message.eventRegistration).toMatchObject({ id: registration.id, result: 'success', failureReason: '' });
  await expectOverAndIdFree(manager, registration);
});

test('MA-02 Matching to a non-existing request should work', async () => {
  const manager = managers.create();
  let matched: unknown = 'not called';
  const done = nextCompletion(manager, async (registration) => (matched = await registration.match('/cors/missing.txt')) as undefined);
  const registration = await manager.fetch('matchmissingrequest', 'feature-name.txt');
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(matched).toBeUndefined();
  expect(message.results).toHaveLength(0);
  expect(message.eventRegistration).toMatchObject({ id: registration.id, result: 'success', failureReason: '' });
  await expectOverAndIdFree(manager, registration);
});

test('MA-03 Matching multiple times on the same request works as expected.', async () => {
  const manager = managers.create();
  let records: BackgroundFetchRecord[] = [];
  const done = nextCompletion(manager, async (registration) => {
    const first = await registration.match(ABSOLUTE_PATH);
    const second = await registration.match(ABSOLUTE_PATH);
    records = [first!, second!];
    return records;
  });
  const registration = await manager.fetch('matchexistingrequesttwice', 'feature-name.txt');
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(records[0]).not.toBe(records[1]); // a new record object each call
  expect(message.results).toEqual([
    { url: server.url + ABSOLUTE_PATH, status: 200, text: FEATURE },
    { url: server.url + ABSOLUTE_PATH, status: 200, text: FEATURE },
  ]);
  await expectOverAndIdFree(manager, registration);
});

test('MA-04 Access to active fetches is supported.', async () => {
  const manager = managers.create();
  const registration = await manager.fetch(uniqueId(), ['feature-name.txt', SLOW]);
  const record = await registration.match('feature-name.txt');
  expect(record).toBeDefined();
  const response = await record!.responseReady;
  expect(response.url).toContain('feature-name.txt');
  expect(await response.text()).toBe(FEATURE);
  // Still running: the slow request has not answered.
  expect(registration.result).toBe('');
  expect(await manager.getIds()).toEqual([registration.id]);
  expect(await registration.abort()).toBe(true);
  await expectOverAndIdFree(manager, registration);
});

test('MA-05 Match with query options.', async () => {
  const manager = managers.create();
  const registration = await manager.fetch(uniqueId(), [
    ABSOLUTE_PATH,
    ABSOLUTE_PATH,
    `${ABSOLUTE_PATH}?id=3`,
    new Request(server.url + ABSOLUTE_PATH, { method: 'PUT' }),
    SLOW,
  ]);
  const count = async (options?: { ignoreSearch?: boolean; ignoreMethod?: boolean }) => (await registration.matchAll(ABSOLUTE_PATH, options)).length;
  expect(await count()).toBe(2);
  expect(await count({ ignoreSearch: true })).toBe(3);
  expect(await count({ ignoreMethod: true })).toBe(3);
  expect(await count({ ignoreSearch: true, ignoreMethod: true })).toBe(4);
  expect(registration.result).toBe(''); // all of it while the fetch is in progress
  // Request order, and the PUT one really is the PUT.
  const all = await registration.matchAll(ABSOLUTE_PATH, { ignoreSearch: true, ignoreMethod: true });
  expect(all.map((record) => `${record.request.method} ${new URL(record.request.url).search}`)).toEqual(['GET ', 'GET ', 'GET ?id=3', 'PUT ']);
  expect(await registration.abort()).toBe(true);
  await expectOverAndIdFree(manager, registration);
});
