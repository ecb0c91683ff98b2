import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { throttleProgress } from '../../operators/throttleProgress';
import type { BackgroundFetchState } from '../../operators/types';
import { deepEqualScheduler } from './recordEvents';

const state = (downloaded: number, more: Partial<BackgroundFetchState> = {}): BackgroundFetchState => ({
  id: 'f',
  uploadTotal: 0,
  uploaded: 0,
  downloadTotal: 0,
  downloaded,
  result: '',
  failureReason: '',
  recordsAvailable: true,
  ...more,
});
const states = {
  a: state(1),
  b: state(2),
  c: state(3),
  d: state(4),
  e: state(5),
  f: state(6),
  F: state(7, { result: 'success' }),
  R: state(7, { result: 'success', recordsAvailable: false }),
  X: state(3, { result: 'failure', failureReason: 'aborted' }),
};

/** `scheduler`, calling `onFire` each time a piece of scheduled work really runs. */
function countingScheduler(scheduler: TestScheduler, onFire: () => void): SchedulerLike {
  return {
    now: () => scheduler.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      return scheduler.schedule<T>(
        function (this: SchedulerAction<T>, value?: T) {
          onFire();
          work.call(this, value);
        },
        delay,
        state,
      );
    },
  };
}

describe('throttleProgress', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = deepEqualScheduler();
  });

  it('passes the first state at once, then at most one per interval with the newest trailing', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-------d-e----f|   ', states);
      const expected = '   a----c------d----e--(f|)';

      expectObservable(source.pipe(throttleProgress(5))).toBe(expected, states);
      expectSubscriptions(source.subscriptions).toBe('^-------------------!');
    });
  });

  it('holds a burst inside one interval down to one trailing emission', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a(bcde)----------|', states);
      const expected = '   a---------e------|';

      expectObservable(source.pipe(throttleProgress(10))).toBe(expected, states);
    });
  });

  it('passes a state carrying a result at once and drops the older pending one', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b-F|', states);
      const expected = '   a---F|';

      expectObservable(source.pipe(throttleProgress(5))).toBe(expected, states);
    });
  });

  it('emits nothing after the final state: the trailing timer of an older state is cancelled', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-X--------', states);
      const unsub = '     ^-----------!';
      const expected = '  a---X--------';

      expectObservable(source.pipe(throttleProgress(5)), unsub).toBe(expected, states);
      expectSubscriptions(source.subscriptions).toBe(unsub);
    });
  });

  it('passes a recordsAvailable change at once', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('F-R|', states);
      expectObservable(source.pipe(throttleProgress(10))).toBe('F-R|', states);
    });
  });

  it('flushes the pending state when the source completes', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b|   ', states);
      const expected = '   a--(b|)';

      expectObservable(source.pipe(throttleProgress(5))).toBe(expected, states);
    });
  });

  it('passes every state with interval 0', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('abc-d|', states);
      expectObservable(source.pipe(throttleProgress(0))).toBe('abc-d|', states);
    });
  });

  it('passes errors on (the pending state is dropped)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b#', states, new Error('boom'));
      expectObservable(source.pipe(throttleProgress(5))).toBe('a--#', states, new Error('boom'));
    });
  });

  it('unsubscription cancels the trailing timer and unsubscribes the source', () => {
    let fired = 0;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const counting = countingScheduler(testScheduler, () => fired++);
      const source = cold('a-b------', states);
      const unsub = '      ^--!      ';
      const expected = '   a--      ';

      expectObservable(source.pipe(throttleProgress(5, counting)), unsub).toBe(expected, states);
      expectSubscriptions(source.subscriptions).toBe(unsub);
    });
    expect(fired).toBe(0);
  });

  it('counts the timer that does fire (the counting scheduler can see one)', () => {
    let fired = 0;
    testScheduler.run(({ cold, expectObservable }) => {
      const counting = countingScheduler(testScheduler, () => fired++);
      expectObservable(cold('a-b------', states).pipe(throttleProgress(5, counting)), '^-------!').toBe('a----b---', states);
    });
    expect(fired).toBe(1);
  });

  // 2 ** 31 ms and more do not fit in a timer, which would fire at once: no throttling at all.
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, 3e9])('rejects the interval %p with a RangeError', (interval) => {
    expect(() => throttleProgress(interval)).toThrow(RangeError);
    expect(() => throttleProgress(interval)).toThrow(`got ${String(interval)}`);
  });

  it('accepts the longest interval a timer holds, 2 ** 31 - 1 ms', () => {
    expect(() => throttleProgress(2 ** 31 - 1)).not.toThrow();
  });
});
