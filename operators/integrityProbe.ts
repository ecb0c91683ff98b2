import type { StopSignal } from './recordStop';
import { serverAnswers } from './serverAnswers';

/**
 * Whether a request with subresource integrity that failed as a network error may have failed
 * its check: fetch reads such a body whole before it answers and fails like a network error on
 * a mismatch, so this asks the same URL again (a `HEAD`, nothing downloaded): an answer means
 * the server is there, so the check failed or the body broke off. A request without
 * integrity, and a probe that fails or is aborted, is `false`.
 *
 * @example
 * if (await failedIntegrity(request, signal)) settle('fetch-error');
 * else await patience.failed(signal);
 */
export async function failedIntegrity(request: { readonly url: string; readonly integrity?: string }, signal: StopSignal): Promise<boolean> {
  return Boolean(request.integrity) && serverAnswers(request.url, 'cors', signal);
}
