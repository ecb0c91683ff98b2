/**
 * WPT `background-fetch/fetch.https.window.js` (FE-02..FE-14), run against the ponyfill in Node
 * with a local server. FE-01 needs a service-worker registration that is not active yet, which
 * the ponyfill does not have.
 */
import { lastValueFrom } from 'rxjs';
import { BackgroundFetchUpdateUIEvent } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FEATURE, FN, closedPort, expectOverAndIdFree, managerFactory, nextCompletion, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

test('FE-02 Argument verification is done for BackgroundFetchManager.fetch()', async () => {
  const manager = managers.create();
  const id = uniqueId();
  await expect(manager.fetch(id, [])).rejects.toThrow(TypeError);
  await expect(manager.fetch(id, `http://user:pass@127.0.0.1:${server.port}/secret.txt`)).rejects.toThrow(TypeError);
  await expect(manager.fetch(id, new Request(server.url + FN, { mode: 'no-cors' }))).rejects.toThrow(TypeError);
  expect(await manager.getIds()).toEqual([]);
  expect(server.requests.filter((request) => request.path === '/secret.txt')).toEqual([]);
  // The id was never taken: it is free for a good fetch.
  const registration = await manager.fetch(id, FN);
  await expectOverAndIdFree(manager, registration);
});

test('FE-03 IDs must be unique among active Background Fetch registrations', async () => {
  const manager = managers.create();
  const both = [manager.fetch('my-id', `${FN}?1`), manager.fetch('my-id', `${FN}?2`)];
  await expect(Promise.all(both)).rejects.toThrow(TypeError);
  const [first, second] = await Promise.allSettled(both);
  expect(first.status).toBe('fulfilled');
  expect(second.status).toBe('rejected');
  expect((second as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
  expect(String((second as PromiseRejectedResult).reason.message)).toContain('my-id');
  const registration = (first as PromiseFulfilledResult<Awaited<(typeof both)[0]>>).value;
  expect(await manager.getIds()).toEqual(['my-id']);
  const final = await expectOverAndIdFree(manager, registration);
  expect(final.result).toBe('success');
  expect(server.requests.filter((request) => request.url === `${FN}?2`)).toEqual([]);
});

test("FE-04 Empty URL is OK. ('' resolves against the manager's baseURL)", async () => {
  const manager = managers.create({ baseURL: server.url + FN });
  const id = uniqueId();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(id, '');
  expect(registration.id).toBe(id);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.eventRegistration).toMatchObject({ id, result: 'success', failureReason: '' });
  expect(message.results).toEqual([{ url: server.url + FN, status: 200, text: FEATURE }]);
  await expectOverAndIdFree(manager, registration);
});

test('FE-05 Requests with PUT method require CORS Preflight and succeed. (a PUT to a local route)', async () => {
  const manager = managers.create();
  const id = uniqueId();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(id, new Request(`${server.url}/cors${FN}`, { method: 'PUT' }));
  expect(registration.id).toBe(id);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.eventRegistration).toMatchObject({ id, result: 'success', failureReason: '' });
  expect(message.results).toEqual([{ url: `${server.url}/cors${FN}`, status: 200, text: FEATURE }]);
  expect(server.requests.filter((request) => request.path === `/cors${FN}`).map((request) => request.method)).toEqual(['PUT']);
  await expectOverAndIdFree(manager, registration);
});

test('FE-06 Requests with text/json content type require CORS Preflight and succeed. (a POST to a local route)', async () => {
  const manager = managers.create();
  const id = uniqueId();
  const done = nextCompletion(manager);
  const url = `${server.url}/cors/echo?fe06`;
  const registration = await manager.fetch(id, new Request(url, { method: 'POST', headers: { 'Content-Type': 'text/json' }, body: '{"a":1}' }));
  expect(registration.id).toBe(id);
  expect(registration.uploadTotal).toBe(7);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.eventRegistration).toMatchObject({ id, result: 'success', failureReason: '', uploaded: 7 });
  expect(message.results).toEqual([{ url, status: 200, text: '{"a":1}' }]);
  const seen = server.requests.filter((request) => request.url === '/cors/echo?fe06');
  expect(seen.map((request) => [request.method, request.headers['content-type']])).toEqual([['POST', 'text/json']]);
  await expectOverAndIdFree(manager, registration);
});

