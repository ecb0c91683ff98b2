import { promisifyRequest, type UseStore } from 'idb-keyval';

/** Requests placed, synchronously, on the object store of one `readwrite` transaction. */
export type StoreWork = (store: IDBObjectStore) => void;

/**
 * A request that a later one of the same `id` in the same transaction makes redundant (a row that
 * is put again, newer, by a later write): only the last of an `id` runs, where it was queued.
 */
export interface FinalWork {
  readonly id: string;
  readonly work: StoreWork;
}

/** One `readwrite` transaction at a time, carrying every write queued while the last one ran. */
export interface WriteQueue {
  /** Queues `work` (then `final`); resolves once the transaction that ran it has committed, rejects if it failed. */
  write(work: StoreWork | undefined, final?: FinalWork): Promise<void>;
  /** Whether a `final` of this id waits in the transaction to come: one queued now joins it and replaces it. */
  gathers(id: string): boolean;
  /** Resolves once everything queued so far has committed or failed. */
  settled(): Promise<void>;
}

interface Batch {
  readonly work: Array<{ readonly work: StoreWork | undefined; readonly final: FinalWork | undefined }>;
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Batches writes into as few transactions as ordering allows: a write queued while no
 * transaction runs starts one at the end of this tick (so writes made together go together);
 * writes queued while one runs all go into the next, which starts when it commits. IndexedDB
 * runs `readwrite` transactions of one store one after another anyway, and a commit costs about
 * the same for one small row as for many, so 200 small records cost a handful of commits, not
 * 600. Writes run in the order queued; a transaction is all or nothing, so each write resolves
 * only once it has committed, with everything queued before it. A record's chunks written
 * together share one transaction and one put of its row.
 *
 * @example
 * const queue = writeQueue(createStore('db', 'store'));
 * await queue.write((s) => { s.put(chunk, chunkKey); s.put(row, rowKey); });
 */
export function writeQueue(store: UseStore): WriteQueue {
  let gathering: Batch | undefined;
  let running: Promise<void> | undefined;

  const start = () => {
    const batch = gathering!;
    gathering = undefined;
    running = store('readwrite', (s) => {
      const last = new Map<string, number>();
      batch.work.forEach(({ final }, at) => final !== undefined && last.set(final.id, at));
      try {
        batch.work.forEach(({ work, final }, at) => {
          work?.(s);
          if (final !== undefined && last.get(final.id) === at) final.work(s);
        });
      } catch (error) {
        // A request that throws (a value that cannot be cloned) must not let the others commit.
        s.transaction.abort();
        throw error;
      }
      return promisifyRequest(s.transaction);
    })
      .then(batch.resolve, batch.reject)
      .then(() => {
        running = undefined;
        if (gathering !== undefined) start();
      });
  };

  return {
    write(work, final) {
      if (gathering === undefined) {
        let resolve!: () => void;
        let reject!: (error: unknown) => void;
        const done = new Promise<void>((yes, no) => {
          resolve = yes;
          reject = no;
        });
        gathering = { work: [], done, resolve, reject };
        if (running === undefined) queueMicrotask(start);
      }
      gathering.work.push({ work, final });
      return gathering.done;
    },
    gathers: (id) => gathering?.work.some(({ final }) => final?.id === id) === true,
    settled: () => (gathering?.done ?? running ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    ),
  };
}
