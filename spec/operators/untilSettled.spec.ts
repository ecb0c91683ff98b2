import type { TestScheduler } from 'rxjs/testing';
import { createTally, settleTally } from '../../operators/tally';
import type { FetchTally } from '../../operators/types';
import { untilSettled } from '../../operators/untilSettled';
import { deepEqualScheduler } from './recordEvents';

const seed = createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 2);
const at = (downloaded: number): FetchTally => ({ ...seed, state: { ...seed.state, downloaded } });
const tallies = {
  a: at(1),
  b: at(2),
  c: at(3),
  F: settleTally(createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 2), 'quota-exceeded'),
  S: settleTally(createTally({ id: 'f', downloadTotal: 0, uploadTotal: 0 }, 1), ''),
};

describe('untilSettled', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = deepEqualScheduler();
  });

  it('completes right after the first final tally and unsubscribes the source', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-F-c-S|', tallies);
      const expected = '   a-b-(F|)  ';
      const subs = '       ^---!     ';

      expectObservable(source.pipe(untilSettled())).toBe(expected, tallies);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('emits a final success tally, then completes', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-^-S-b-|', tallies);
      expectObservable(source.pipe(untilSettled())).toBe('--(S|)', tallies);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('passes running tallies, completion and errors through', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', tallies).pipe(untilSettled())).toBe('a-b-c|', tallies);
      expectObservable(cold('a-#', tallies, new Error('boom')).pipe(untilSettled())).toBe('a-#', tallies, new Error('boom'));
    });
  });

  it('lets unsubscription through', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-F|', tallies);
      expectObservable(source.pipe(untilSettled()), '^--!').toBe('a-b', tallies);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});