test('FE-07 Using Background Fetch to successfully fetch a single resource', async () => {
  const manager = managers.create();
  const id = uniqueId();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(id, FN);
  expect(registration.id).toBe(id);
  expect(registration.uploadTotal).toBe(0);
  expect(registration.uploaded).toBe(0);
  expect(registration.downloadTotal).toBe(0);
  expect(registration.result).toBe('');
  expect(registration.failureReason).toBe('');
  expect(registration.recordsAvailable).toBe(true);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.event).toBeInstanceOf(BackgroundFetchUpdateUIEvent);
  expect(message.results).toHaveLength(1);
  expect(message.eventRegistration.id).toBe(registration.id);
  expect(message.eventRegistration.result).toBe('success');
  expect(message.eventRegistration.failureReason).toBe('');
  expect(message.results[0]!.url).toContain(FN);
  expect(message.results[0]!.status).toBe(200);
  expect(message.results[0]!.text).toBe(FEATURE);
  await expectOverAndIdFree(manager, registration);
});

test('FE-08 Registration object gets updated values when a background fetch completes.', async () => {
  const manager = managers.create();
  const id = uniqueId();
  let inEvent: { result: string; failureReason: string; same: boolean } | undefined;
  let registration!: Awaited<ReturnType<typeof manager.fetch>>;
  const done = nextCompletion(manager, (eventRegistration) => {
    inEvent = { result: registration.result, failureReason: registration.failureReason, same: eventRegistration === registration };
    return eventRegistration.matchAll();
  });
  registration = await manager.fetch(id, FN);
  expect(registration.result).toBe('');
  expect(registration.failureReason).toBe('');
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.eventRegistration.id).toBe(registration.id);
  // The page's own object already shows the final values while the listener runs.
  expect(inEvent).toEqual({ result: 'success', failureReason: '', same: true });
  expect(registration.result).toBe('success');
  expect(registration.failureReason).toBe('');
  await expectOverAndIdFree(manager, registration);
});

describe('FE-09 Background Fetch that exceeds the quota throws a QuotaExceededError', () => {
  test('FE-09 downloadTotal MAX_SAFE_INTEGER with 1000 bytes of quota rejects and stores nothing', async () => {
    const manager = managers.create({ quota: async () => ({ usage: 0, quota: 1000 }) });
    const before = server.requests.length;
    const error = await manager.fetch(uniqueId(), FN, { downloadTotal: Number.MAX_SAFE_INTEGER }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(DOMException);
    expect(error).toMatchObject({ name: 'QuotaExceededError', code: 22 });
    expect(await manager.getIds()).toEqual([]);
    expect(server.requests.length).toBe(before);
  });

  test('FE-09 the limit is the free quota (quota - usage): equal passes, one more byte rejects', async () => {
    const manager = managers.create({ quota: async () => ({ usage: 400, quota: 1000 }) });
    await expect(manager.fetch('over', FN, { downloadTotal: 601 })).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(await manager.getIds()).toEqual([]);
    const registration = await manager.fetch('exact', FN, { downloadTotal: 600 });
    expect(registration.downloadTotal).toBe(600);
    expect(await manager.getIds()).toEqual(['exact']);
    await expectOverAndIdFree(manager, registration);
  });
});

test('FE-10 Fetches can have requests with duplicate URLs', async () => {
  const manager = managers.create();
  const done = nextCompletion(manager);
  const registration = await manager.fetch('my-id', [FN, FN]);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.results).toHaveLength(2);
  expect(message.eventRegistration).toMatchObject({ id: registration.id, result: 'success', failureReason: '' });
  for (const result of message.results) {
    expect(result).toEqual({ url: server.url + FN, status: 200, text: FEATURE });
  }
  expect(registration.downloaded).toBe(2 * FEATURE.length);
  await expectOverAndIdFree(manager, registration);
});

