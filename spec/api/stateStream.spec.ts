/**
 * `registration.state$` (API.md §4): the current state at once, then each change, completing
 * after the final state. With `progressInterval: 0` nothing is throttled, so every state the
 * pipeline makes reaches the stream: a record's response head, a settled record or a resumed body
 * that change none of the eight attributes must not be emitted again as a "change".
 */
import { isDeepStrictEqual } from 'node:util';
import { toArray, lastValueFrom } from 'rxjs';
import type { BackgroundFetchManager, BackgroundFetchRegistration } from '../../src';
import { fresh, reliabilitySuite, snapshot } from '../reliability/support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 5 } });

/** Every state `state$` gives from the moment the registration is returned to its completion. */
async function states(start: (target: BackgroundFetchManager) => Promise<BackgroundFetchRegistration>, act?: (registration: BackgroundFetchRegistration) => Promise<unknown>) {
  const registration = await start(suite.manager(fresh('memory', 'state-stream')));
  const all = lastValueFrom(registration.state$.pipe(toArray()));
  await act?.(registration);
  return { registration, states: await all };
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
    start: (m) => m.fetch('upload', [new Request(`${suite.server.url}/reset?size=1000&after=0&times=5`, { method: 'POST', body: 'x'.repeat(100) })]),
  },
  { name: 'abort() while a record downloads', start: (m) => m.fetch('abort', ['/bytes?size=1000', '/slow?delay=30000']), act: (registration) => registration.abort() },
];

test.each(cases)('$name: no two states in a row are the same, the last one is the final state', async ({ start, act }) => {
  const { registration, states: seen } = await states(start, act);
  // A state is a plain object of the eight attributes: equal states are deeply equal.
  const repeated = seen.flatMap((state, index) => (index > 0 && isDeepStrictEqual(seen[index - 1], state) ? [{ index, state }] : []));
  expect(repeated).toEqual([]);
  const last = seen.at(-1)!;
  expect(last.result).not.toBe('');
  expect(last.recordsAvailable).toBe(false);
  expect(snapshot(registration)).toEqual(last);
});
