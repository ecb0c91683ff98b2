// The operators in a pipeline of one's own (the README's RxJS example, typed).
import { from, map } from 'rxjs';
import { countBytes, createTally, fetchRecords, httpRecord, limitDownloadTotal, memorySink, throttleProgress, untilSettled, type StoredRequest } from 'rx-background-fetch/operators';

const requests: StoredRequest[] = ['http://localhost:8080/a.wav'].map((url) => ({ url, method: 'GET', headers: [], body: null }));
const sink = memorySink();
const seed = createTally({ id: 'playlist', downloadTotal: 20_000_000, uploadTotal: 0 }, requests.length);

export const states = from(requests.map((request, index) => ({ index, request }))).pipe(
  fetchRecords(httpRecord({ transport: fetch, sink, retry: 5 }), { concurrency: 2 }),
  countBytes(seed),
  limitDownloadTotal(20_000_000),
  untilSettled(),
  map((tally) => tally.state),
  throttleProgress(250),
);

export const bytes = (index: number): number => sink.chunks(index).reduce((sum, chunk) => sum + chunk.byteLength, 0);
