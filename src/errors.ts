/**
 * A `DOMException` named `QuotaExceededError`; where the platform has the `QuotaExceededError`
 * class (newer browsers) it is one of those, with `quota` and `requested` left null.
 *
 * @example
 * throw quotaExceeded('downloadTotal 5 GB is more than the 1 GB free.');
 */
export function quotaExceeded(message: string): DOMException {
  const Native = (globalThis as { QuotaExceededError?: new (message: string) => DOMException }).QuotaExceededError;
  return Native === undefined ? new DOMException(message, 'QuotaExceededError') : new Native(message);
}

/**
 * A value as error messages show it: strings quoted, so that `"10"` is not mistaken for `10`.
 *
 * @example
 * throw new TypeError(`concurrency must be a whole number, got ${shown('4')}.`); // … got "4".
 */
export function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * A `DOMException` named `InvalidStateError`.
 *
 * @example
 * return Promise.reject(invalidState('Records are no longer available.'));
 */
export function invalidState(message: string): DOMException {
  return new DOMException(message, 'InvalidStateError');
}

/**
 * A `DOMException` named `AbortError`.
 *
 * @example
 * reject(abortError('The record was aborted before its response arrived.'));
 */
export function abortError(message: string): DOMException {
  return new DOMException(message, 'AbortError');
}
