import { NEVER, Subject, startWith, tap, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { abortWhen } from '../../operators/abortWhen';
import { countBytes } from '../../operators/countBytes';
import { createTally } from '../../operators/tally';
import type { FetchTally, RecordEvent } from '../../operators/types';
import { untilSettled } from '../../operators/untilSettled';
import { chunk, summaryScheduler, settled } from './recordEvents';

/** A tally in short, read once the run is over: tallies are immutable, so each still reads as emitted. A record reads `bytes[ result]`. */
interface Summary {
  downloaded: number;
  result: string;
  reason: string;
  records: string[];
}
const summary = (tally: FetchTally): Summary => ({
  downloaded: tally.state.downloaded,
  result: tally.state.result,
  reason: tally.state.failureReason,
  records: tally.records.toArray().map((r) => (r.result === '' ? String(r.bytes) : `${r.bytes} ${r.result}`)),
});
const snap = (downloaded: number, records: string[], result = '', reason = ''): Summary => ({ downloaded, result, reason, records });

/** The pipeline as FetchJob builds it: events → countBytes → startWith(seed) → abortWhen(notifier). */
const pipeline = (records: number, notifier: Observable<unknown>, settle = false) => (events: Observable<RecordEvent>) => {
  const seed = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, records);
  const tallies = events.pipe(countBytes(seed), startWith(seed));
  return (settle ? tallies.pipe(untilSettled()) : tallies).pipe(abortWhen(notifier));
};

