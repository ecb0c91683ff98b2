/** WPT `background-fetch/fetch-uploads.https.window.js` (UP-01..UP-03), `resources/upload.py` being `/echo`. */
import { startTestServer, type TestServer } from '../helpers/testServer';
import { SLOW, expectOverAndIdFree, managerFactory, nextCompletion, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));
const upload = (body: string) => new Request(`${server.url}/echo`, { method: 'POST', body });

test('UP-01 Fetch with an upload should work', async () => {
  const manager = managers.create();
  const done = nextCompletion(manager);
  const registration = await manager.fetch(uniqueId(), upload('Background Fetch!'));
  expect(registration.uploadTotal).toBe(17);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.results).toHaveLength(1);
  expect(message.eventRegistration).toMatchObject({ result: 'success', failureReason: '', uploaded: 17, uploadTotal: 17 });
  expect(message.results[0]!.text).toBe('Background Fetch!');
  expect(server.requests.filter((request) => request.path === '/echo').map((request) => request.body.toString())).toContain('Background Fetch!');
  await expectOverAndIdFree(manager, registration);
});

test('UP-02 Progress event includes uploaded bytes', async () => {
  const manager = managers.create();
  const registration = await manager.fetch(uniqueId(), [upload('Background Fetch!'), SLOW]);
  const uploadedAtFirstDownload = await new Promise<number>((resolve) => {
    registration.onprogress = () => {
      if (registration.downloaded !== 0) resolve(registration.uploaded);
    };
  });
  expect(uploadedAtFirstDownload).toBe(17);
  expect(await registration.abort()).toBe(true);
  await expectOverAndIdFree(manager, registration);
});

test('UP-03 Duplicate upload requests work and can be distinguished.', async () => {
  const manager = managers.create();
  let requestBodies: string[] = [];
  const done = nextCompletion(manager, async (registration) => {
    const records = await registration.matchAll();
    requestBodies = await Promise.all(records.map((record) => record.request.text()));
    return records;
  });
  const registration = await manager.fetch(uniqueId(), [upload('upload1'), upload('upload2')]);
  expect(registration.uploadTotal).toBe(14);
  const message = await done;
  expect(message.type).toBe('backgroundfetchsuccess');
  expect(message.results).toHaveLength(2);
  expect(message.eventRegistration).toMatchObject({ result: 'success', failureReason: '', uploaded: 14 });
  expect(message.results.map((result) => result!.text).sort()).toEqual(['upload1', 'upload2']);
  expect(requestBodies).toEqual(['upload1', 'upload2']); // each record keeps its own request body, in request order
  await expectOverAndIdFree(manager, registration);
});
