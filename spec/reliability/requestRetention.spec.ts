/**
 * @jest-environment node
 *
 * The requests a fetch sent are not kept once it is over: Node's `Request` keeps the signal it
 * follows alive as long as the request lives, so a listener on that signal holding the request
 * kept every request of the process (with its signals, URL and headers) for ever.
 */
import { BackgroundFetchManager, createMemoryStore } from '../../src';
import { settle } from '../helpers/gc';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

test('every Request handed to fetch can be collected once the fetch has ended', async () => {
  const sent: Array<WeakRef<Request>> = [];
  const keeping: typeof fetch = (input, init) => {
    sent.push(new WeakRef(input as Request));
    return fetch(input, init);
  };
  const manager = new BackgroundFetchManager({ store: createMemoryStore(), scope: 'request-retention', baseURL: server.url, fetch: keeping });
  const done = new Promise<void>((resolve) => manager.addEventListener('backgroundfetchsuccess', () => resolve()));
  await manager.fetch('many', Array.from({ length: 50 }, (_, index) => `/bytes?size=64&n=${index}`));
  await done;
  await manager.close();
  await settle();
  expect(sent).toHaveLength(50);
  expect(sent.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(2);
});
