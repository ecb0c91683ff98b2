import { Observable, from, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import type { FetchRecord, RecordEvent } from './types';

/** Options of {@link fetchRecords}. */
export interface FetchRecordsOptions {
  /** Records in flight at once; a positive integer or `Infinity`. Default 4. */
  readonly concurrency?: number;
}

/**
 * Fetches one record for {@link fetchRecords}: its events, ending with its `settled` event.
 * `read` says that the record is done with the network (its body was read to its end, and only
 * its writes are still landing), so the next record may start.
 *
 * @example
 * const fetchOne: FetchOne = httpRecord({ transport: fetch, sink: memorySink() });
 * records$.pipe(fetchRecords(fetchOne, { concurrency: 4 }));
 */
export type FetchOne = (record: FetchRecord, read: () => void) => ObservableInput<RecordEvent>;

/**
 * The concurrent fetch stage: runs `fetchOne` for each record, at most `concurrency` at a time
 * on the network, started in request order, and merges their events. A record that calls `read`
 * gives its place to the next one while its last writes land (its events, its `settled` event
 * last, still come once they have), as long as fewer than `concurrency` others are landing:
 * a small body's commit then overlaps the next requests instead of holding them back, and at
 * most twice `concurrency` records hold bodies at once. Unsubscribing tears down every record
 * in flight or landing (with {@link httpRecord} that aborts its request and closes the connection).
 *
 * @example
 * import { fetchRecords, httpRecord } from 'rx-background-fetch/operators';
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink }), { concurrency: 4 }));
 */
export function fetchRecords(fetchOne: FetchOne, options: FetchRecordsOptions = {}): OperatorFunction<FetchRecord, RecordEvent> {
  const concurrency = options.concurrency ?? 4;
  if (!(concurrency >= 1) || (concurrency !== Infinity && !Number.isInteger(concurrency))) {
    throw new RangeError(`fetchRecords: concurrency must be a positive integer or Infinity, got ${String(concurrency)}.`);
  }
  return (source) =>
    new Observable<RecordEvent>((subscriber) => {
      const queued: FetchRecord[] = [];
      let running = 0;
      let landing = 0;
      let sourceDone = false;

      const next = () => {
        while (!subscriber.closed && running < concurrency && queued.length > 0) run(queued.shift()!);
        if (sourceDone && running === 0 && landing === 0 && queued.length === 0) subscriber.complete();
      };
      const run = (record: FetchRecord) => {
        running++;
        let place: 'network' | 'landing' | 'done' = 'network';
        const read = () => {
          if (place !== 'network' || landing >= concurrency) return;
          place = 'landing';
          running--;
          landing++;
          next();
        };
        // Undefined while it subscribes: a record that completes at once has nothing to remove.
        let inner: Subscription | undefined;
        inner = from(fetchOne(record, read)).subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            if (place === 'network') running--;
            else landing--;
            place = 'done';
            if (inner !== undefined) subscriber.remove(inner);
            next();
          },
        });
        subscriber.add(inner);
      };

      subscriber.add(
        source.subscribe({
          next: (record) => {
            queued.push(record);
            next();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            sourceDone = true;
            next();
          },
        }),
      );
    });
}
