import { normalizeRetry, type RetryOptions } from '../../operators/retryOptions';

describe('normalizeRetry', () => {
  it('fills in the defaults: 3 retries, the retryable statuses, doubling delays from 300 ms, 30 s cap', () => {
    const retry = normalizeRetry(undefined);
    expect(retry.limit).toBe(3);
    expect(retry.statusCodes).toEqual([408, 429, 500, 502, 503, 504]);
    expect([1, 2, 3, 4].map(retry.delay)).toEqual([300, 600, 1200, 2400]);
    expect(retry.backoffLimit).toBe(30_000);
    expect(normalizeRetry({})).toEqual({ ...retry, delay: expect.any(Function) });
  });

  it('reads a number as the retry limit', () => {
    expect(normalizeRetry(0).limit).toBe(0);
    expect(normalizeRetry(5).limit).toBe(5);
    expect(normalizeRetry(5).statusCodes).toEqual([408, 429, 500, 502, 503, 504]);
  });

  it('keeps what the options give and defaults the rest', () => {
    const delay = (attempt: number) => attempt * 10;
    const retry = normalizeRetry({ statusCodes: [503], delay, backoffLimit: 1000 });
    expect(retry).toEqual({ limit: 3, statusCodes: [503], delay, backoffLimit: 1000 });
    expect(normalizeRetry({ limit: 0 }).limit).toBe(0);
    expect(normalizeRetry({ backoffLimit: 0 }).backoffLimit).toBe(0);
  });

  it.each([
    [-1, /retry\.limit must be a whole number ≥ 0, got -1/],
    [1.5, /retry\.limit must be a whole number ≥ 0, got 1\.5/],
    [Number.NaN, /retry\.limit must be a whole number ≥ 0, got NaN/],
    [Number.POSITIVE_INFINITY, /retry\.limit must be a whole number ≥ 0, got Infinity/],
  ])('rejects the limit %p with a TypeError naming the field', (limit, message) => {
    expect(() => normalizeRetry(limit)).toThrow(TypeError);
    expect(() => normalizeRetry(limit)).toThrow(message);
    expect(() => normalizeRetry({ limit })).toThrow(message);
  });

  it('rejects a retry option that is neither a number nor an object', () => {
    expect(() => normalizeRetry('3' as unknown as number)).toThrow(new TypeError('retry must be a number of retries or an options object, got string.'));
    expect(() => normalizeRetry(true as unknown as number)).toThrow(/got boolean/);
  });

  it('rejects statusCodes that are not an array of integers', () => {
    expect(() => normalizeRetry({ statusCodes: 503 as unknown as number[] })).toThrow(new TypeError('retry.statusCodes must be an array of HTTP status codes.'));
    expect(() => normalizeRetry({ statusCodes: ['503'] as unknown as number[] })).toThrow(/retry\.statusCodes/);
  });

  it('rejects a delay that is not a function', () => {
    expect(() => normalizeRetry({ delay: 100 } as unknown as RetryOptions)).toThrow(new TypeError('retry.delay must be a function (attempt) => milliseconds.'));
  });

  it('rejects a negative or NaN backoffLimit', () => {
    expect(() => normalizeRetry({ backoffLimit: -1 })).toThrow(new TypeError('retry.backoffLimit must be a number of ms ≥ 0 and ≤ 2147483647, got -1.'));
    expect(() => normalizeRetry({ backoffLimit: Number.NaN })).toThrow(/retry\.backoffLimit .* got NaN/);
  });

  // Every wait is min(delay(attempt), backoffLimit): a limit a timer can hold bounds them all.
  it.each([2 ** 31, Number.POSITIVE_INFINITY])('rejects the backoffLimit %p, longer than a timer holds', (backoffLimit) => {
    expect(() => normalizeRetry({ backoffLimit })).toThrow(new TypeError(`retry.backoffLimit must be a number of ms ≥ 0 and ≤ 2147483647, got ${String(backoffLimit)}.`));
  });

  it('accepts the longest backoffLimit a timer holds, 2 ** 31 - 1 ms', () => {
    expect(normalizeRetry({ backoffLimit: 2 ** 31 - 1 }).backoffLimit).toBe(2 ** 31 - 1);
  });
});
