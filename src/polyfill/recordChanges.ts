import type { RecordStatus } from '../../operators/types';
import type { FetchRecords } from '../engine/registrationKeys';
import type { RecordUpdate } from './protocol';

/** What {@link followRecords} gives the host of one fetch's records. */
export interface RecordChanges {
  /** Every record that has moved (a head, bytes, a result): what a page that starts to mirror needs. */
  all(): RecordUpdate[];
  /** The records changed since the last call, and forgets them: what the next published state carries. */
  take(): RecordUpdate[];
  /** Stops following. */
  stop(): void;
}

/**
 * Follows one fetch's tallies for the host, so that each state it publishes carries only the
 * records that changed since the one before (a tally names the record it touched, so this costs
 * O(1) per chunk, not one watcher per record). `urgent` is called when a record got its head,
 * a result or restarted, which pages must hear of without waiting for the next progress; bytes
 * alone travel with the next state.
 *
 * @example
 * const changes = followRecords(job, () => send());
 * publish({ …, records: changes.take() });
 */
export function followRecords(records: Pick<FetchRecords, 'tally' | 'tallies$'>, urgent: () => void): RecordChanges {
  // What pages were last told of each record: a table of the host's own.
  const known: RecordStatus[] = [...records.tally.records];
  const changed = new Set<number>();
  const see = (index: number, status: RecordStatus): boolean => {
    const before = known[index];
    if (status === before) return false;
    known[index] = status;
    changed.add(index);
    return status.response !== before.response || status.result !== before.result || status.generation !== before.generation;
  };
  const subscription = records.tallies$.subscribe((tally) => {
    let now = false;
    // A final tally, and one that names no record (records released), may touch any of them.
    if (tally.changed >= 0 && tally.state.result === '') now = see(tally.changed, tally.records.at(tally.changed)!);
    else tally.records.toArray().forEach((status, index) => (now = see(index, status) || now));
    if (now) urgent();
  });
  return {
    all: () => known.flatMap((status, index): RecordUpdate[] => (moved(status) ? [[index, status]] : [])),
    take: () => {
      const updates = [...changed].map((index): RecordUpdate => [index, known[index]]);
      changed.clear();
      return updates;
    },
    stop: () => subscription.unsubscribe(),
  };
}

function moved(status: RecordStatus): boolean {
  return status.response !== null || status.bytes > 0 || status.result !== '' || status.generation > 0;
}
