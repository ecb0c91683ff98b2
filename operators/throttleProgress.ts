import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { maxTimerDelay } from './timerLimit';
import type { BackgroundFetchState } from './types';

/**
 * Progress throttling that never loses the end: the first state passes at once, later ones at
 * most once per `interval` ms (the newest wins, delivered when the interval ends), and a state
 * carrying a `result`, a `recordsAvailable` change, or the source's completion is delivered at
 * once, so the final state always arrives and nothing stale follows it.
 *
 * @example
 * import { throttleProgress } from 'rx-background-fetch/operators';
 * state$.pipe(throttleProgress(100)).subscribe((s) => (bar.value = s.downloaded));
 */
export function throttleProgress(
  interval: number,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<BackgroundFetchState> {
  if (!(interval >= 0 && interval <= maxTimerDelay)) {
    throw new RangeError(`throttleProgress: interval must be a number of ms ≥ 0 and ≤ ${maxTimerDelay}, got ${String(interval)}.`);
  }
  return (source) =>
    new Observable<BackgroundFetchState>((subscriber) => {
      let lastEmit = -Infinity;
      let pending: BackgroundFetchState | undefined;
      let timer: Subscription | undefined;
      let lastSent: BackgroundFetchState | undefined;

      const emit = (state: BackgroundFetchState) => {
        timer?.unsubscribe();
        timer = undefined;
        pending = undefined;
        lastEmit = scheduler.now();
        lastSent = state;
        subscriber.next(state);
      };
      const urgent = (state: BackgroundFetchState) =>
        state.result !== '' || (lastSent !== undefined && lastSent.recordsAvailable !== state.recordsAvailable);

      const inner = source.subscribe({
        next(state) {
          const wait = lastEmit + interval - scheduler.now();
          if (wait <= 0 || urgent(state)) {
            emit(state);
            return;
          }
          pending = state;
          timer ??= scheduler.schedule(() => {
            timer = undefined;
            if (pending !== undefined) emit(pending);
          }, wait);
        },
        error: (error: unknown) => subscriber.error(error),
        complete() {
          if (pending !== undefined) emit(pending);
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        inner.unsubscribe();
      };
    });
}