test('FE-11 recordsAvailable is false after onbackgroundfetchsuccess finishes execution.', async () => {
  const manager = managers.create();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let dispatched!: () => void;
  const inEvent = new Promise<void>((resolve) => (dispatched = resolve));
  manager.addEventListener('backgroundfetchsuccess', (event) => {
    (event as BackgroundFetchUpdateUIEvent).waitUntil(held);
    dispatched();
  });
  const done = nextCompletion(manager);
  const registration = await manager.fetch(uniqueId(), FN);
  expect(registration.recordsAvailable).toBe(true);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.results).toHaveLength(1);
  await inEvent;
  // Dispatch is over, but a waitUntil() promise is pending: the records stay readable.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(registration.recordsAvailable).toBe(true);
  const record = await registration.match(FN);
  expect(await (await record!.responseReady).text()).toBe(FEATURE);
  release();
  const final = await lastValueFrom(registration.state$);
  expect(final.recordsAvailable).toBe(false);
  expect(registration.recordsAvailable).toBe(false);
  await expectOverAndIdFree(manager, registration);
});

test('FE-12 Using Background Fetch to fetch a non-existent resource should fail.', async () => {
  const manager = managers.create();
  const id = uniqueId();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(id, '/missing-cat.txt');
  expect(registration.id).toBe(id);
  expect(registration.result).toBe('');
  expect(registration.failureReason).toBe('');
  const message = await done;
  expect(message.type).toBe('backgroundfetchfail');
  expect(message.results).toEqual([{ url: `${server.url}/missing-cat.txt`, status: 404, text: '' }]);
  expect(message.eventRegistration).toMatchObject({ id, result: 'failure', failureReason: 'bad-status' });
  expect(registration.result).toBe('failure');
  expect(registration.failureReason).toBe('bad-status');
  await expectOverAndIdFree(manager, registration);
});

describe('FE-13 Fetches with mixed content should fail. (adapted: a request that fails at the network level)', () => {
  const cases: Array<[string, () => Promise<string>]> = [
    ['a closed loopback port', async () => `http://127.0.0.1:${await closedPort()}/feature-name.txt`],
    ['a route that destroys the socket mid-body', async () => `${server.url}/reset?size=4000&after=1000&times=1000&fe13`],
  ];
  test.each(cases)('FE-13 %s → fetch() resolves, fetch-error, two records, one rejects TypeError', async (_name, makeURL) => {
    const manager = managers.create();
    const broken = await makeURL();
    const done = nextCompletion(manager);
    const registration = await manager.fetch('my-id', [FN, broken]);
    expect(registration.id).toBe('my-id');
    const message = await done;
    expect(message.type).toBe('backgroundfetchfail');
    expect(message.eventRegistration).toMatchObject({ id: 'my-id', result: 'failure', failureReason: 'fetch-error' });
    expect(message.results).toHaveLength(2);
    expect(message.results.filter((result) => result === null)).toHaveLength(1);
    expect(message.results).toContainEqual({ url: server.url + FN, status: 200, text: FEATURE });
    expect(message.errors).toHaveLength(1);
    expect(message.errors[0]).toBeInstanceOf(TypeError);
    await expectOverAndIdFree(manager, registration);
  });
});

test("FE-14 Responses failing CORS checks are not leaked (Node: a failed record's bytes never count)", async () => {
  const manager = managers.create({ progressInterval: 0 });
  const id = uniqueId();
  const done = nextCompletion(manager);
  // 1000 bytes arrive, 50 ms pass, 1000 more, then the socket is destroyed: a fetch-error after real bytes.
  const registration = await manager.fetch(id, `/reset?size=4000&after=2000&chunk=1000&delay=50&times=1000&fe14`);
  let most = 0;
  registration.addEventListener('progress', () => (most = Math.max(most, registration.downloaded)));
  const message = await done;
  expect(message.type).toBe('backgroundfetchfail');
  expect(message.results).toEqual([null]);
  expect(message.errors[0]).toBeInstanceOf(TypeError);
  expect(message.eventRegistration.id).toBe(registration.id);
  expect(message.eventRegistration.downloaded).toBe(0);
  expect(message.eventRegistration.failureReason).toBe('fetch-error');
  expect(most).toBeGreaterThan(0); // bytes did arrive before the failure...
  expect(registration.downloaded).toBe(0); // ...and stopped counting when it failed
  const final = await expectOverAndIdFree(manager, registration);
  expect(final.downloaded).toBe(0);
});
