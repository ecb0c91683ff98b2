import { Observable, type MonoTypeOperatorFunction, type ObservableInput, from } from 'rxjs';
import { settleTally } from './tally';
import type { FetchTally } from './types';

/**
 * Aborts a fetch when `notifier` emits: the last tally is settled with `"aborted"` (records still
 * running become `aborted`, finished ones keep their result and bytes), emitted, and the stream
 * completes, which cancels every request in flight upstream. The source must have emitted a
 * tally first (start it with the seed); a notifier firing after the final tally does nothing.
 *
 * @example
 * import { abortWhen } from 'rx-background-fetch/operators';
 * tally$.pipe(abortWhen(fromEvent(button, 'click')));
 */
export function abortWhen(notifier: ObservableInput<unknown>): MonoTypeOperatorFunction<FetchTally> {
  return (source) =>
    new Observable<FetchTally>((subscriber) => {
      let last: FetchTally | undefined;
      const stop = from(notifier).subscribe({
        next() {
          if (last === undefined || last.state.result !== '') return;
          subscriber.next(settleTally(last, 'aborted'));
          subscriber.complete();
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
      };
    });
}
