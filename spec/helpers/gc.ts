/**
 * Full garbage collections for the memory checks. Jest gives no `--expose-gc`, so the collector
 * is reached through V8's flag and a fresh context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');

/**
 * One full, synchronous collection.
 *
 * @example
 * gc();
 * const heap = process.memoryUsage().heapUsed;
 */
export const gc = runInNewContext('gc') as () => void;

/**
 * Several full collections with a turn of the event loop between them, so that finalizers and
 * weak references settle (a `WeakRef` target freed, a `FinalizationRegistry` callback run).
 *
 * @example
 * await settle();
 * expect(ref.deref()).toBeUndefined();
 */
export async function settle(): Promise<void> {
  for (let pass = 0; pass < 4; pass++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
