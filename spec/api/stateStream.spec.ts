/**
 * `registration.state$` (API.md §4): the current state at once, then each change, completing
 * after the final state. With `progressInterval: 0` nothing is throttled, so every state the
 * pipeline makes reaches the stream: a record's response head, a settled record or a resumed body
 * that change none of the eight attributes must not be emitted again as a "change".
 */
import { toArray, lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, type BackgroundFetchRegistration, type BackgroundFetchState } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

let scopes = 0;
const manager = () => new BackgroundFetchManager({ store: 'memory', scope: `state-stream-${process.pid}-${++scopes}`, baseURL: server.url, progressInterval: 0, retry: { limit: 2, delay: () => 5 } });

const attributes = ['id', 'uploadTotal', 'uploaded', 'downloadTotal', 'downloaded', 'result', 'failureReason', 'recordsAvailable'] as const;
const same = (a: BackgroundFetchState, b: BackgroundFetchState) => attributes.every((name) => a[name] === b[name]);

/** Every state `state$` gives from the moment the registration is returned to its completion. */
async function states(start: (target: BackgroundFetchManager) => Promise<BackgroundFetchRegistration>, act?: (registration: BackgroundFetchRegistration) => Promise<unknown>) {
  const target = manager();
  try {
    const registration = await start(target);
    const all = lastValueFrom(registration.state$.pipe(toArray()));
    await act?.(registration);
    return { registration, states: await all };
  } finally {
    await target.close();
  }
}

interface Case {
  name: string;
  start: (target: BackgroundFetchManager) => Promise<BackgroundFetchRegistration>;
  act?: (registration: BackgroundFetchRegistration) => Promise<unknown>;
}

const cases: Case[] = [
  { name: 'three records in chunks', start: (m) => m.fetch('ok', ['/bytes?size=3000&chunk=1000&seed=a', '/bytes?size=7&seed=b', '/bytes?size=2000&chunk=500&delay=5&seed=c']) },
  { name: 'a 404 beside a success', start: (m) => m.fetch('bad', ['/status/404?body=nope', '/bytes?size=2000&seed=d']) },
  { name: 'a body that breaks off and resumes with Range', start: (m) => m.fetch('resume', ['/reset?size=65536&after=32768&times=1&chunk=8192']) },
  {
    name: 'an upload whose connection drops (fetch-error)',
    start: (m) => m.fetch('upload', [new Request(`${server.url}/reset?size=1000&after=0&times=5`, { method: 'POST', body: 'x'.repeat(100) })]),
  },
  { name: 'abort() while a record downloads', start: (m) => m.fetch('abort', ['/bytes?size=1000', '/slow?delay=30000']), act: (registration) => registration.abort() },
];

test.each(cases)('$name: no two states in a row are the same, the last one is the final state', async ({ start, act }) => {
  const { registration, states: seen } = await states(start, act);
  const repeated = seen.flatMap((state, index) => (index > 0 && same(seen[index - 1], state) ? [{ index, state }] : []));
  expect(repeated).toEqual([]);
  const last = seen.at(-1)!;
  expect(last.result).not.toBe('');
  expect(last.recordsAvailable).toBe(false);
  expect(attributes.every((name) => registration[name] === last[name])).toBe(true);
});
