/**
 * Managers of one store and scope share one engine per realm (only one of them downloads), yet
 * each keeps its own settings: a fetch runs with the `fetch`, `concurrency`, `timeout` and
 * `retry` of the manager that started it, and each manager's registrations throttle `progress`
 * by its own `progressInterval`.
 */
import { lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, type BackgroundFetchRegistration } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
let scopes = 0;
const managers: BackgroundFetchManager[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
});

/** A manager of the test's scope whose `fetch` records the URLs it was given. */
function managerOf(scope: string, seen: string[], options: { concurrency?: number; progressInterval?: number } = {}): BackgroundFetchManager {
  const counting: typeof fetch = (input, init) => {
    seen.push(input instanceof Request ? input.url : String(input));
    return fetch(input, init);
  };
  const manager = new BackgroundFetchManager({ store: 'memory', scope, baseURL: server.url, fetch: counting, progressInterval: 0, ...options });
  managers.push(manager);
  return manager;
}

const ended = (registration: BackgroundFetchRegistration) => lastValueFrom(registration.state$);

test('a fetch runs with the fetch function and concurrency of the manager that started it', async () => {
  const scope = `shared-${++scopes}`;
  const first: string[] = [];
  const second: string[] = [];
  const a = managerOf(scope, first, { concurrency: 4 });
  const b = managerOf(scope, second, { concurrency: 1 });
  const urls = [0, 1, 2].map((i) => `${server.url}/slow?delay=50&i=${i}`);
  const [fromA, fromB] = await Promise.all([a.fetch('a', `${server.url}/feature-name.txt`), b.fetch('b', urls)]);
  await Promise.all([ended(fromA), ended(fromB)]);
  expect(first).toEqual([`${server.url}/feature-name.txt`]);
  expect(second).toEqual(urls);
  expect(fromB.result).toBe('success');
  // b's requests went one at a time (a's single request may have overlapped one of them).
  const slow = server.requests.filter((request) => request.url.startsWith('/slow'));
  expect(slow).toHaveLength(3);
  expect(server.maxInFlight).toBeLessThanOrEqual(2);
});

test("each manager's registrations throttle progress by its own progressInterval", async () => {
  const scope = `shared-${++scopes}`;
  const a = managerOf(scope, [], { progressInterval: 0, concurrency: 1 });
  const b = managerOf(scope, [], { progressInterval: 60_000 });
  const viewA = await a.fetch('p', [0, 1, 2, 3].map((i) => `${server.url}/slow?delay=30&size=1000&i=${i}`), { downloadTotal: 0 });
  const viewB = (await b.get('p'))!;
  let progressA = 0;
  let progressB = 0;
  viewA.addEventListener('progress', () => progressA++);
  viewB.addEventListener('progress', () => progressB++);
  await Promise.all([ended(viewA), ended(viewB)]);
  expect(viewB.result).toBe('success');
  expect(progressA).toBeGreaterThan(1);
  // Throttled to one a minute, b's view gets only the final state.
  expect(progressB).toBe(1);
});
