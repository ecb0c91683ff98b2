import ky, { HTTPError } from 'ky';
import type { Transport } from '../../operators/types';
import type { NormalizedRetry } from '../../operators/retryOptions';

/** Options of {@link createKyTransport}. */
export interface KyTransportOptions {
  /** The `fetch` that sends requests. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** GET retries on retried status codes (`Retry-After` honoured, up to `backoffLimit`). */
  readonly retry: NormalizedRetry;
  /** Ms to wait for response headers, per attempt. */
  readonly timeout: number;
}

/**
 * The default transport: `ky` with retries of GET requests on the retried status codes (408,
 * 429, 5xx by default), honouring `Retry-After` but never waiting longer than
 * `retry.backoffLimit` (ky would otherwise wait whatever the server says), and a header timeout.
 * Given a record's budget (from `httpRecord`), every status retry spends it, so one record
 * never retries more than `retry.limit` times however often it resumes. Network failures and
 * header timeouts are not retried here: they reject, and the record waits them out with its
 * network patience. A status that is still bad after the retries is answered, not thrown: it is
 * the record's `bad-status` response.
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
      retryOnTimeout: false,
      delay: retry.delay,
      // Only statuses: a network failure goes back to the record, which knows whether it is offline.
      shouldRetry: ({ error }) => (error instanceof HTTPError ? undefined : false),
    },
    throwHttpErrors: (status) => retry.statusCodes.includes(status),
  });
  return async (request, { signal, budget }) => {
    // ky makes its Request from ours with options, and a Request made so loses its referrer and
    // referrer policy (the Request constructor resets both when init is not empty): hand them on.
    const { referrer, referrerPolicy } = request;
    try {
      if (budget === undefined) return await client(request, { signal, referrer, referrerPolicy });
      return await client(request, { signal, referrer, referrerPolicy, retry: { limit: Math.max(0, budget.left) }, hooks: { beforeRetry: [() => budget.spend()] } });
    } catch (error) {
      if (error instanceof HTTPError) return error.response;
      throw error;
    }
  };
}
