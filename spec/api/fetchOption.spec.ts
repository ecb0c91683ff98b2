/**
 * What the `fetch` a manager downloads with is handed. A `fetch` option of one's own gets a
 * `Request` for every attempt, as it may expect (`input.signal`, `input.headers`); the platform's
 * own fetch (no option) gets a plain GET as its URL alone, so that the download makes one
 * `Request`, not two. Either way every body arrives byte for byte, a resumed one included.
 */
import { BackgroundFetchManager } from '../../src';
import { bodyOf } from '../helpers/testServer';
import { completion, expectNoLoss, fresh, reliabilitySuite } from '../reliability/support';

const suite = reliabilitySuite({ retry: { limit: 2, delay: () => 10 } });

/** What a fetch was handed: a URL as it came, or a Request's URL, method and Range. */
type Handed = string | { url: string; method: string; range: string | null };
const describeInput = (input: RequestInfo | URL): Handed =>
  input instanceof Request ? { url: input.url, method: input.method, range: input.headers.get('range') } : String(input);

const plain = () => `${suite.server.url}/bytes?size=1000`;
// Cut after 40,000 bytes the first time: the resume asks for the rest with Range.
const cutOnce = () => `${suite.server.url}/reset?size=100000&after=40000&seed=f`;
const bodies = [bodyOf(1000), bodyOf(100_000, 'f')];

/** Runs one fetch of a plain GET and a GET cut once through `manager`; checks every byte. */
async function fetchBoth(manager: BackgroundFetchManager, where: ReturnType<typeof fresh>): Promise<void> {
  const done = completion(manager, where);
  await manager.fetch('both', [plain(), cutOnce()]);
  const outcome = await done;
  expect(outcome.type).toBe('backgroundfetchsuccess');
  expectNoLoss(outcome, bodies);
}

test('a fetch of one’s own is handed a Request for every attempt, plain GETs and resumes alike', async () => {
  const handed: Handed[] = [];
  const where = fresh('memory', 'fetch-option');
  const manager = suite.manager(where, {
    fetch: (input, init) => {
      handed.push(describeInput(input));
      return fetch(input, init);
    },
  });
  await fetchBoth(manager, where);
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
  const where = fresh('memory', 'fetch-option');
  const platform = globalThis.fetch;
  // The manager takes the global fetch when it is made: it is watched from then on, and still sends.
  globalThis.fetch = (input, init) => {
    handed.push(describeInput(input));
    return platform(input, init);
  };
  let manager: BackgroundFetchManager;
  try {
    manager = suite.manager(where);
  } finally {
    globalThis.fetch = platform;
  }
  await fetchBoth(manager, where);
  expect(handed).toEqual(expect.arrayContaining([plain(), cutOnce(), { url: cutOnce(), method: 'GET', range: 'bytes=40000-' }]));
  expect(handed).toHaveLength(3);
});
