import { Observable, Subject } from 'rxjs';
import type { RecordStatus, StoredRequest } from '../../operators/types';
import { matchKey } from '../matchRequest';
import type { RecordSource } from '../engine/recordResponse';
import type { RecordUpdate } from './protocol';

const unmoved: RecordStatus = { response: null, bytes: 0, result: '', generation: 0 };

/**
 * A page's copy of one fetch's records, kept from what the host publishes: the requests, and
 * each record's status (response head, bytes stored, result). `match()` reads it without asking
 * the host; the only call it makes is `readChunks`, once a body is read.
 *
 * @example
 * const records = new MirroredRecords(requests, (index, from) => call({ method: 'chunks', key, index, from }));
 * records.update(fetch.records);
 */
export class MirroredRecords implements RecordSource {
  readonly requests: readonly StoredRequest[];
  readonly readChunks: (index: number, from: number, count?: number) => Promise<Uint8Array[]>;
  readonly #statuses: RecordStatus[];
  /** The index of each record that changed. */
  readonly #changed = new Subject<number>();
  readonly #keys: [string[] | undefined, string[] | undefined] = [undefined, undefined];

  constructor(requests: readonly StoredRequest[], readChunks: (index: number, from: number, count?: number) => Promise<Uint8Array[]>) {
    this.requests = requests;
    this.readChunks = readChunks;
    this.#statuses = requests.map(() => unmoved);
  }

  /** Applies record statuses the host sent (absolute, so one applied twice does no harm). */
  update(updates: readonly RecordUpdate[]): void {
    for (const [index, status] of updates) {
      if (index >= 0 && index < this.#statuses.length) this.#statuses[index] = status;
    }
    for (const [index] of updates) this.#changed.next(index);
  }

  /** The records are no longer available: whatever waits on one gives up. */
  end(): void {
    this.#changed.complete();
  }

  current(index: number): RecordStatus {
    return this.#statuses[index];
  }

  /** The record's status now, then each change; completes when the records end. */
  watch(index: number): Observable<RecordStatus> {
    // By hand, not startWith: that brings rxjs's concat machinery into the page build.
    return new Observable<RecordStatus>((subscriber) => {
      subscriber.next(this.#statuses[index]);
      return this.#changed.subscribe({
        next: (changed) => changed === index && subscriber.next(this.#statuses[index]),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
  }

  /** The stored URLs' match keys, made once per `ignoreSearch`. */
  keys(ignoreSearch: boolean): readonly string[] {
    const slot = ignoreSearch ? 1 : 0;
    return (this.#keys[slot] ??= this.requests.map((stored) => matchKey(stored.url, ignoreSearch)));
  }
}
