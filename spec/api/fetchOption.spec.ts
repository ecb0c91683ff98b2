/**
 * What the `fetch` a manager downloads with is handed. A `fetch` option of one's own gets a
 * `Request` for every attempt, as it may expect (`input.signal`, `input.headers`); the platform's
 * own fetch (no option) gets a plain GET as its URL alone, so that the download makes one
 * `Request`, not two.
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

/** What a fetch was handed: a URL as it came, or a Request's URL, method and Range. */
type Handed = string | { url: string; method: string; range: string | null };
const describeInput = (input: RequestInfo | URL): Handed =>
  input instanceof Request ? { url: input.url, method: input.method, range: input.headers.get('range') } : String(input);

function managerWith(fetchOption: typeof fetch | undefined): BackgroundFetchManager {
  const manager = new BackgroundFetchManager({ store: 'memory', scope: `fetch-option-${++scopes}`, baseURL: server.url, retry: { limit: 2, delay: () => 10 }, ...(fetchOption === undefined ? {} : { fetch: fetchOption }) });
  managers.push(manager);
  return manager;
}

const ended = (registration: BackgroundFetchRegistration) => lastValueFrom(registration.state$);
const plain = () => `${server.url}/bytes?size=1000`;
const cutOnce = () => `${server.url}/reset?size=100000&after=40000&seed=f`;

test('a fetch of one’s own is handed a Request for every attempt, plain GETs and resumes alike', async () => {
  const handed: Handed[] = [];
  const manager = managerWith((input, init) => {
    handed.push(describeInput(input));
    return fetch(input, init);
  });
  const registration = await manager.fetch('own', [plain(), cutOnce()]);
  expect((await ended(registration)).result).toBe('success');
  expect(handed).toEqual(
    expect.arrayContaining([
      { url: plain(), method: 'GET', range: null },
      { url: cutOnce(), method: 'GET', range: null },
      { url: cutOnce(), method: 'GET', range: 'bytes=40000-' },
    ]),
  );
  expect(handed).toHaveLength(3);
});

test('the platform’s fetch (no fetch option) is handed a plain GET as its URL alone, and a resume as a Request with Range', async () => {
  const handed: Handed[] = [];
  const platform = globalThis.fetch;
  // The manager takes the global fetch when it is made: it is watched from then on, and still sends.
  globalThis.fetch = (input, init) => {
    handed.push(describeInput(input));
    return platform(input, init);
  };
  let manager: BackgroundFetchManager;
  try {
    manager = managerWith(undefined);
  } finally {
    globalThis.fetch = platform;
  }
  const registration = await manager.fetch('platform', [plain(), cutOnce()]);
  const final = await ended(registration);
  expect(final.result).toBe('success');
  expect(final.downloaded).toBe(101_000);
  expect(handed).toEqual(expect.arrayContaining([plain(), cutOnce(), { url: cutOnce(), method: 'GET', range: 'bytes=40000-' }]));
  expect(handed).toHaveLength(3);
});
