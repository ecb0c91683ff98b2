import { Observable, from, mergeMap, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
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
 * The concurrent fetch stage: a `mergeMap` that runs `fetchOne` for each record, at most
 * `concurrency` at a time on the network, started in request order, and merges their events. A
 * record that calls `read`
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
      // Records that called `read`: off the network, their last writes landing. Their events no
      // longer hold a place of the mergeMap, so their subscriptions belong to this subscriber.
      let landing = 0;
      let networkDone = false;
      const finish = () => networkDone && landing === 0 && subscriber.complete();
      const place = (record: FetchRecord) =>
        new Observable<RecordEvent>((slot) => {
          let handedOver = false;
          const read = () => {
            if (handedOver || slot.closed || landing >= concurrency) return;
            handedOver = true;
            landing++;
            slot.complete();
          };
          const events: Subscription = from(fetchOne(record, read)).subscribe({
            next: (event) => (handedOver ? subscriber.next(event) : slot.next(event)),
            error: (error: unknown) => (handedOver ? subscriber.error(error) : slot.error(error)),
            complete: () => {
              if (!handedOver) return slot.complete();
              landing--;
              subscriber.remove(events);
              finish();
            },
          });
          // Leaving its place: a record still on the network is torn down, one landing goes on.
          return () => (handedOver ? subscriber.add(events) : events.unsubscribe());
        });
      subscriber.add(
        source.pipe(mergeMap(place, concurrency)).subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            networkDone = true;
            finish();
          },
        }),
      );
    });
}
