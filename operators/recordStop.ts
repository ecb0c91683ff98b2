/**
 * What a wait or a read needs of an `AbortSignal`: whether it aborted, why, and its `abort`
 * event. An `AbortSignal` is one; so is a {@link RecordStop}.
 *
 * @example
 * const stop: StopSignal = new AbortController().signal;
 * if (stop.aborted) throw stop.reason;
 */
export type StopSignal = Pick<AbortSignal, 'aborted' | 'reason' | 'addEventListener' | 'removeEventListener'>;

/**
 * The stop of one record in {@link httpRecord}: a {@link StopSignal} that `abort()` sets once,
 * dispatching `abort`. Each attempt has an `AbortController` of its own that follows it
 * ({@link following}), and only what is sent (a request, a probe) needs a real `AbortSignal`:
 * an `AbortController` with a listener costs Node about 3 µs in a warm loop, before its
 * collection, which every record paid.
 *
 * @example
 * const stop = new RecordStop();
 * stop.addEventListener('abort', () => attempt.abort(stop.reason)); stop.abort(reason);
 */
export class RecordStop extends EventTarget implements StopSignal {
  #aborted = false;
  #reason: unknown = undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Stops the record with `reason`; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.dispatchEvent(new Event('abort'));
  }
}
