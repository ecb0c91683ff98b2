import { BackgroundFetchManager } from '../BackgroundFetchManager';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { backendOption } from '../backend';
import { LocalBackend } from '../localBackend';
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../events';
import { resolveManagerOptions, type BackgroundFetchManagerOptions } from '../managerOptions';
import { readPlatform } from '../platform';
import { sharedIndexedDBStore } from '../store/indexedDBStore';
import { markWorkerHosts } from './hostMarker';
import { defineBackgroundFetch, defineGlobal } from './define';
import type { InstallOptions } from './installOptions';
import { LockedBackend } from './lockedBackend';
import { notificationsFor } from './notifications';
import { channelName, isMessage, tag, type Message } from './protocol';
import { requestScopeLock } from './scopeLock';
import { serveHost } from './serveHost';
import { holdWhileBusy } from './workerLifetime';

interface ServiceWorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration;
  clients: { openWindow(url: string): Promise<unknown> };
}

/** The part of a service worker's extendable events used here (the DOM typings lack worker types). */
interface Extendable extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
type WorkerMessageEvent = MessageEvent & Extendable;

const handlerNames = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];

/**
 * The worker half of `install()`: the events and handlers of `self`, the scope's engine (once
 * this worker holds the scope's lock), the host that pages call, notifications, and the hold on
 * the worker while fetches run. Returns what turns notifications on later.
 *
 * @example
 * const enableNotifications = installInWorker(self, { concurrency: 2 });
 * enableNotifications(); // what a second install({ notifications: true }) does
 */
export function installInWorker(global: object, options: Omit<InstallOptions, 'force'>): () => void {
  const worker = global as ServiceWorkerScope;
  defineGlobal('BackgroundFetchEvent', BackgroundFetchEvent);
  defineGlobal('BackgroundFetchUpdateUIEvent', BackgroundFetchUpdateUIEvent);
  for (const type of handlerNames) defineHandler(worker, `on${type}`, type);
  const { notifications = false, ...managerOptions } = options;
  const scope = worker.registration.scope;
  recordHosting(worker, scope);
  // The engine starts only once this worker holds the scope's lock, after any hosting page let go.
  const settings = resolveManagerOptions({ ...managerOptions, scope, events: worker }, readPlatform(), sharedIndexedDBStore);
  const lock = requestScopeLock(scope);
  const backend = new LockedBackend(scope, settings.baseURL, lock.held.then(() => new LocalBackend(settings, worker)));
  const manager = new BackgroundFetchManager({ [backendOption]: backend } as BackgroundFetchManagerOptions);
  announce(scope);
  defineBackgroundFetch((registration) =>
    registration === worker.registration ? manager : new BackgroundFetchManager({ ...managerOptions, scope: registration.scope, events: worker }),
  );
  const channel = new BroadcastChannel(channelName(scope));
  const notes = notificationsFor(worker, (message) => channel.postMessage({ [tag]: 'notificationerror', message } satisfies Message));
  let follow: ((registration: BackgroundFetchRegistration) => void) | undefined;
  const { take } = serveHost(backend, scope, false, (registration) => follow?.(registration));
  const active = async () => (await Promise.all((await manager.getIds()).map((id) => manager.get(id)))).filter((r) => r !== undefined);
  const enableNotifications = () => {
    if (follow !== undefined) return;
    follow = notes.follow;
    // Fetches already running get their notifications too.
    void active().then((registrations) => registrations.forEach(notes.follow));
  };
  if (notifications) enableNotifications();
  // Every event holds the worker while fetches run, as long as the browser allows; when it is
  // about to stop it with work left, the user is told the downloads are paused.
  holdWhileBusy(worker, manager.ids$, () => void active().then(notes.paused));
  worker.addEventListener('message', (event) => {
    const message = event as WorkerMessageEvent;
    const port = message.ports[0];
    if (port === undefined || !isMessage(message.data) || message.data[tag] !== 'call') return;
    const replied = take(message.data, (reply) => port.postMessage(reply));
    if (replied !== undefined) message.waitUntil(replied);
  });
  return enableNotifications;
}

/**
 * Records, before this worker can be called (`install`) and again as it takes over (`activate`),
 * that its script runs the polyfill, so pages know it hosts however long it takes to start.
 */
function recordHosting(worker: ServiceWorkerScope, scope: string): void {
  const record = (event: Event) => (event as Extendable).waitUntil(markWorkerHosts(scope, location.href).catch(() => undefined));
  worker.addEventListener('install', record);
  worker.addEventListener('activate', record);
}

/** Tells the scope's pages that a worker running the polyfill started, so a hosting page hands over. */
function announce(scope: string): void {
  const channel = new BroadcastChannel(channelName(scope));
  channel.postMessage({ [tag]: 'worker' } satisfies Message);
  channel.close();
}

/** An event handler attribute (`self.onbackgroundfetchsuccess = …`) on top of addEventListener. */
function defineHandler(target: EventTarget, property: string, type: string): void {
  let handler: EventListener | null = null;
  Object.defineProperty(target, property, {
    configurable: true,
    enumerable: true,
    get: () => handler,
    set(value: unknown) {
      if (handler !== null) target.removeEventListener(type, handler);
      handler = typeof value === 'function' ? (value as EventListener) : null;
      if (handler !== null) target.addEventListener(type, handler);
    },
  });
}
