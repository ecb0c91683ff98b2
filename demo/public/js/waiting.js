// Whether a download is waiting for the network: the library keeps a download through an
// outage and carries on by itself, and the row says so instead of showing a falling speed.
import { tellDevelopers } from './messages.js';

/**
 * Calls `onWaiting(true)` while `registration` waits for the network and `onWaiting(false)` once
 * bytes flow again. rx-background-fetch's `registration.waiting$` (a non-standard addition) says
 * so; where it is missing (Chromium's native Background Fetch, older builds of the library) the
 * browser's offline and online events stand in. Returns a function that stops watching.
 */
export function watchWaiting(registration, onWaiting) {
  if ('waiting$' in registration) {
    const subscription = registration.waiting$.subscribe({
      next: onWaiting,
      error: (error) => tellDevelopers('registration.waiting$ failed', error),
    });
    return () => subscription.unsubscribe();
  }
  const update = () => onWaiting(navigator.onLine === false);
  addEventListener('online', update);
  addEventListener('offline', update);
  update();
  return () => {
    removeEventListener('online', update);
    removeEventListener('offline', update);
  };
}
