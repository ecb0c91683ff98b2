import { channelName } from './protocol';

/**
 * A request for a scope's Web Lock: whoever holds it is the scope's only host.
 *
 * @example
 * const lock: ScopeLock = requestScopeLock(scope);
 * void lock.held.then(startHosting);
 */
export interface ScopeLock {
  /** Resolves once this realm holds the lock (at once where Web Locks do not exist); never if released first. */
  readonly held: Promise<void>;
  /** Withdraws the request, or gives the lock up when it is held. Call it once the host has stopped. */
  release(): void;
}

/**
 * Requests the Web Lock `rx-background-fetch:<scope>`, which the hosting service worker and the
 * hosting page both take, so that one scope never has two hosts. Without Web Locks (none of the
 * engines tested lacks them, in pages or service workers) it is granted at once and excludes nothing.
 *
 * @example
 * const lock = requestScopeLock(scope);
 * await lock.held; // now host; lock.release() once stopped
 */
export function requestScopeLock(scope: string): ScopeLock {
  let grant!: () => void;
  const held = new Promise<void>((resolve) => (grant = resolve));
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) {
    grant();
    return { held, release: () => undefined };
  }
  const withdrawn = new AbortController();
  let giveUp!: () => void;
  const given = new Promise<void>((resolve) => (giveUp = resolve));
  locks
    .request(channelName(scope), { signal: withdrawn.signal }, () => {
      grant();
      return given;
    })
    .catch(() => undefined); // withdrawn before it was granted
  return {
    held,
    release() {
      withdrawn.abort();
      giveUp();
    },
  };
}
