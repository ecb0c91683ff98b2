import ky, { HTTPError } from 'ky';
import type { Transport } from '../../operators/types';
import type { NormalizedRetry } from '../../operators/retryOptions';

/** Options of {@link createKyTransport}. */
export interface KyTransportOptions {
  /** The `fetch` that sends requests. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** GET retries on network failures, header timeouts and retried status codes (`Retry-After` honoured, up to `backoffLimit`). */
  readonly retry: NormalizedRetry;
  /** Ms to wait for response headers, per attempt. */
  readonly timeout: number;
}

/**
 * The default transport: `ky` with retries of GET requests on network failures, on headers that
 * take longer than `timeout` (like a body that stalls, a slow answer is retried, not fatal) and
 * on the retried status codes (408, 429, 5xx by default), honouring `Retry-After` but never
 * waiting longer than `retry.backoffLimit` (ky would otherwise wait whatever the server says).
 * A status that is still bad after the retries is answered, not thrown: it is the record's
 * `bad-status` response.
 *
 * @example
 * const transport = createKyTransport({ retry: normalizeRetry(3), timeout: 30_000 });
 * const response = await transport(new Request(url), { signal });
 */
export function createKyTransport(options: KyTransportOptions): Transport {
  const { retry } = options;
  const client = ky.create({
    fetch: options.fetch,
    timeout: options.timeout,
    retry: {
      limit: retry.limit,
      methods: ['get'],
      statusCodes: [...retry.statusCodes],
      afterStatusCodes: [413, 429, 503],
      backoffLimit: retry.backoffLimit,
      maxRetryAfter: retry.backoffLimit,
      retryOnTimeout: true,
      delay: retry.delay,
    },
    throwHttpErrors: (status) => retry.statusCodes.includes(status),
  });
  return async (request, { signal }) => {
    try {
      return await client(request, { signal });
    } catch (error) {
      if (error instanceof HTTPError) return error.response;
      throw error;
    }
  };
}
