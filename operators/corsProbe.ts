/**
 * Whether a request that failed as a network error was in fact refused by CORS: a page or
 * worker cannot tell the two apart from the error, so this asks the same URL again with
 * `mode: "no-cors"` (a `HEAD`, nothing downloaded): an answer means the server is there and
 * CORS refused the real request, which waiting will not mend. Only cross-origin `cors`
 * requests in a realm with an origin (`location`) can be refused so; elsewhere (Node) it is
 * `false` at once, as is any probe that fails or is aborted.
 *
 * @example
 * if (await refusedByCors(request, signal)) settle('fetch-error');
 * else await patience.failed(signal);
 */
export async function refusedByCors(request: { readonly url: string; readonly mode?: RequestMode }, signal: AbortSignal): Promise<boolean> {
  const origin = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  if (typeof origin !== 'string' || request.mode === 'same-origin' || request.mode === 'no-cors') return false;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return false;
  }
  if (url.origin === origin) return false;
  try {
    await fetch(url.href, { method: 'HEAD', mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal });
    return true;
  } catch {
    return false;
  }
}
