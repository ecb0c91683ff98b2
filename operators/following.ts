import type { StopSignal } from './recordStop';

/** What {@link following} gives: a controller that follows a stop, and the call that ends that. */
export interface Following {
  readonly controller: AbortController;
  /** Stops following: an abort of the stop after it no longer reaches the controller. */
  unfollow(): void;
}

/**
 * An `AbortController` that aborts with `stop`'s reason when `stop` does (at once if it already
 * has), for what must be sent with a real `AbortSignal`: an attempt's request, a probe. Its
 * listener on `stop` holds the controller alone, never what is sent: Node's `Request` keeps the
 * signal it follows alive for as long as the request lives, so a listener holding the request
 * would keep every request of the process (with its signals and headers) for ever.
 *
 * @example
 * const { controller, unfollow } = following(stop);
 * try { await fetch(url, { signal: controller.signal }); } finally { unfollow(); }
 */
export function following(stop: StopSignal): Following {
  const controller = new AbortController();
  const forward = () => controller.abort(stop.reason);
  if (stop.aborted) forward();
  else stop.addEventListener('abort', forward, { once: true });
  return { controller, unfollow: () => stop.removeEventListener('abort', forward) };
}
