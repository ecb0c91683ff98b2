import type { StopSignal } from './recordStop';
import { serverAnswers } from './serverAnswers';

/**
 * Whether a request that failed as a network error was in fact refused by CORS: a page or
 * worker cannot tell the two apart from the error, so this asks the same URL again with
 * `mode: "no-cors"` (a `HEAD`, nothing downloaded): an answer means the server is there and
 * CORS refused the real request, which waiting will not mend. Only cross-origin `cors`
 * requests from a realm with an `origin` (a page's or worker's `location.origin`) can be refused
 * so; with no origin (Node) it is `false` at once, as is any probe that fails or is aborted.
 *
 * @example
 * if (await refusedByCors(request, location.origin, signal)) settle('fetch-error');
 * else await patience.failed(signal);
 */
export async function refusedByCors(request: { readonly url: string; readonly mode?: RequestMode }, origin: string | undefined, signal: StopSignal): Promise<boolean> {
  if (origin === undefined || request.mode === 'same-origin' || request.mode === 'no-cors') return false;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return false;
  }
  return url.origin !== origin && serverAnswers(url.href, 'no-cors', signal);
}
