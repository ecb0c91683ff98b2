import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { settleTally } from './tally';
import type { FetchTally } from './types';

/**
 * The `downloadTotal` guard: once more bytes are stored than `downloadTotal` (0 means no limit),
 * it emits the final tally with `"download-total-exceeded"` and completes, which unsubscribes the
 * fetch stage and so stops every request at once. The record that overran is marked
 * `download-total-exceeded`; the others it cut off are `aborted`, not failures of their own.
 *
 * @example
 * import { countBytes, limitDownloadTotal } from 'rx-background-fetch/operators';
 * events$.pipe(countBytes(seed), limitDownloadTotal(10_000_000));
 */
export function limitDownloadTotal(downloadTotal: number): MonoTypeOperatorFunction<FetchTally> {
  if (!(downloadTotal >= 0)) {
    throw new RangeError(`limitDownloadTotal: downloadTotal must be a number of bytes (0 for no limit), got ${String(downloadTotal)}.`);
  }
  return (source) =>
    new Observable<FetchTally>((subscriber) =>
      source.subscribe({
        next(tally) {
          if (downloadTotal === 0 || tally.state.result !== '' || tally.state.downloaded <= downloadTotal) {
            subscriber.next(tally);
            return;
          }
          const overrun = tally.changed;
          const blamed = overrun < 0 ? tally : { ...tally, records: tally.records.with(overrun, { ...tally.records.at(overrun)!, result: 'download-total-exceeded' }) };
          subscriber.next({ ...settleTally(blamed, 'download-total-exceeded'), changed: overrun });
          subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
