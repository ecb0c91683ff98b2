import { Observable, from, mergeMap, type ObservableInput, type OperatorFunction, type Subscription } from 'rxjs';
import type { FetchRecord, RecordEvent } from './types';

/** Options of {@link fetchRecords}. */
export interface FetchRecordsOptions {
  /** Records in flight at once; a positive integer or `Infinity`. Default 4. */
  readonly concurrency?: number;
  /**
   * Bytes still to land that the records landing beyond `concurrency` may hold together.
   * Default 1 MiB (a write group of the IndexedDB store): many small bodies land at once, a
   * few large ones do not pile up in memory.
   */
  readonly landingBytes?: number;
}

/**
 * Fetches one record for {@link fetchRecords}: its events, ending with its `settled` event.
 * `read` says that the record is done with the network (its body was read to its end, and only
 * its writes are still landing: `unstored` bytes of them), so the next record may start.
 *
 * @example
 * const fetchOne: FetchOne = httpRecord({ transport: fetch, sink: memorySink() });
 * records$.pipe(fetchRecords(fetchOne, { concurrency: 4 }));
 */
export type FetchOne = (record: FetchRecord, read: (unstored: number) => void) => ObservableInput<RecordEvent>;

/**
 * The concurrent fetch stage: a `mergeMap` that runs `fetchOne` for each record, at most
 * `concurrency` at a time on the network, started in request order, and merges their events. A
 * record that calls `read`
 * gives its place to the next one while its last writes land (its events, its `settled` event
 * last, still come once they have), as long as fewer than `concurrency` others are landing or
 * the bytes it has still to land fit in `landingBytes` with those of the ones beyond: a small
 * body's commit then overlaps the next requests instead of holding them back (a store whose
 * commits are slow has many landing at once), and the bodies held in memory are bounded. Unsubscribing tears down every record
 * in flight or landing (with {@link httpRecord} that aborts its request and closes the connection).
 *
 * @example
 * import { fetchRecords, httpRecord } from 'rx-background-fetch/operators';
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink }), { concurrency: 4 }));
 */
export function fetchRecords(fetchOne: FetchOne, options: FetchRecordsOptions = {}): OperatorFunction<FetchRecord, RecordEvent> {
  const concurrency = options.concurrency ?? 4;
  const landingBytes = options.landingBytes ?? 1024 * 1024;
  if (!(concurrency >= 1) || (concurrency !== Infinity && !Number.isInteger(concurrency))) {
    throw new RangeError(`fetchRecords: concurrency must be a positive integer or Infinity, got ${String(concurrency)}.`);
  }
  if (!(landingBytes >= 0)) throw new RangeError(`fetchRecords: landingBytes must be a number of bytes, 0 or more, got ${String(landingBytes)}.`);
  return (source) =>
    new Observable<RecordEvent>((subscriber) => {
      // Records that called `read`: off the network, their last writes landing. Their events no
      // longer hold a place of the mergeMap, so their subscriptions belong to this subscriber.
      let landing = 0;
      // Bytes still to land of the records landing beyond the first `concurrency`.
      let beyond = 0;
      let networkDone = false;
      const finish = () => networkDone && landing === 0 && subscriber.complete();
      const place = (record: FetchRecord) =>
        new Observable<RecordEvent>((slot) => {
          let handedOver = false;
          let held = 0;
          const read = (unstored: number) => {
            if (handedOver || slot.closed) return;
            if (landing >= concurrency) {
              if (beyond + unstored > landingBytes) return;
              held = unstored;
              beyond += held;
            }
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
              beyond -= held;
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
