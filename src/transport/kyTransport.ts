import ky, { HTTPError, TimeoutError } from 'ky';
import { following } from '../../operators/following';
import { requestDefaults } from '../../operators/requestDefaults';
import type { Transport, TransportInit } from '../../operators/types';
import type { NormalizedRetry } from '../../operators/retryOptions';

/** Options of {@link createKyTransport}. */
export interface KyTransportOptions {
  /** The `fetch` that sends requests. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** GET retries on retried status codes (`Retry-After` honoured, up to `backoffLimit`). */
  readonly retry: NormalizedRetry;
  /** Ms to wait for response headers, per attempt. */
  readonly timeout: number;
  /**
   * Whether the transport takes a plain GET as its URL alone ({@link Transport.takesURLs}), and
   * hands `fetch` that URL: `fetch` then makes the only `Request` of such a download, which in
   * Node took 7 % off the wall time of 2,000 small ones. Default `false`: `fetch` is given a
   * `Request` every time, as a `fetch` of one's own may expect.
   */
  readonly takesURLs?: boolean;
}

/**
 * The default transport: `ky` with retries of GET requests on the retried status codes (408,
 * 429, 5xx by default), honouring `Retry-After` but never waiting longer than
 * `retry.backoffLimit` (ky would otherwise wait whatever the server says), and a header timeout.
 * Given a record's budget (from `httpRecord`), every status retry spends it, so one record
 * never retries more than `retry.limit` times however often it resumes. Network failures and
 * header timeouts are not retried here: they reject, and the record waits them out with its
 * network patience. A status that is still bad after the retries is answered, not thrown: it is
 * the record's `bad-status` response. A request is first sent by `fetch` alone, with the header
 * timeout: ky's own work for a call (its option merges, two more `Request` copies and an
 * `AbortSignal.any`) was a third of the CPU time of 2,000 small downloads in Node, and it is
 * only needed once a status is to be retried. Such an answer is then handed to ky as the
 * response of its first attempt, so ky's delays and `Retry-After` apply unchanged. With
 * `takesURLs`, a plain GET may come as its URL alone, and goes to `fetch` (and ky) as that.
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
  const transport = async (request: Request | string, { signal, abort, budget }: TransportInit): Promise<Response> => {
    // A Request made from ours with options (ky's, or fetch's init) loses its referrer and
    // referrer policy (the Request constructor resets both when init is not empty): hand them on.
    // A URL alone has the defaults, which ky's Request gets anyway.
    const { referrer, referrerPolicy } = typeof request === 'string' ? {} : request;
    const method = typeof request === 'string' ? 'GET' : request.method;
    const first = await fetchWithTimeout(request, signal, abort, options);
    const retriesLeft = budget === undefined ? retry.limit : budget.left;
    if (first.ok || method !== 'GET' || retriesLeft <= 0 || !retry.statusCodes.includes(first.status)) return first;
    // ky sends nothing for its first attempt: this hook answers it with the response already
    // here, and ky retries it as it would have retried its own.
    let answered = false;
    const beforeRequest = [() => (answered ? undefined : ((answered = true), first))];
    try {
      if (budget === undefined) return await client(request, { signal, referrer, referrerPolicy, hooks: { beforeRequest } });
      return await client(request, { signal, referrer, referrerPolicy, retry: { limit: Math.max(0, budget.left) }, hooks: { beforeRequest, beforeRetry: [() => budget.spend()] } });
    } catch (error) {
      if (error instanceof HTTPError) return error.response;
      throw error;
    }
  };
  return options.takesURLs === true ? Object.assign(transport, { takesURLs: true }) : transport;
}

/** The `unfollow` of a request sent with the caller's own signal: there is nothing to stop following. */
const noop = (): void => undefined;

/**
 * One `fetch` of `request` that follows `signal` and rejects with ky's `TimeoutError` (aborting
 * the request) when its headers take longer than the timeout, as ky's own attempts do. Given
 * the caller's `abort` of `signal`, the request is sent with `signal` itself and a timeout
 * aborts it through `abort`; else through a controller that follows `signal`.
 *
 * @example
 * const response = await fetchWithTimeout(new Request(url), signal, undefined, { retry, timeout: 30_000 });
 * response.status; // 200
 */
function fetchWithTimeout(request: Request | string, signal: AbortSignal, abort: ((reason: unknown) => void) | undefined, options: KyTransportOptions): Promise<Response> {
  const send = options.fetch ?? globalThis.fetch;
  // The body goes on after the headers: the forwarding stays for as long as `signal` lives.
  const { controller, unfollow } = abort === undefined ? following(signal) : { controller: { signal, abort }, unfollow: noop };
  return new Promise<Response>((resolve, reject) => {
    const timer = setTimeout(() => {
      const timedOut = new TimeoutError(typeof request === 'string' ? new Request(request) : request);
      controller.abort(timedOut);
      reject(timedOut);
    }, options.timeout);
    send(request, sendInit(request, controller.signal)).then(
      (response) => {
        clearTimeout(timer);
        resolve(response);
      },
      (error: unknown) => {
        clearTimeout(timer);
        unfollow();
        reject(error);
      },
    );
  });
}

/**
 * The init that sends `request` as it is: an init resets the request's referrer and referrer
 * policy to `about:client` and `""`, so they are given again, but only when they differ (a
 * referrer given is parsed as a URL again, for every request).
 *
 * @example
 * sendInit(new Request(url), signal); // { signal }
 * sendInit(new Request(url, { referrerPolicy: 'no-referrer' }), signal); // { signal, referrerPolicy: 'no-referrer' }
 */
function sendInit(request: Request | string, signal: AbortSignal): RequestInit {
  const init: RequestInit = { signal };
  // A URL alone: `fetch` makes its Request with the defaults.
  if (typeof request === 'string') return init;
  if (request.referrer !== requestDefaults.referrer) init.referrer = request.referrer;
  if (request.referrerPolicy !== requestDefaults.referrerPolicy) init.referrerPolicy = request.referrerPolicy;
  return init;
}
