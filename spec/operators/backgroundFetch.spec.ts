import { NEVER, map, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backgroundFetch, type TailStep } from '../../operators/backgroundFetch';
import { RecordTable } from '../../operators/recordTable';
import { createTally, settleTally } from '../../operators/tally';
import type { FetchTally, RecordEvent, RecordResult, StoredRequest } from '../../operators/types';
import { chunk, response, settled, summaryScheduler } from './recordEvents';

const request = (n: number): StoredRequest => ({ url: `http://127.0.0.1/${n}`, method: 'GET', headers: [], body: null });
const fetchOf = (records: number, downloadTotal = 0) => ({ id: 'f', requests: Array.from({ length: records }, (_, n) => request(n)), downloadTotal });

/** A tally in short, read once the run is over: tallies are immutable, so each still reads as emitted. A record reads `bytes[ result]`. */
interface Summary {
  downloaded: number;
  reason: string;
  available: boolean;
  records: string[];
}
const summary = (tally: FetchTally): Summary => ({
  downloaded: tally.state.downloaded,
  reason: tally.state.result === '' ? '' : tally.state.failureReason || 'success',
  available: tally.state.recordsAvailable,
  records: tally.records.toArray().map((r) => (r.result === '' ? String(r.bytes) : `${r.bytes} ${r.result}`)),
});
const at = (downloaded: number, records: string[], reason = '', available = true): Summary => ({ downloaded, reason, available, records });

describe('backgroundFetch', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = summaryScheduler(summary);
  });

  it('runs every record through the fetch stage, counts them, and completes after the final tally', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const records: Record<number, Observable<RecordEvent>> = {
        0: cold('-a-b-s|', { a: response(0, 0), b: chunk(0, 3), s: settled(0, 'success') }),
        1: cold('--a---b-s|', { a: response(1, 0), b: chunk(1, 4), s: settled(1, 'success') }),
      };
      const tallies = backgroundFetch(fetchOf(2), { fetchRecord: ({ index }) => records[index], concurrency: 2 });
      expectObservable(tallies).toBe('oabc-de-(f|)', {
        o: at(0, ['0', '0']),
        a: at(0, ['0', '0']),
        b: at(0, ['0', '0']),
        c: at(3, ['3', '0']),
        d: at(3, ['3 success', '0']),
        e: at(7, ['3 success', '4']),
        f: at(7, ['3 success', '4 success'], 'success'),
      });
    });
  });

  it('tells settleRecord each result before it is counted, and runs only the records not settled in the seed', () => {
    const seen: [number, RecordResult][] = [];
    const seed0 = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 2);
    const seed: FetchTally = { ...seed0, records: RecordTable.from([{ response: null, bytes: 5, result: 'success', generation: 0 }, seed0.records.at(1)!]), settled: 1, state: { ...seed0.state, downloaded: 5 } };
    const started: number[] = [];
    testScheduler.run(({ cold, expectObservable }) => {
      const tallies = backgroundFetch(fetchOf(2), {
        seed,
        fetchRecord: ({ index }) => (started.push(index), cold('-s|', { s: settled(index, 'bad-status') })),
        settleRecord: (index, result) => seen.push([index, result]),
      });
      expectObservable(tallies).toBe('o(s|)', { o: at(5, ['5 success', '0']), s: at(5, ['5 success', '0 bad-status'], 'bad-status') });
    });
    expect(started).toEqual([1]);
    expect(seen).toEqual([[1, 'bad-status']]);
  });

  it('aborts when abort$ emits: every request torn down, the final tally says aborted', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const record = cold('-a-b----', { a: response(0, 0), b: chunk(0, 2) });
      const abort$ = hot('-----x');
      expectObservable(backgroundFetch(fetchOf(1), { fetchRecord: () => record, abort$ })).toBe('oa-b-(z|)', {
        o: at(0, ['0']),
        a: at(0, ['0']),
        b: at(2, ['2']),
        z: at(2, ['2 aborted'], 'aborted'),
      });
      expectSubscriptions(record.subscriptions).toBe('^----!');
    });
  });

  it('stops everything past downloadTotal', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-a-b----', { a: response(0, 0), b: chunk(0, 9) });
      const second = cold<RecordEvent>('--------');
      const records = [first, second];
      expectObservable(backgroundFetch(fetchOf(2, 5), { fetchRecord: ({ index }) => records[index], concurrency: 2 })).toBe('oa-(z|)', {
        o: at(0, ['0', '0']),
        a: at(0, ['0', '0']),
        z: at(9, ['9 download-total-exceeded', '0 aborted'], 'download-total-exceeded'),
      });
      expectSubscriptions(first.subscriptions).toBe('^--!');
      expectSubscriptions(second.subscriptions).toBe('^--!');
    });
  });

  it('runs the release tail: a tally per step (UI changed, records released), complete when it completes', () => {
    const finals: FetchTally[] = [];
    const ui = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    ui.run(({ cold, expectObservable }) => {
      const tallies = backgroundFetch({ ...fetchOf(1), title: 'Album', icons: [{ src: 'a.png' }] }, {
        fetchRecord: () => cold('-s|', { s: settled(0, 'success') }),
        release: (final) => (finals.push(final), cold<TailStep>('--u-r--|', { u: { type: 'ui', ui: { title: 'Ready' } }, r: { type: 'released' } })),
      });
      expectObservable(tallies.pipe(map((t) => `${t.ui.title} ${t.ui.icons.map((icon) => icon.src).join()} ${t.state.result || '-'} ${t.state.recordsAvailable}`))).toBe('os-u-r--|', {
        o: 'Album a.png - true',
        s: 'Album a.png success true',
        u: 'Ready a.png success true',
        r: 'Ready a.png success false',
      });
    });
    expect(finals.map(summary)).toEqual([at(0, ['0 success'], 'success')]);
  });

  it('runs only the tail for a seed that is already final', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const seed = settleTally(createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 1), 'aborted');
      const tallies = backgroundFetch(fetchOf(1), { seed, fetchRecord: () => NEVER, release: () => cold<TailStep>('-r|', { r: { type: 'released' } }) });
      expectObservable(tallies).toBe('or|', { o: at(0, ['0 aborted'], 'aborted'), r: at(0, ['0 aborted'], 'aborted', false) });
    });
  });

  it('refuses a seed of another size', () => {
    expect(() => backgroundFetch(fetchOf(2), { seed: createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 3), fetchRecord: () => NEVER })).toThrow(
      'backgroundFetch: the seed has 3 records but fetch "f" has 2 requests; seed it from this fetch.',
    );
  });
});
