import { takeWhile, type MonoTypeOperatorFunction } from 'rxjs';
import type { FetchTally } from './types';

/**
 * Completes right after the first tally that carries a final result, so that a result which
 * ends the fetch early (`quota-exceeded`) also stops the requests still in flight upstream.
 *
 * @example
 * import { countBytes, untilSettled } from 'rx-background-fetch/operators';
 * events$.pipe(countBytes(seed), untilSettled());
 */
export function untilSettled(): MonoTypeOperatorFunction<FetchTally> {
  return takeWhile((tally) => tally.state.result === '', true);
}
