import { BackgroundFetchManager } from '../BackgroundFetchManager';
import { backendOption } from '../backend';
import type { BackgroundFetchManagerOptions } from '../managerOptions';
import { defineBackgroundFetch } from './define';
import type { InstallOptions } from './installOptions';
import { routeCalls } from './pageRoute';
import { channelName, isMessage, tag } from './protocol';
import { RemoteBackend, type Caller } from './remoteBackend';

// Pages ping the worker this often while a fetch runs: each ping is an event that holds it again.
const keepAliveMs = 10_000;

/**
 * The page half of `install()`: each registration's `backgroundFetch` mirrors its scope's host
 * (the service worker, or the page that holds the scope's lock when the worker does not run the
 * polyfill) over the scope's channel.
 *
 * @example
 * installInPage({});
 * (await navigator.serviceWorker.ready).backgroundFetch.fetch('ep-1', ['/ep1.mp3']);
 */
export function installInPage(options: Omit<InstallOptions, 'force'>): void {
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
