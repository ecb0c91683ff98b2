import { RecordTable } from './recordTable';
import type { BackgroundFetchFailureReason, BackgroundFetchState, FetchTally, FetchUI, ImageResource, RecordResult, RecordStatus } from './types';

/** A record that has not started yet. */
export const freshRecord: RecordStatus = { response: null, bytes: 0, result: '', generation: 0 };

/**
 * A tally for a fetch that has not started: every record fresh, nothing counted, the UI the
 * fetch was given (no title, no icons when absent).
 *
 * @example
 * const seed = createTally({ id: 'album', downloadTotal: 0, uploadTotal: 0 }, 3);
 * records$.pipe(fetchRecords(fetchOne), countBytes(seed));
 */
export function createTally(
  fetch: { id: string; downloadTotal: number; uploadTotal: number; title?: string; icons?: readonly ImageResource[] },
  recordCount: number,
): FetchTally {
  const state: BackgroundFetchState = {
    id: fetch.id,
    uploadTotal: fetch.uploadTotal,
    uploaded: 0,
    downloadTotal: fetch.downloadTotal,
    downloaded: 0,
    result: '',
    failureReason: '',
    recordsAvailable: true,
  };
  const ui: FetchUI = { title: fetch.title ?? '', icons: fetch.icons ?? [] };
  return { state, records: RecordTable.from(new Array<RecordStatus>(recordCount).fill(freshRecord)), settled: 0, changed: -1, waiting: 0, ui };
}

/** Record results that end the whole fetch at once; the requests they cut off are not failures. */
export const fatalResults: ReadonlySet<RecordResult> = new Set(['download-total-exceeded', 'quota-exceeded']);

/**
 * The failure reason of a settled fetch: the first failing record in request order.
 *
 * @example
 * firstFailure([{ ...freshRecord, result: 'success' }, { ...freshRecord, result: 'bad-status' }]); // 'bad-status'
 */
export function firstFailure(records: Iterable<RecordStatus>): BackgroundFetchFailureReason {
  for (const record of records) {
    if (record.result !== 'success' && record.result !== '' && record.result !== 'aborted') return record.result;
  }
  return '';
}

/**
 * Ends a tally: `reason` becomes the failure reason (`""` means success), records still running
 * become `"aborted"` (their bytes stay stored and counted), and the state gets its final result.
 * `tally` is left as it was.
 *
 * @example
 * const final = settleTally(tally, 'aborted');
 * final.state.result; // 'failure'
 */
export function settleTally(tally: FetchTally, reason: BackgroundFetchFailureReason): FetchTally {
  const records = tally.records.map((record) => (record.result === '' ? { ...record, result: 'aborted' as const } : record));
  const state: BackgroundFetchState = {
    ...tally.state,
    result: reason === '' ? 'success' : 'failure',
    failureReason: reason,
  };
  return { state, records, settled: records.length, changed: -1, waiting: 0, ui: tally.ui };
}
