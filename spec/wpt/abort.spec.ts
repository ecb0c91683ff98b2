/** WPT `background-fetch/abort.https.window.js` (AB-01..AB-03), `/common/slow.py` being `/slow`. */
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FEATURE, FN, SLOW, expectOverAndIdFree, managerFactory, nextCompletion, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

test('AB-01 Aborting the same registration twice fails', async () => {
  const manager = managers.create();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(uniqueId(), [FN, SLOW]);
  expect(await registration.abort()).toBe(true);
  // Inactive as soon as abort() resolved true.
  expect(await manager.getIds()).toEqual([]);
  expect(await registration.abort()).toBe(false);
  expect((await done).type).toBe('backgroundfetchabort');
  await expectOverAndIdFree(manager, registration);
});

test('AB-02 Calling BackgroundFetchRegistration.abort sets the correct fields and responses are still available', async () => {
  const manager = managers.create({ progressInterval: 10 });
  const done = nextCompletion(manager);
  const registration = await manager.fetch(uniqueId(), [FN, SLOW]);
  const targets: unknown[] = [];
  const downloaded: number[] = [];
  const aborted = new Promise<boolean>((resolve, reject) => {
    let fired = false;
    registration.onprogress = (event) => {
      targets.push(event.target);
      downloaded.push(registration.downloaded);
      if (fired || registration.downloaded < 16) return;
      fired = true;
      registration.abort().then(resolve, reject);
    };
  });
  expect(await aborted).toBe(true);
  const message = await done;
  expect(message.eventRegistration.result).toBe('failure');
  expect(message.eventRegistration.failureReason).toBe('aborted');
  expect(registration.result).toBe('failure');
  expect(registration.failureReason).toBe('aborted');
  expect(message.type).toBe('backgroundfetchabort');
  expect(message.event).toBeInstanceOf(BackgroundFetchEvent);
  expect(message.event).not.toBeInstanceOf(BackgroundFetchUpdateUIEvent);
  expect(message.results).toHaveLength(2);
  // Request order: the finished record is readable, the cut-off one rejects AbortError.
  expect(message.results[0]).toEqual({ url: server.url + FN, status: 200, text: FEATURE });
  expect(message.results[1]).toBeNull();
  expect(message.errors).toEqual([expect.objectContaining({ name: 'AbortError' })]);
  expect(targets.length).toBeGreaterThan(0);
  expect(targets.every((target) => target === registration)).toBe(true);
  expect(downloaded).toEqual([...downloaded].sort((a, b) => a - b));
  expect(downloaded[downloaded.length - 1]).toBe(16);
  await expectOverAndIdFree(manager, registration);
});

test('AB-03 An aborted fetch throws a DOM exception when accessing an incomplete record', async () => {
  const manager = managers.create();
  // sw-abort.js: only the abort event, each record → { response: true } or { response: false, name }.
  const results = new Promise<Array<{ response: boolean; name?: string }>>((resolve) => {
    manager.addEventListener('backgroundfetchabort', (event) => {
      const { registration } = event as BackgroundFetchEvent;
      (event as BackgroundFetchEvent).waitUntil(
        registration.matchAll().then((records) =>
          Promise.all(
            records.map((record) =>
              record.responseReady.then(
                () => ({ response: true }),
                (error: DOMException) => ({ response: false, name: error.name, isDOMException: error instanceof DOMException }),
              ),
            ),
          ).then(resolve),
        ),
      );
    });
  });
  const registration = await manager.fetch(uniqueId(), SLOW);
  expect(await registration.abort()).toBe(true);
  expect(await results).toEqual([{ response: false, name: 'AbortError', isDOMException: true }]);
  await expectOverAndIdFree(manager, registration);
});
