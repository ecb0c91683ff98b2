import { mergeMap, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { FetchRecord, RecordEvent } from './types';

/** Options of {@link fetchRecords}. */
export interface FetchRecordsOptions {
  /** Records in flight at once; a positive integer or `Infinity`. Default 4. */
  readonly concurrency?: number;
}

/**
 * The concurrent fetch stage: runs `fetchOne` for each record, at most `concurrency` at a time,
 * started in request order, and merges their events. Unsubscribing tears down every record in
 * flight (with {@link httpRecord} that aborts its request and closes the connection).
 *
 * @example
 * import { fetchRecords, httpRecord } from 'rx-background-fetch/operators';
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink }), { concurrency: 4 }));
 */
export function fetchRecords(
  fetchOne: (record: FetchRecord) => ObservableInput<RecordEvent>,
  options: FetchRecordsOptions = {},
): OperatorFunction<FetchRecord, RecordEvent> {
  const concurrency = options.concurrency ?? 4;
  if (!(concurrency >= 1) || (concurrency !== Infinity && !Number.isInteger(concurrency))) {
    throw new RangeError(`fetchRecords: concurrency must be a positive integer or Infinity, got ${String(concurrency)}.`);
  }
  return mergeMap((record) => fetchOne(record), concurrency);
}
