import type { BackgroundFetchFailureReason } from '../../operators/types';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { storedFetchOf, uiOf } from '../engine/registrationKeys';
import { BackgroundFetchEvent, dispatchExtendable } from '../events';
import { tag } from './protocol';

interface WorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration;
  clients: { openWindow(url: string): Promise<unknown> };
}

/** The part of a `notificationclick` event used here (the DOM typings lack worker types). */
interface NotificationClick extends Event {
  notification: Notification;
  waitUntil(promise: Promise<unknown>): void;
}

/** What a notification of ours carries: the fetch's key, and whether it says the fetch is paused. */
interface NotificationData {
  readonly [tag]: string;
  readonly paused?: boolean;
}

/**
 * A service worker's notifications: `follow` shows one per fetch while it runs (title, first
 * icon, percent or bytes) and when it ends; `paused` says that the fetches given are paused
 * until the app is opened. Nothing is shown unless notification permission is granted. A click
 * on a running or finished fetch's notification fires `backgroundfetchclick` with its
 * registration; a click on a paused one opens the app (the worker's scope), which resumes it.
 * When the browser refuses to show one, `failed(message)` is told, and the console warns once.
 *
 * @example
 * const notes = notificationsFor(self, (message) => channel.postMessage({ message }));
 * notes.follow(registration);
 */
export function notificationsFor(
  worker: WorkerScope,
  failed: (message: string) => void,
): { follow(registration: BackgroundFetchRegistration): void; paused(registrations: BackgroundFetchRegistration[]): void } {
  const followed = new Map<string, BackgroundFetchRegistration>();
  const granted = () => typeof Notification !== 'undefined' && Notification.permission === 'granted';
  let warned = false;
  const show = (title: string, options: NotificationOptions & { data: NotificationData }) =>
    void worker.registration.showNotification(title, { ...options, tag: `${tag}:${options.data[tag]}`, silent: true }).catch((error: unknown) => {
      const message = `The browser refused to show a download notification: ${error instanceof Error ? error.message : String(error)}`;
      if (!warned) console.warn(`rx-background-fetch: ${message}`);
      warned = true;
      failed(message);
    });

  worker.addEventListener('notificationclick', (event) => {
    const click = event as NotificationClick;
    const data = click.notification.data as Partial<NotificationData> | null;
    const key = data?.[tag];
    if (typeof key !== 'string') return;
    click.notification.close();
    if (data?.paused === true) return click.waitUntil(worker.clients.openWindow(worker.registration.scope));
    const registration = followed.get(key);
    if (registration !== undefined) click.waitUntil(dispatchExtendable(worker, new BackgroundFetchEvent('backgroundfetchclick', { registration })));
  });

  const follow = (registration: BackgroundFetchRegistration) => {
    const stored = storedFetchOf(registration);
    if (stored === undefined || followed.has(stored.key)) return;
    followed.set(stored.key, registration);
    let last = 0;
    let title = stored.title || 'Download';
    let icon = stored.icons[0]?.src;
    let body = '';
    const update = () => show(title, { body, icon, data: { [tag]: stored.key } });
    // updateUI() in a completion event changes the title and icon of the notification it left:
    // the fetch's state carries its UI, which emits now (the fetch's own), then at each change.
    let shown = false;
    const ui = uiOf(registration)?.subscribe((next) => {
      title = next.title || 'Download';
      icon = next.icons[0]?.src ?? icon;
      if (shown && granted()) update();
      shown = true;
    });
    registration.state$.subscribe({
      next(state) {
        const now = Date.now();
        if (!granted() || (state.result === '' && now - last < updateMs)) return;
        last = now;
        const amount = state.downloadTotal > 0 ? `${Math.floor((100 * state.downloaded) / state.downloadTotal)}%` : `${(state.downloaded / 1e6).toFixed(1)} MB`;
        body = state.result === '' ? `Downloading… ${amount}` : state.result === 'success' ? 'Download complete' : failureText[state.failureReason];
        update();
      },
      complete: () => ui?.unsubscribe(),
    });
  };

  const paused = (registrations: BackgroundFetchRegistration[]) => {
    if (!granted()) return;
    for (const registration of registrations) {
      const stored = storedFetchOf(registration);
      if (stored === undefined) continue;
      const icon = stored.icons[0]?.src;
      show(stored.title || 'Download', { body: 'Paused. Open the app to continue the download.', icon, data: { [tag]: stored.key, paused: true } });
    }
  };
  return { follow, paused };
}

// At most one notification update per fetch per this many ms.
const updateMs = 1000;

/** What a finished fetch's notification says, per failure reason. */
const failureText: Record<BackgroundFetchFailureReason, string> = {
  '': 'Download failed',
  aborted: 'Download cancelled',
  'bad-status': 'Download failed: the server could not provide the file',
  'fetch-error': 'Download failed: the network connection was lost',
  'quota-exceeded': 'Download failed: not enough storage space on this device',
  'download-total-exceeded': 'Download failed: the file is larger than expected',
};
