import { scan, type OperatorFunction } from 'rxjs';
import { fatalResults, firstFailure, settleTally } from './tally';
import type { FetchTally, RecordEvent, RecordStatus } from './types';

/**
 * The byte-counting reducer: folds record events into a {@link FetchTally}; a chunk reads only
 * its own record and replaces it in the persistent record table (one node of 32 per level copied,
 * no per-record work).
 * A `response` event sets the record's bytes to the bytes it kept (a restart replaces its old
 * bytes, it never adds them twice); a `fetch-error` record's bytes stop counting. When every
 * record has settled, or one settles with a result that ends the fetch at once
 * (`download-total-exceeded`, `quota-exceeded`), the tally carries the final result. Tallies
 * are immutable: each step makes a new {@link RecordTable} that shares every status but the one
 * it changed, so a tally already emitted never changes.
 *
 * @example
 * import { countBytes, createTally } from 'rx-background-fetch/operators';
 * events$.pipe(countBytes(createTally({ id: 'a', downloadTotal: 0, uploadTotal: 0 }, 2)));
 */
export function countBytes(seed: FetchTally): OperatorFunction<RecordEvent, FetchTally> {
  return scan(reduce, seed);
}

function reduce(tally: FetchTally, event: RecordEvent): FetchTally {
  if (tally.state.result !== '') return tally;
  const records = tally.records;
  const index = event.index;
  const record = records.at(index);
  if (record === undefined) throw new RangeError(`countBytes: no record ${index} in a fetch of ${records.length}.`);
  switch (event.type) {
    case 'uploaded':
      return { ...tally, state: { ...tally.state, uploaded: Math.min(tally.state.uploadTotal, tally.state.uploaded + event.bytes) }, changed: index };
    case 'chunk':
      return {
        ...tally,
        records: records.with(index, { ...record, bytes: record.bytes + event.bytes }),
        state: { ...tally.state, downloaded: tally.state.downloaded + event.bytes },
        changed: index,
      };
    case 'response': {
      const restarted = event.offset === 0 && record.response !== null;
      const next: RecordStatus = {
        ...record,
        response: event.response,
        bytes: event.offset,
        generation: restarted ? record.generation + 1 : record.generation,
      };
      const downloaded = tally.state.downloaded - record.bytes + event.offset;
      // The state object is kept when no attribute changed: state$ emits changes only.
      const state = downloaded === tally.state.downloaded ? tally.state : { ...tally.state, downloaded };
      return { ...tally, records: records.with(index, next), state, changed: index };
    }
    case 'settled':
      return settle(tally, index, record, event.result);
    case 'waiting':
      return { ...tally, waiting: tally.waiting + (event.waiting ? 1 : -1), changed: index };
  }
}

function settle(tally: FetchTally, index: number, record: RecordStatus, result: RecordStatus['result']): FetchTally {
  if (record.result !== '') return tally;
  const dropped = result === 'fetch-error' ? record.bytes : 0;
  const next: FetchTally = {
    state: dropped === 0 ? tally.state : { ...tally.state, downloaded: tally.state.downloaded - dropped },
    records: tally.records.with(index, { ...record, result, bytes: record.bytes - dropped }),
    settled: tally.settled + 1,
    changed: index,
    waiting: tally.waiting,
    ui: tally.ui,
  };
  if (fatalResults.has(result)) return { ...settleTally(next, result as 'quota-exceeded'), changed: index };
  if (next.settled === next.records.length) return { ...settleTally(next, firstFailure(next.records)), changed: index };
  return next;
}
