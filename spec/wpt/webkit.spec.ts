/**
 * WebKit's WPT-format extras (catalogue §7) that are portable: WK-03 (the success event reads a
 * trickled body from in-memory storage) and WK-08 (a small fetch fires at least one progress
 * event). WK-01/02/04..07 need a UI, an online signal, pause/resume, a crash or permissions.
 */
import { lastValueFrom } from 'rxjs';
import type { BackgroundFetchUpdateUIEvent } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { FN, expectOverAndIdFree, managerFactory, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

test('WK-03 background fetch response should be available in ephemeral sessions (memory store)', async () => {
  const manager = managers.create();
  const trickle = '/bytes?size=3000&chunk=100&delay=2&seed=wk03';
  const read = new Promise<[string, Buffer]>((resolve, reject) => {
    manager.addEventListener('backgroundfetchsuccess', (event) => {
      const { registration } = event as BackgroundFetchUpdateUIEvent;
      (event as BackgroundFetchUpdateUIEvent).waitUntil(
        (async () => {
          const text = await (await (await registration.match('/text?body=TEST_TRICKLE%0A'))!.responseReady).text();
          const bytes = Buffer.from(await (await (await registration.match(trickle))!.responseReady).arrayBuffer());
          resolve([text, bytes]);
        })().catch(reject),
      );
    });
  });
  const registration = await manager.fetch(uniqueId(), ['/text?body=TEST_TRICKLE%0A', trickle]);
  const [text, bytes] = await read;
  expect(text).toBe('TEST_TRICKLE\n');
  expect(bytes.equals(bodyOf(3000, 'wk03'))).toBe(true);
  await expectOverAndIdFree(manager, registration);
});

test('WK-08 change-documents-in-progress-event: a small single-file fetch fires at least one progress event', async () => {
  const manager = managers.create();
  const registration = await manager.fetch(uniqueId(), FN);
  const seen: Array<{ downloaded: number; result: string }> = [];
  registration.onprogress = () => {
    seen.push({ downloaded: registration.downloaded, result: registration.result });
    // The crash test allocates documents here; allocate something and drop it.
    void new Array(10_000).fill({});
  };
  const final = await lastValueFrom(registration.state$);
  expect(seen.length).toBeGreaterThanOrEqual(1);
  // The last progress event carries the final result, and none comes after it.
  expect(seen[seen.length - 1]).toEqual({ downloaded: 16, result: 'success' });
  expect(seen.filter((entry) => entry.result !== '')).toHaveLength(1);
  expect(final).toMatchObject({ result: 'success', downloaded: 16 });
  const count = seen.length;
  await expectOverAndIdFree(manager, registration);
  expect(seen).toHaveLength(count); // recordsAvailable turning false is not a progress event
});
