import { Observable, asyncScheduler, from, type MonoTypeOperatorFunction, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { settleTally } from './tally';
import type { FetchTally } from './types';

/**
 * Aborts a fetch when `notifier` emits: the last tally is settled with `"aborted"` (records still
 * running become `aborted`, finished ones keep their result and bytes), emitted, and the stream
 * completes, which cancels every request in flight upstream. The source must have emitted a
 * tally first (start it with the seed); a notifier firing after the final tally does nothing.
 * The abort lands on `scheduler` (a task later by default), after the work already queued: a
 * record's last bytes are counted just before it settles, and a notifier fired by the tally that
 * counted them (a progress listener calling abort) must not cut off a body stored whole. If the
 * fetch settles meanwhile, the abort does nothing.
 *
 * @example
 * import { abortWhen } from 'rx-background-fetch/operators';
 * tally$.pipe(abortWhen(fromEvent(button, 'click')));
 */
export function abortWhen(notifier: ObservableInput<unknown>, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<FetchTally> {
  return (source) =>
    new Observable<FetchTally>((subscriber) => {
      let last: FetchTally | undefined;
      let landing: Subscription | undefined;
      const land = (): void => {
        if (last === undefined || last.state.result !== '') return;
        subscriber.next(settleTally(last, 'aborted'));
        subscriber.complete();
      };
      const stop = from(notifier).subscribe({
        next() {
          if (last === undefined || last.state.result !== '' || landing !== undefined) return;
          landing = scheduler.schedule(land);
        },
        error: (error: unknown) => subscriber.error(error),
      });
      const inner = source.subscribe({
        next(tally) {
          last = tally;
          subscriber.next(tally);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        stop.unsubscribe();
        inner.unsubscribe();
        landing?.unsubscribe();
      };
    });
}
