import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { countBytes } from '../../operators/countBytes';
import { limitDownloadTotal } from '../../operators/limitDownloadTotal';
import { createTally } from '../../operators/tally';
import type { FetchTally, RecordEvent } from '../../operators/types';
import { chunk, summaryScheduler, settled } from './recordEvents';

/** A tally in short, read once the run is over: tallies are immutable, so each still reads as emitted. A record reads `bytes[ result]`. */
interface Summary {
  downloaded: number;
  result: string;
  reason: string;
  records: string[];
  changed: number;
}
const summary = (tally: FetchTally): Summary => ({
  downloaded: tally.state.downloaded,
  result: tally.state.result,
  reason: tally.state.failureReason,
  records: tally.records.toArray().map((r) => (r.result === '' ? String(r.bytes) : `${r.bytes} ${r.result}`)),
  changed: tally.changed,
});
const running = (downloaded: number, records: string[], changed: number): Summary => ({ downloaded, result: '', reason: '', records, changed });
const exceeded = (downloaded: number, records: string[], changed: number): Summary => ({
  downloaded,
  result: 'failure',
  reason: 'download-total-exceeded',
  records,
  changed,
});

/** Record events → countBytes → limitDownloadTotal(limit). */
const guard = (records: number, limit: number) => (events: Observable<RecordEvent>) =>
  events.pipe(countBytes(createTally({ id: 'f', downloadTotal: limit, uploadTotal: 0 }, records)), limitDownloadTotal(limit));

describe('limitDownloadTotal', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = summaryScheduler(summary);
  });

  it('passing the limit emits a final download-total-exceeded tally, completes and unsubscribes the source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('a-b-s-c-d|', { a: chunk(0, 4), b: chunk(1, 6), s: settled(0, 'success'), c: chunk(1, 1), d: chunk(1, 1) });
      const expected = '   w-x-y-(z|)';
      const subs = '       ^-----!   ';

      expectObservable(events.pipe(guard(2, 10))).toBe(expected, {
        w: running(4, ['4', '0'], 0),
        x: running(10, ['4', '6'], 1),
        y: running(10, ['4 success', '6'], 0),
        z: exceeded(11, ['4 success', '7 download-total-exceeded'], 1),
      });
      expectSubscriptions(events.subscriptions).toBe(subs);
    });
  });

  it('marks the record that overran; the others it cut off become aborted, not failures', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('a-b-c-d|', { a: chunk(0, 3), b: chunk(2, 3), c: chunk(1, 5), d: chunk(0, 1) });
      expectObservable(events.pipe(guard(3, 10))).toBe('w-x-(z|)', {
        w: running(3, ['3', '0', '0'], 0),
        x: running(6, ['3', '0', '3'], 2),
        z: exceeded(11, ['3 aborted', '5 download-total-exceeded', '3 aborted'], 1),
      });
      expectSubscriptions(events.subscriptions).toBe('^---!');
    });
  });

  it('treats 0 as no limit', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('a-b-s|', { a: chunk(0, 1e9), b: chunk(0, 1e9), s: settled(0, 'success') });
      expectObservable(events.pipe(guard(1, 0))).toBe('x-y-z|', {
        x: running(1e9, ['1000000000'], 0),
        y: running(2e9, ['2000000000'], 0),
        z: { ...running(2e9, ['2000000000 success'], 0), result: 'success' },
      });
      expectSubscriptions(events.subscriptions).toBe('^----!');
    });
  });

  it('lets exactly downloadTotal bytes through (only more than it is too many)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-s|', { a: chunk(0, 10), s: settled(0, 'success') });
      expectObservable(events.pipe(guard(1, 10))).toBe('x-y|', {
        x: running(10, ['10'], 0),
        y: { ...running(10, ['10 success'], 0), result: 'success' },
      });
    });
  });

  it('passes a tally that already carries a final result untouched', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const seed = createTally({ id: 'f', downloadTotal: 5, uploadTotal: 0 }, 1);
      const final: FetchTally = { ...seed, state: { ...seed.state, downloaded: 50, result: 'failure', failureReason: 'aborted' } };
      expectObservable(cold('a|', { a: final }).pipe(limitDownloadTotal(5))).toBe('a|', { a: summary(final) });
    });
  });

  it('settles a resumed tally already over the limit without blaming a record', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const seed = createTally({ id: 'f', downloadTotal: 5, uploadTotal: 0 }, 2);
      const over: FetchTally = { ...seed, state: { ...seed.state, downloaded: 6 } };
      expectObservable(cold('a-a|', { a: over }).pipe(limitDownloadTotal(5))).toBe('(z|)', {
        z: exceeded(6, ['0 aborted', '0 aborted'], -1),
      });
    });
  });

  it('passes errors on', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<FetchTally>('#', undefined, new Error('boom')).pipe(limitDownloadTotal(5))).toBe('#', undefined, new Error('boom'));
    });
  });

  it.each([-1, Number.NaN])('rejects downloadTotal %p with a RangeError', (downloadTotal) => {
    expect(() => limitDownloadTotal(downloadTotal)).toThrow(RangeError);
    expect(() => limitDownloadTotal(downloadTotal)).toThrow(`got ${String(downloadTotal)}`);
  });
});
