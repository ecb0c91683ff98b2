// What the library uses of ky, written out: the transport's `ky.create({ fetch, timeout, retry,
// throwHttpErrors })` client and `HTTPError`. Used only by the bundle-size experiment in
// bench/size.mjs to measure what replacing ky with a purpose-built transport would save; it
// covers the same features (GET-only retries on network errors and listed statuses, Retry-After
// on 413/429/503, capped backoff, a per-attempt header timeout, HTTPError carrying the response).
export class HTTPError extends Error {
  constructor(response, request) {
    super(`Request failed with status code ${response.status}: ${request.method} ${request.url}`);
    this.name = 'HTTPError';
    this.response = response;
  }
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

function retryAfter(response) {
  const value = response.headers.get('Retry-After');
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isNaN(seconds) ? Date.parse(value) - Date.now() : seconds * 1000;
}

function create({ fetch: send = fetch, timeout, retry, throwHttpErrors }) {
  return async (request, { signal }) => {
    for (let attempt = 1; ; attempt++) {
      const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(timeout)]);
      let response;
      let error;
      try {
        response = await send(request.clone(), { signal: attemptSignal });
      } catch (caught) {
        if (signal.aborted) throw caught;
        error = caught;
      }
      const again =
        attempt <= retry.limit &&
        retry.methods.includes(request.method.toLowerCase()) &&
        (error !== undefined || retry.statusCodes.includes(response.status));
      if (!again) {
        if (error !== undefined) throw error;
        if (throwHttpErrors(response.status)) throw new HTTPError(response, request);
        return response;
      }
      const after = response !== undefined && retry.afterStatusCodes.includes(response.status) ? retryAfter(response) : undefined;
      await response?.body?.cancel();
      await sleep(Math.min(after ?? retry.delay(attempt), retry.backoffLimit), signal);
    }
  };
}

export default { create };
