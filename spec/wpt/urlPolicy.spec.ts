/**
 * WPT `credentials-in-url` (CR-01..04), `dangling-markup` (DM-01),
 * `mixed-content-and-allowed-schemes` (MX-01..08) and `port-blocking` (PB-01..06), with loopback
 * hosts instead of example.com. "Register ok" cases assert only that `fetch()` resolves (the
 * download may fail later; each is aborted and run to its end). The library's choice for the
 * cases WPT lets go either way: a non-http(s) scheme or a bad port rejects at `fetch()` with a
 * `TypeError` and nothing is registered.
 */
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FEATURE, FN, closedPort, expectOverAndIdFree, managerFactory, nextCompletion, uniqueId } from './wptHarness';

let server: TestServer;
let closed: number;
beforeAll(async () => {
  server = await startTestServer();
  closed = await closedPort();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

/** Asserts `fetch(id, url)` resolves with a registration, then ends it. */
async function registersOk(url: string): Promise<void> {
  const manager = managers.create();
  const id = uniqueId();
  const registration = await manager.fetch(id, url);
  expect(registration.id).toBe(id);
  expect(await manager.getIds()).toEqual([id]);
  await registration.abort(); // false when its download failed already; either way it ends
  await expectOverAndIdFree(manager, registration);
}

/** Asserts `fetch(id, url)` rejects with a TypeError whose message shows `shown`, and registers nothing. */
async function rejectsTypeError(url: string, shown: RegExp): Promise<void> {
  const manager = managers.create();
  const before = server.requests.length;
  let promise: Promise<unknown> | undefined;
  expect(() => (promise = manager.fetch(uniqueId(), url))).not.toThrow();
  const error = await promise!.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(TypeError);
  expect((error as TypeError).message).toMatch(shown);
  expect(await manager.getIds()).toEqual([]);
  expect(server.requests.length).toBe(before);
}

describe('credentials-in-url', () => {
  test('CR-01 fetch without credentials in URL should register ok', async () => {
    const manager = managers.create();
    const done = nextCompletion(manager);
    const registration = await manager.fetch(uniqueId(), `http://127.0.0.1:${server.port}${FN}`);
    expect((await done).results).toEqual([{ url: server.url + FN, status: 200, text: FEATURE }]);
    await expectOverAndIdFree(manager, registration);
  });
  test('CR-02 fetch with username and password in URL should reject', () =>
    rejectsTypeError(`http://username:password@127.0.0.1:${server.port}${FN}`, /credentials/));
  test('CR-03 fetch with username and empty password in URL should reject', () =>
    rejectsTypeError(`http://username:@127.0.0.1:${server.port}${FN}`, /credentials/));
  test('CR-04 fetch with empty username and password in URL should reject', () =>
    rejectsTypeError(`http://:password@127.0.0.1:${server.port}${FN}`, /credentials/));
});

describe('dangling-markup', () => {
  test('DM-01 fetch to URL containing \\n and < should reject', () => rejectsTypeError(`http://127.0.0.1:${server.port}/?\n<`, /dangling markup/));
  test('DM-01 (converse) a URL with only one of \\n and < is fine', async () => {
    await registersOk(`http://127.0.0.1:${server.port}/feature-name.txt?<`);
    await registersOk(`http://127.0.0.1:${server.port}/feature-name.txt?a\nb`);
  });
});

describe('mixed-content-and-allowed-schemes', () => {
  test('MX-01 https: fetch should register ok', () => registersOk(`https://127.0.0.1:${closed}/`));
  test('MX-02 loopback IPv4 http: fetch should register ok', () => registersOk(`http://127.0.0.1:${closed}/`));
  test('MX-03 loopback IPv6 http: fetch should register ok', () => registersOk(`http://[::1]:${closed}/`));
  test('MX-04 localhost http: fetch should register ok', () => registersOk(`http://localhost:${closed}/`));
  test('MX-05 wss: fetch should reject', () => rejectsTypeError('wss:127.0.0.1', /wss:/));
  test('MX-06 file: fetch should reject', () => rejectsTypeError('file:///', /file:/));
  test('MX-07 data: fetch should reject', () => rejectsTypeError('data:text/plain,foo', /data:text\/plain,foo/));
  test('MX-08 unknown scheme fetch should reject', () => rejectsTypeError('foobar:bazqux', /foobar:bazqux/));
  test('MX-05..08 (strict) a non-http(s) URL object or Request is refused too, also behind a good request', async () => {
    const manager = managers.create();
    await expect(manager.fetch(uniqueId(), [FN, new URL('data:text/plain,foo')])).rejects.toThrow(/data:/);
    await expect(manager.fetch(uniqueId(), [FN, new Request('data:text/plain,foo')])).rejects.toThrow(/data:/);
    expect(await manager.getIds()).toEqual([]);
  });
});

describe('port-blocking', () => {
  test('PB-01 fetch to default https port should register ok', () => registersOk('https://127.0.0.1/'));
  test('PB-02 fetch to default http port should register ok', () => registersOk('http://127.0.0.1/'));
  test('PB-03 fetch to port 443 should register ok', () => registersOk('https://127.0.0.1:443/'));
  test('PB-04 fetch to port 80 should register ok, even over https', () => registersOk('https://127.0.0.1:80/'));
  test('PB-05 fetch to non-default non-bad port (8080) should register ok', () => registersOk('https://127.0.0.1:8080/'));
  test('PB-06 fetch to bad port (SMTP) should reject', () => rejectsTypeError('http://127.0.0.1:587', /587/));
});
