// Which downloads are running in this app right now, whoever started them: this tab, another
// tab, or the service worker.
import { tellDevelopers } from './messages.js';

const pollMs = 2000;

/**
 * Calls `onIds(ids)` with the active ids at once and again whenever they may have changed.
 * rx-background-fetch's `backgroundFetch.ids$` (a non-standard addition) says so as it happens;
 * where it is missing (Chromium's native Background Fetch, older builds of the library) this
 * asks `getIds()` every 2 s instead. Returns `'live'` or `'polling'`, the way it learns.
 */
export function watchActiveIds(backgroundFetch, onIds) {
  if ('ids$' in backgroundFetch) {
    backgroundFetch.ids$.subscribe({
      next: onIds,
      error: (error) => {
        tellDevelopers('backgroundFetch.ids$ failed; asking getIds() every 2 s instead', error);
        poll(backgroundFetch, onIds);
      },
    });
    return 'live';
  }
  poll(backgroundFetch, onIds);
  return 'polling';
}

function poll(backgroundFetch, onIds) {
  const ask = async () => {
    try {
      onIds(await backgroundFetch.getIds());
    } catch (error) {
      tellDevelopers('backgroundFetch.getIds() failed; asking again in 2 s', error);
    }
    setTimeout(ask, pollMs);
  };
  void ask();
}
