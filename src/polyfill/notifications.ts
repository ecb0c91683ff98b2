import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { storedFetchOf } from '../engine/registrationKeys';
import { onUIUpdate } from '../engine/uiUpdates';
import { BackgroundFetchEvent, dispatchExtendable } from '../events';
import { tag } from './protocol';

interface WorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration;
}

/** The part of a `notificationclick` event used here (the DOM typings lack worker types). */
interface NotificationClick extends Event {
  notification: Notification;
  waitUntil(promise: Promise<unknown>): void;
}

// At most one notification update per fetch per this many ms.
const updateMs = 1000;

/**
 * Notifications for a service worker's fetches: returns the function that follows one
 * registration, showing a notification while it runs (title, first icon, percent or bytes)
 * and when it ends, where permission is granted. A click on one fires `backgroundfetchclick`
 * on the worker with the fetch's registration.
 *
 * @example
 * const follow = notifyFor(self);
 * follow(registration);
 */
export function notifyFor(worker: WorkerScope): (registration: BackgroundFetchRegistration) => void {
  const shown = new Map<string, BackgroundFetchRegistration>();
  const granted = () => typeof Notification !== 'undefined' && Notification.permission === 'granted';
  worker.addEventListener('notificationclick', (event) => {
    const click = event as NotificationClick;
    const key = (click.notification.data as Record<string, unknown> | null)?.[tag];
    const registration = typeof key === 'string' ? shown.get(key) : undefined;
    if (registration === undefined) return;
    click.notification.close();
    click.waitUntil(dispatchExtendable(worker, new BackgroundFetchEvent('backgroundfetchclick', { registration })));
  });
  return (registration) => {
    const stored = storedFetchOf(registration);
    if (stored === undefined || shown.has(stored.key)) return;
    shown.set(stored.key, registration);
    let last = 0;
    let title = stored.title || stored.id;
    let icon = stored.icons[0]?.src;
    let body = '';
    const show = () =>
      void worker.registration
        .showNotification(title, { tag: `${tag}:${stored.key}`, body, icon, silent: true, data: { [tag]: stored.key } })
        .catch(() => undefined);
    // updateUI() in a completion event changes the title and icon of the notification it left.
    const stop = onUIUpdate(stored.key, (options) => {
      title = options.title ?? title;
      icon = options.icons?.[0]?.src ?? icon;
      if (granted()) show();
    });
    registration.state$.subscribe({
      next(state) {
        const now = Date.now();
        if (!granted() || (state.result === '' && now - last < updateMs)) return;
        last = now;
        const amount = state.downloadTotal > 0 ? `${Math.floor((100 * state.downloaded) / state.downloadTotal)}%` : `${(state.downloaded / 1e6).toFixed(1)} MB`;
        body = state.result === '' ? `Downloading… ${amount}` : state.result === 'success' ? 'Download complete' : `Download failed (${state.failureReason})`;
        show();
      },
      complete: stop,
    });
  };
}