describe('abortWhen', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = summaryScheduler(summary);
  });

  it('on the notifier emits a final aborted tally, completes and unsubscribes the source and the notifier', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-b-c---', { a: chunk(0, 5), b: chunk(1, 3), c: settled(0, 'success') });
      const notifier = hot('------n--');
      const expected = '   sa-b-c(X|)';
      const subs = '       ^-----!   ';

      expectObservable(events.pipe(pipeline(2, notifier))).toBe(expected, {
        s: snap(0, ['0', '0']),
        a: snap(5, ['5', '0']),
        b: snap(8, ['5', '3']),
        c: snap(8, ['5 success', '3']),
        X: snap(8, ['5 success', '3 aborted'], 'failure', 'aborted'),
      });
      expectSubscriptions(events.subscriptions).toBe(subs);
      expectSubscriptions(notifier.subscriptions).toBe(subs);
    });
  });

  it('lets a record settle whose last bytes the tally that fired the notifier counted: a body stored whole is not cut off', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      // A progress listener aborting once everything is downloaded: the record's result comes right after.
      const notifier = new Subject<void>();
      const events = cold('-(ab)', { a: chunk(0, 5), b: settled(0, 'success') });
      const abortOnceDownloaded = tap((tally: FetchTally) => {
        if (tally.state.downloaded === 5 && tally.state.result === '') notifier.next();
      });
      expectObservable(events.pipe(pipeline(1, notifier, true), abortOnceDownloaded)).toBe('s(ab|)', {
        s: snap(0, ['0']),
        a: snap(5, ['5']),
        b: snap(5, ['5 success'], 'success'),
      });
    });
  });

  it('lands in the frame it was asked in, after that frame\'s tallies, when nothing settles first', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const notifier = new Subject<void>();
      const events = cold('-(ab)---c', { a: chunk(0, 5), b: chunk(0, 2), c: settled(0, 'success') });
      const abortAtFirstBytes = tap((tally: FetchTally) => {
        if (tally.state.downloaded === 5) notifier.next();
      });
      expectObservable(events.pipe(pipeline(1, notifier), abortAtFirstBytes)).toBe('s(abX|)', {
        s: snap(0, ['0']),
        a: snap(5, ['5']),
        b: snap(7, ['7']),
        X: snap(7, ['7 aborted'], 'failure', 'aborted'),
      });
      expectSubscriptions(events.subscriptions).toBe('^!');
    });
  });

  it('keeps the result of a record that already failed: "aborted" still wins for the fetch', () => {
    testScheduler.run(({ cold, hot, expectObservable }) => {
      const events = cold('-a-b---', { a: settled(0, 'bad-status'), b: chunk(1, 2) });
      const notifier = hot('----n--');
      expectObservable(events.pipe(pipeline(2, notifier))).toBe('sa-b(X|)', {
        s: snap(0, ['0', '0']),
        a: snap(0, ['0 bad-status', '0']),
        b: snap(2, ['0 bad-status', '2']),
        X: snap(2, ['0 bad-status', '2 aborted'], 'failure', 'aborted'),
      });
    });
  });

  it('emits one final tally however often the notifier fires', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-----', { a: chunk(0, 1) });
      const notifier = hot('--nnn--');
      expectObservable(events.pipe(pipeline(1, notifier))).toBe('sa(X|)', {
        s: snap(0, ['0']),
        a: snap(1, ['1']),
        X: snap(1, ['1 aborted'], 'failure', 'aborted'),
      });
      expectSubscriptions(notifier.subscriptions).toBe('^-!');
    });
  });

  it('does nothing when the notifier fires after the final tally', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-b-t-----', { a: chunk(0, 5), b: settled(0, 'success'), t: settled(1, 'bad-status') });
      const notifier = hot('--------n--');
      const unsub = '       ^---------!';
      const expected = '    sa-b-t-----';

      expectObservable(events.pipe(pipeline(2, notifier)), unsub).toBe(expected, {
        s: snap(0, ['0', '0']),
        a: snap(5, ['5', '0']),
        b: snap(5, ['5 success', '0']),
        t: snap(5, ['5 success', '0 bad-status'], 'failure', 'bad-status'),
      });
      expectSubscriptions(events.subscriptions).toBe(unsub);
      expectSubscriptions(notifier.subscriptions).toBe(unsub);
    });
  });

  it('lets go of the notifier when the source completes after its final tally', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-s-----', { a: chunk(0, 5), s: settled(0, 'success') });
      const notifier = hot('------n--');
      expectObservable(events.pipe(pipeline(1, notifier, true))).toBe('sa-(z|)', {
        s: snap(0, ['0']),
        a: snap(5, ['5']),
        z: snap(5, ['5 success'], 'success'),
      });
      expectSubscriptions(notifier.subscriptions).toBe('^--!');
    });
  });

  it('ignores the notifier before the source has emitted a tally', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const seed = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 1);
      const tallies = cold('---a--', { a: seed });
      const notifier = hot('-n----');
      expectObservable(tallies.pipe(abortWhen(notifier)), '^----!').toBe('---a--', { a: summary(seed) });
      expectSubscriptions(tallies.subscriptions).toBe('^----!');
    });
  });

  it('passes errors on and tears the notifier down', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const seed = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 1);
      const notifier = hot('-----n');
      expectObservable(cold('a-#', { a: seed }, new Error('boom')).pipe(abortWhen(notifier))).toBe('a-#', { a: summary(seed) }, new Error('boom'));
      expectSubscriptions(notifier.subscriptions).toBe('^-!');
    });
  });

  it('unsubscription tears down the source and the notifier', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const events = cold('-a-----', { a: chunk(0, 1) });
      const notifier = hot('-----n-');
      expectObservable(events.pipe(pipeline(1, notifier)), '^--!').toBe('sa-', { s: snap(0, ['0']), a: snap(1, ['1']) });
      expectSubscriptions(events.subscriptions).toBe('^--!');
      expectSubscriptions(notifier.subscriptions).toBe('^--!');
    });
  });

  it('accepts a promise as the notifier', async () => {
    const seed = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 1);
    let release!: () => void;
    const notifier = new Promise<void>((resolve) => (release = resolve));
    const seen: FetchTally[] = [];
    const done = new Promise<void>((resolve) => {
      NEVER.pipe(startWith(seed), abortWhen(notifier)).subscribe({ next: (t) => seen.push(t), complete: resolve });
    });
    release();
    await done;
    expect(seen.map((t) => t.state.failureReason)).toEqual(['', 'aborted']);
  });
});
