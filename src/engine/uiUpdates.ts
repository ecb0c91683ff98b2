import type { BackgroundFetchUIOptions } from '../events';

const listeners = new Map<string, Set<(options: BackgroundFetchUIOptions) => void>>();

/**
 * Lets the polyfill's notifications hear `updateUI()` calls for the fetch with store key `key`.
 * Returns the function that stops listening.
 *
 * @example
 * const stop = onUIUpdate(stored.key, ({ title }) => show(title));
 * stop();
 */
export function onUIUpdate(key: string, listener: (options: BackgroundFetchUIOptions) => void): () => void {
  let set = listeners.get(key);
  if (set === undefined) listeners.set(key, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(key);
  };
}

/**
 * Tells the listeners of fetch `key` that a completion event's `updateUI()` changed its UI.
 *
 * @example
 * announceUIUpdate(job.fetch.key, { title: 'Album downloaded' });
 */
export function announceUIUpdate(key: string, options: BackgroundFetchUIOptions): void {
  for (const listener of listeners.get(key) ?? []) listener(options);
}
