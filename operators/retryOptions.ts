import { maxTimerDelay } from './timerLimit';

/**
 * How a GET request is retried: on a network failure, on these status codes, and (by
 * {@link "rx-background-fetch/operators"!httpRecord | httpRecord}) when its body breaks off,
 * resuming with `Range`.
 */
export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly limit?: number;
  /** Status codes that are retried (`Retry-After` honoured for 413, 429 and 503). Default 408, 429, 500, 502, 503, 504. */
  readonly statusCodes?: readonly number[];
  /** Wait before retry number `attempt` (1-based), in ms. Default `300 * 2 ** (attempt - 1)`. */
  readonly delay?: (attempt: number) => number;
  /** Upper bound of any wait, `Retry-After` included, in ms; at most 2147483647 (what a timer holds). Default 30000. */
  readonly backoffLimit?: number;
}

/** {@link RetryOptions} with every field filled in. */
export type NormalizedRetry = Required<RetryOptions>;

/**
 * Turns the `retry` option (`number` of retries or {@link RetryOptions}) into complete options,
 * rejecting nonsense early with a `TypeError` that names the bad field.
 *
 * @example
 * normalizeRetry(2).limit;                  // 2
 * normalizeRetry({ statusCodes: [503] }).limit; // 3
 */
export function normalizeRetry(retry: number | RetryOptions | undefined): NormalizedRetry {
  const options: RetryOptions = typeof retry === 'number' ? { limit: retry } : retry ?? {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`retry must be a number of retries or an options object, got ${typeof retry}.`);
  }
  const limit = options.limit ?? 3;
  if (!Number.isInteger(limit) || limit < 0) throw new TypeError(`retry.limit must be a whole number ≥ 0, got ${String(limit)}.`);
  const statusCodes = options.statusCodes ?? [408, 429, 500, 502, 503, 504];
  if (!Array.isArray(statusCodes) || !statusCodes.every((code) => Number.isInteger(code))) {
    throw new TypeError('retry.statusCodes must be an array of HTTP status codes.');
  }
  const delay = options.delay ?? ((attempt: number) => 300 * 2 ** (attempt - 1));
  if (typeof delay !== 'function') throw new TypeError('retry.delay must be a function (attempt) => milliseconds.');
  const backoffLimit = options.backoffLimit ?? 30_000;
  // Every wait is min(delay(attempt), backoffLimit), so this bound keeps each one inside a timer.
  if (!(backoffLimit >= 0 && backoffLimit <= maxTimerDelay)) {
    throw new TypeError(`retry.backoffLimit must be a number of ms ≥ 0 and ≤ ${maxTimerDelay}, got ${String(backoffLimit)}.`);
  }
  return { limit, statusCodes, delay, backoffLimit };
}
