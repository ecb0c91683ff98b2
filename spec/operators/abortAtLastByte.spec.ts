/**
 * `backgroundFetch`'s `abort$` fired from a subscriber, synchronously, by the tally that counted a
 * record's last bytes (as a progress listener does), against the real test server: the record was
 * downloaded and stored whole, so it settles as a success with every byte, and the abort only
 * stops what is still running (issue 13's operators; the manager's case is in races.spec).
 */
import { Subject, lastValueFrom, tap } from 'rxjs';
import { backgroundFetch } from '../../operators/backgroundFetch';
import { memorySink } from '../../operators/memorySink';
import type { FetchTally, StoredRequest } from '../../operators/types';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const get = (path: string): StoredRequest => ({ url: `${server.url}${path}`, method: 'GET', headers: [], body: null });
const joined = (chunks: readonly Uint8Array[]) => Buffer.concat(chunks);

/** Runs the fetch, aborting from the tally whose `downloaded` first reaches `at`; the final tally and the sink. */
async function abortWhenDownloaded(requests: StoredRequest[], at: number) {
  const sink = memorySink();
  const abort$ = new Subject<void>();
  let asked = false;
  const final: FetchTally = await lastValueFrom(
    backgroundFetch({ id: 'last-byte', requests }, { transport: fetch, sink, abort$ }).pipe(
      tap((tally) => {
        if (!asked && tally.state.result === '' && tally.state.downloaded >= at) {
          asked = true;
          abort$.next();
        }
      }),
    ),
  );
  expect(asked).toBe(true);
  return { final, sink };
}

describe('abort$ from the tally that counted the last bytes', () => {
  test('of the only record: the fetch succeeds with the body whole', async () => {
    const { final, sink } = await abortWhenDownloaded([get('/bytes?size=200000&seed=a')], 200_000);
    expect(final.state).toMatchObject({ result: 'success', failureReason: '', downloaded: 200_000 });
    expect(final.records.at(0)).toMatchObject({ result: 'success', bytes: 200_000 });
    expect(joined(sink.chunks(0)).equals(bodyOf(200_000, 'a'))).toBe(true);
  });

  test('of one record while another runs: that record keeps its success and bytes, the other is aborted', async () => {
    const { final, sink } = await abortWhenDownloaded([get('/feature-name.txt'), get('/slow?delay=5000&size=10')], 16);
    expect(final.state).toMatchObject({ result: 'failure', failureReason: 'aborted' });
    expect(final.records.at(0)).toMatchObject({ result: 'success', bytes: 16 });
    expect(final.records.at(1)?.result).toBe('aborted');
    expect(joined(sink.chunks(0)).toString()).toBe('Background Fetch');
  });
});
