import { BackgroundFetchManager } from '../BackgroundFetchManager';
import { BackgroundFetchRecord } from '../BackgroundFetchRecord';
import { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { backendOption } from '../backend';
import { LocalBackend } from '../localBackend';
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../events';
import { resolveManagerOptions, type BackgroundFetchManagerOptions } from '../managerOptions';
import { sharedIndexedDBStore } from '../store/indexedDBStore';
import { markWorkerHosts } from './hostMarker';
import { LockedBackend } from './lockedBackend';
import { notificationsFor } from './notifications';
import { routeCalls } from './pageRoute';
import { channelName, isMessage, tag, type Message } from './protocol';
import { RemoteBackend, type Caller } from './remoteBackend';
import { requestScopeLock } from './scopeLock';
import { serveHost } from './serveHost';
import { holdWhileBusy } from './workerLifetime';

/** Options of {@link install}: the manager options of the host, plus these. */
export interface InstallOptions extends Omit<BackgroundFetchManagerOptions, 'scope' | 'events'> {
  /** Replace a native Background Fetch too. Default false. */
  force?: boolean;
  /**
   * Show a notification per fetch (title, icon, progress) where permission is granted. Default
   * false. (Where permission is granted, a worker about to be stopped with downloads unfinished
   * says they are paused whatever this says: a click on that notification opens the app.)
   */
  notifications?: boolean;
}

interface ServiceWorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration;
  clients: { openWindow(url: string): Promise<unknown> };
}

/** The part of a service worker's extendable events used here (the DOM typings lack worker types). */
interface Extendable extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
type WorkerMessageEvent = MessageEvent & Extendable;

const installed = Symbol.for('rx-background-fetch.installed');
const handlerNames = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
// Pages ping the worker this often while a fetch runs: each ping is an event that holds it again.
const keepAliveMs = 10_000;

/**
 * The drop-in polyfill: where the platform has no Background Fetch (or with `force`), defines
 * `ServiceWorkerRegistration.prototype.backgroundFetch` and the Background Fetch globals, and in
 * a service worker the events and `onbackgroundfetch…` handlers. Call it in the page and in the
 * service worker; downloads then run in the worker and every page mirrors them live. Returns
 * `true` when it installed, `false` when the native API was kept; a second call is harmless.
 *
 * @example
 * import { install } from 'rx-background-fetch/polyfill';
 * install(); // then: (await navigator.serviceWorker.ready).backgroundFetch.fetch(id, urls)
 */
export function install(options: InstallOptions = {}): boolean {
  const scope = globalThis as typeof globalThis & { [installed]?: boolean };
  if (scope[installed]) {
    reinstall(options);
    return true;
  }
  const { force = false, ...rest } = options;
  if (hasNative() && !force) return false;
  defineGlobal('BackgroundFetchManager', BackgroundFetchManager);
  defineGlobal('BackgroundFetchRegistration', BackgroundFetchRegistration);
  defineGlobal('BackgroundFetchRecord', BackgroundFetchRecord);
  if (isServiceWorker(globalThis)) installInWorker(globalThis as unknown as ServiceWorkerScope, rest);
  else if (typeof ServiceWorkerRegistration === 'function') installInPage(rest);
  scope[installed] = true;
  return true;
}

let enableNotifications: (() => void) | undefined;

/**
 * A second call (`polyfill.min.js` installs at load): notifications can still be turned on; the
 * manager's options are fixed by then, so changing them only earns a warning that says how.
 */
function reinstall(options: InstallOptions): void {
  const { force: _force, notifications, ...rest } = options;
  if (notifications === true) enableNotifications?.();
  if (Object.keys(rest).length > 0) {
    console.warn(
      'rx-background-fetch: install() was already called, so these options were ignored: ' +
        `${Object.keys(rest).join(', ')}. To give options to polyfill.min.js, set self.RxBackgroundFetchOptions = { … } before loading it.`,
    );
  }
}

function hasNative(): boolean {
  if (typeof ServiceWorkerRegistration === 'function' && 'backgroundFetch' in ServiceWorkerRegistration.prototype) return true;
  return typeof (globalThis as { BackgroundFetchManager?: unknown }).BackgroundFetchManager === 'function';
}

function isServiceWorker(scope: object): boolean {
  const Scope = (globalThis as { ServiceWorkerGlobalScope?: new () => object }).ServiceWorkerGlobalScope;
  return typeof Scope === 'function' && scope instanceof Scope;
}

function defineGlobal(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

function defineBackgroundFetch(managerFor: (registration: ServiceWorkerRegistration) => BackgroundFetchManager): void {
  const managers = new WeakMap<ServiceWorkerRegistration, BackgroundFetchManager>();
  Object.defineProperty(ServiceWorkerRegistration.prototype, 'backgroundFetch', {
    configurable: true,
    enumerable: true,
    get(this: ServiceWorkerRegistration) {
      let manager = managers.get(this);
      if (manager === undefined) managers.set(this, (manager = managerFor(this)));
      return manager;
    },
  });
}

function installInWorker(worker: ServiceWorkerScope, options: Omit<InstallOptions, 'force'>): void {
  defineGlobal('BackgroundFetchEvent', BackgroundFetchEvent);
  defineGlobal('BackgroundFetchUpdateUIEvent', BackgroundFetchUpdateUIEvent);
  for (const type of handlerNames) defineHandler(worker, `on${type}`, type);
  const { notifications = false, ...managerOptions } = options;
  const scope = worker.registration.scope;
  recordHosting(worker, scope);
  // The engine starts only once this worker holds the scope's lock, after any hosting page let go.
  const settings = resolveManagerOptions({ ...managerOptions, scope, events: worker }, globalThis as never, sharedIndexedDBStore);
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
  const { take } = serveHost(manager, scope, false, (registration) => follow?.(registration));
  const active = async () => (await Promise.all((await manager.getIds()).map((id) => manager.get(id)))).filter((r) => r !== undefined);
  enableNotifications = () => {
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
    const replied = take(message.data, (reply, transfer) => port.postMessage(reply, transfer));
    if (replied !== undefined) message.waitUntil(replied);
  });
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

function installInPage(options: Omit<InstallOptions, 'force'>): void {
  const { notifications: _notifications, ...managerOptions } = options;
  defineBackgroundFetch((registration) => {
    const scope = registration.scope;
    const channel = new BroadcastChannel(channelName(scope));
    const route = routeCalls(registration, channel, managerOptions);
    const call: Caller = async (message) => {
      if (registration.active === null) {
        if (message.method === 'get') return null as never;
        if (message.method === 'getIds') return [] as never;
      }
      return route.call(message);
    };
    const backend = new RemoteBackend(scope, globalThis.location?.href, call);
    const manager = new BackgroundFetchManager({ [backendOption]: backend } as BackgroundFetchManagerOptions);
    channel.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as unknown;
      if (!isMessage(data)) return;
      if (data[tag] === 'state') backend.receive(data.fetch);
      if (data[tag] === 'worker') route.workerHosts();
      if (data[tag] === 'notificationerror') manager.dispatchEvent(new ErrorEvent('notificationerror', { message: data.message }));
    });
    setInterval(() => {
      if (backend.running && registration.active !== null) void call({ method: 'keepalive' }).catch(() => undefined);
    }, keepAliveMs);
    return manager;
  });
}
