import type { BodySink } from '../../operators/types';
import { quotaExceeded } from '../errors';
import type { QuotaEstimate } from '../managerOptions';

/** A sink whose writes can be waited for and shut, and which enforces a quota. */
export interface GuardedSink extends BodySink {
  /** Refuses further writes and resolves once the writes under way have landed. */
  shut(): Promise<void>;
}

// Re-ask the quota after this many bytes, so a shrinking quota is seen without a call per chunk.
const recheckBytes = 16 * 1024 * 1024;

/**
 * Wraps a store's sink for one running fetch: writes fail with `QuotaExceededError` once the
 * bytes written would pass the free quota (asked at the start and every 16 MB), and `shut()`
 * lets `close()` wait for writes in flight, so a later manager never resumes from a point a
 * late write would move.
 *
 * @example
 * const sink = guardSink(store.sink(key), settings.quota);
 * await sink.shut();
 */
export function guardSink(inner: BodySink, quota: (() => Promise<QuotaEstimate>) | undefined): GuardedSink {
  // A count, not a set of the writes: `shut()` only needs to know when it drops to zero.
  let inFlight = 0;
  let landed: (() => void) | undefined;
  let shut = false;
  // The quota and the bytes in use as last asked, plus what was written since.
  let quotaBytes = Infinity;
  let used = 0;
  let sinceCheck = Infinity;
  const settled = () => {
    if (--inFlight === 0) landed?.();
  };
  /**
   * Starts `work` unless shut, and tracks it until it settles. Started here, after the check: a
   * write begun once `shut()` was called would land after it resolved, in the records the next
   * manager resumes from. Counted once started, so a `work` that throws leaves nothing in flight.
   */
  const track = <T>(start: () => Promise<T>): Promise<T> => {
    if (shut) return Promise.reject(new DOMException('The manager was closed.', 'AbortError'));
    const work = start();
    inFlight++;
    // The caller gets the chained promise: one promise per write for the tracking, not two.
    return work.then(
      (value) => {
        settled();
        return value;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
  };
  const checkQuota = async (bytes: number, ask: () => Promise<QuotaEstimate>) => {
    if (sinceCheck >= recheckBytes) {
      const estimate = await ask();
      quotaBytes = estimate.quota;
      used = estimate.usage;
      sinceCheck = 0;
    }
    const requested = used + bytes;
    if (requested > quotaBytes) {
      throw quotaExceeded(`Storing ${bytes} more bytes would pass the storage quota (${Math.max(0, quotaBytes - used)} bytes free).`, { quota: quotaBytes, requested });
    }
    used = requested;
    sinceCheck += bytes;
  };
  // Quota checks one after another, so that writes made together reach the store in the order
  // made even when one of them has to ask for the quota first.
  let checked = Promise.resolve();
  return {
    writeSize: inner.writeSize,
    resumePoint: (index) => track(() => inner.resumePoint(index)),
    begin: (index, response, offset) => track(() => inner.begin(index, response, offset)),
    // Without a quota a chunk goes straight to the store: one promise per chunk, not three.
    write:
      quota === undefined
        ? (index, chunk) => track(() => inner.write(index, chunk))
        : (index, chunk) =>
            track(() => {
              // Accepted before shut(), so written even if shut() comes during the check: shut() waits for it.
              const check = (checked = checked.then(() => checkQuota(chunk.byteLength, quota)));
              return check.then(() => inner.write(index, chunk));
            }),
    // Behind the quota checks, as the writes are: told once the last write has reached the store.
    ending: (index, result) => {
      if (shut) return;
      if (quota === undefined) inner.ending?.(index, result);
      else void checked.then(() => inner.ending?.(index, result), () => undefined);
    },
    async shut() {
      shut = true;
      if (inFlight === 0) return;
      const before = landed;
      await new Promise<void>((resolve) => {
        landed = () => {
          before?.();
          resolve();
        };
      });
    },
  };
}
