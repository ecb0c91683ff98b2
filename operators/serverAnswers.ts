import { following } from './following';
import type { StopSignal } from './recordStop';

/**
 * Whether the server of `url` answers at all: a `HEAD` (nothing downloaded, no credentials, no
 * cache) in `mode`. After a request failed as a network error, an answer tells a failure that
 * waiting will not mend (CORS refused it, its integrity check failed) from the network being
 * away. A probe that fails or is aborted (`stop`, followed for as long as the probe runs) is `false`.
 *
 * @example
 * if (await serverAnswers(request.url, 'no-cors', signal)) settle('fetch-error');
 * else await patience.failed(signal);
 */
export async function serverAnswers(url: string, mode: RequestMode, stop: StopSignal): Promise<boolean> {
  if (stop.aborted) return false;
  const { controller, unfollow } = following(stop);
  try {
    await fetch(url, { method: 'HEAD', mode, credentials: 'omit', cache: 'no-store', signal: controller.signal });
    return true;
  } catch {
    return false;
  } finally {
    unfollow();
  }
}
