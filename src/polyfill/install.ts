import { BackgroundFetchManager } from '../BackgroundFetchManager';
import { BackgroundFetchRecord } from '../BackgroundFetchRecord';
import { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { backendOption } from '../backend';
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent } from '../events';
import type { BackgroundFetchManagerOptions } from '../managerOptions';
import { broadcastCaller, probeWorker, workerCaller } from './callers';
import { notifyFor } from './notifications';
import { channelName, isMessage, tag } from './protocol';
import { RemoteBackend, type Caller } from './remoteBackend';
import { serveHost } from './serveHost';

/** Options of {@link install}: the manager options of the host, plus these. */
export interface InstallOptions extends Omit<BackgroundFetchManagerOptions, 'scope' | 'events'> {
  /** Replace a native Background Fetch too. Default false. */
  force?: boolean;
  /** Show a notification per fetch (title, icon, progress) where permission is granted. Default false. */
  notifications?: boolean;
}

interface ServiceWorkerScope extends EventTarget {
  registration: ServiceWorkerRegistration;
}

/** The part of a service worker's `message` event used here (the DOM typings lack worker types). */
interface WorkerMessageEvent extends MessageEvent {
  waitUntil(promise: Promise<unknown>): void;
}

const installed = Symbol.for('rx-background-fetch.installed');
const handlerNames = ['backgroundfetchsuccess', 'backgroundfetchfail', 'backgroundfetchabort', 'backgroundfetchclick'];
// How long a page waits for its service worker to say it runs the polyfill.
const probeMs = 3000;
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
  const manager = new BackgroundFetchManager({ ...managerOptions, scope, events: worker });
  defineBackgroundFetch((registration) =>
    registration === worker.registration ? manager : new BackgroundFetchManager({ ...managerOptions, scope: registration.scope, events: worker }),
  );
  let follow: ((registration: BackgroundFetchRegistration) => void) | undefined;
  const { host, take } = serveHost(manager, scope, false, (registration) => follow?.(registration));
  enableNotifications = () => {
    if (follow !== undefined) return;
    follow = notifyFor(worker);
    // Fetches already running get their notifications too.
    void manager.getIds().then((ids) => ids.forEach((id) => void manager.get(id).then((registration) => registration && follow?.(registration))));
  };
  if (notifications) enableNotifications();
  worker.addEventListener('message', (event) => {
    const message = event as WorkerMessageEvent;
    const port = message.ports[0];
    if (port === undefined || !isMessage(message.data) || message.data[tag] !== 'call') return;
    const replied = take(message.data, (reply, transfer) => port.postMessage(reply, transfer));
    if (replied === undefined) return;
    // A keep-alive call holds the worker while downloads run, as far as the browser allows.
    const keepAlive = message.data.call.method === 'keepalive' ? host.busyFor(2 * keepAliveMs) : Promise.resolve();
    message.waitUntil(Promise.all([replied, keepAlive]));
  });
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

let warned = false;

function installInPage(options: Omit<InstallOptions, 'force'>): void {
  const { notifications: _notifications, ...managerOptions } = options;
  defineBackgroundFetch((registration) => {
    const scope = registration.scope;
    const channel = new BroadcastChannel(channelName(scope));
    let mode: Promise<Caller> | undefined;
    const resolveMode = (worker: ServiceWorker) =>
      (mode ??= probeWorker(worker, probeMs).then(async (hosted) => {
        if (hosted) return workerCaller(() => registration.active);
        if (!warned) {
          warned = true;
          console.warn(
            'rx-background-fetch: the service worker does not run the polyfill (call install() or importScripts("polyfill.min.js") in it), ' +
              'so downloads run in one open page at a time and service-worker events (backgroundfetchsuccess, …) cannot fire.',
          );
        }
        await hostInPage(scope, managerOptions);
        return broadcastCaller(channel);
      }));
    const call: Caller = async (message) => {
      const worker = registration.active;
      if (worker === null) {
        if (message.method === 'get') return null as never;
        if (message.method === 'getIds') return [] as never;
        throw new TypeError('Background fetch needs an active service worker: await navigator.serviceWorker.ready first.');
      }
      return (await resolveMode(worker))(message);
    };
    const backend = new RemoteBackend(scope, globalThis.location?.href, call);
    channel.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as unknown;
      if (isMessage(data) && data[tag] === 'state') backend.receive(data.fetch);
    });
    setInterval(() => {
      if (backend.running && registration.active !== null) void call({ method: 'keepalive' }).catch(() => undefined);
    }, keepAliveMs);
    return new BackgroundFetchManager({ [backendOption]: backend } as BackgroundFetchManagerOptions);
  });
}

const pageHosts = new Map<string, Promise<void>>();

/**
 * Without the polyfill in the worker: one open page per scope (the Web Lock's holder) runs the
 * downloads. Resolves once a host listens, this page's or the lock holder's: a call sent on the
 * channel before that is lost until it is sent again, seconds later.
 */
function hostInPage(scope: string, options: Omit<InstallOptions, 'force' | 'notifications'>): Promise<void> {
  let listening = pageHosts.get(scope);
  if (listening === undefined) {
    listening = new Promise<void>((resolve) => {
      const name = channelName(scope);
      const run = () => {
        serveHost(new BackgroundFetchManager({ ...options, scope }), scope, true);
        resolve();
        return new Promise<never>(() => undefined);
      };
      if (navigator.locks === undefined) return void run();
      void navigator.locks.request(name, run);
      void navigator.locks.query().then(({ held = [] }) => {
        if (held.some((lock) => lock.name === name)) resolve();
      });
    });
    pageHosts.set(scope, listening);
  }
  return listening;
}
