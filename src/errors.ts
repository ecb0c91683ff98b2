/** The figures of a quota refusal, in bytes: the quota, and what would have been in use. */
export interface QuotaFigures {
  readonly quota?: number | null;
  readonly requested?: number | null;
}

type QuotaExceededErrorClass = new (message: string, options: { quota?: number; requested?: number }) => DOMException;

/**
 * A `DOMException` named `QuotaExceededError`. Where the platform has the Web IDL
 * `QuotaExceededError` class (Chromium 138+) it is an instance of it, with `quota` and `requested`
 * set; a figure the class would refuse with a `RangeError` (negative, not finite, or `requested`
 * below `quota`: a custom `quota` function can return anything) is left out instead.
 *
 * @example
 * throw quotaExceeded('downloadTotal 5 GB is more than the 1 GB free.', { quota: 2e9, requested: 6e9 });
 * throw quotaExceeded('Over the quota.'); // quota and requested null
 */
export function quotaExceeded(message: string, figures: QuotaFigures = {}): DOMException {
  const Native = (globalThis as { QuotaExceededError?: QuotaExceededErrorClass }).QuotaExceededError;
  if (Native === undefined) return new DOMException(message, 'QuotaExceededError');
  const valid = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  const options: { quota?: number; requested?: number } = {};
  if (valid(figures.quota)) options.quota = figures.quota;
  if (valid(figures.requested) && !(options.quota !== undefined && figures.requested < options.quota)) options.requested = figures.requested;
  return new Native(message, options);
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
