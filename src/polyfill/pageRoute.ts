import type { BackgroundFetchManagerOptions } from '../managerOptions';
import { broadcastCaller, helloFrom, workerCaller } from './callers';
import { forgetWorkerHost, markedWorkerHost } from './hostMarker';
import { hostInPage, type PageHost } from './pageHost';
import type { Caller } from './remoteBackend';

// Not how long a worker may take to start: a worker recorded as host is waited for; only one
// that never answers this long is taken for an update that dropped the polyfill. Either way the
// Web Lock keeps one host per scope.
const silentHostMs = 30_000;
// A page that hosts says why after this long, unless the worker answered as a host meanwhile.
const warnAfterMs = 3000;

let warned = false;

function warnOnce(why: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `rx-background-fetch: ${why} (call install() or importScripts("polyfill.min.js") in it), ` +
      'so downloads run in one open page at a time and service-worker events (backgroundfetchsuccess, …) cannot fire.',
  );
}

/**
 * Who hosts for one page's registration, and the caller that reaches that host.
 *
 * @example
 * const route: PageRoute = routeCalls(registration, channel, {});
 * channel.onmessage = (event) => event.data[tag] === 'worker' && route.workerHosts();
 */
export interface PageRoute {
  /** Sends a call to the scope's host, again through the new host if it changes before the answer. */
  readonly call: Caller;
  /** A service worker announced that it runs the polyfill: stop hosting here, call the worker. */
  workerHosts(): void;
}

/**
 * Decides in a page who runs a scope's downloads: the active service worker when its script
 * recorded that it runs the polyfill (hostMarker.ts), known before any call and however slowly
 * it starts; else this page's Web Lock election (hostInPage). A worker that answers `hello` or
 * announces itself later takes over: the hosting page stops and gives the lock up. Decided
 * again for each new active worker.
 *
 * @example
 * const route = routeCalls(registration, channel, {});
 * await route.call({ method: 'getIds' });
 */
export function routeCalls(
  registration: ServiceWorkerRegistration,
  channel: BroadcastChannel,
  options: Omit<BackgroundFetchManagerOptions, 'scope' | 'events'>,
): PageRoute {
  const scope = registration.scope;
  const toWorker = workerCaller(() => registration.active);
  const toPage = broadcastCaller(channel);
  let watched: ServiceWorker | null = null;
  let confirmed = false;
  let hosting: PageHost | undefined;
  let current: PageHost | 'worker' = 'worker';
  let via: Promise<PageHost | 'worker'> = Promise.resolve(current);
  let rerouted = new AbortController();

  // Sets the route; calls waiting on another route are sent again on this one.
  const route = (next: 'worker' | 'page'): PageHost | 'worker' => {
    if (next === 'worker' && hosting !== undefined) void hosting.handOver();
    if (next === 'worker') hosting = undefined;
    else hosting ??= hostInPage(scope, options);
    const chosen = next === 'worker' ? 'worker' : hosting!;
    if (chosen !== current) {
      current = chosen;
      rerouted.abort();
      rerouted = new AbortController();
    }
    via = Promise.resolve(chosen);
    return chosen;
  };
  const toWorkerHost = () => {
    confirmed = true;
    void via.then(() => route('worker'));
  };
  const decide = (worker: ServiceWorker) => {
    if (worker === watched) return;
    watched = worker;
    confirmed = false;
    void helloFrom(worker).then(() => watched === worker && toWorkerHost());
    via = markedWorkerHost(scope).then((scriptURL) => {
      if (watched !== worker) return via;
      if (confirmed || scriptURL === worker.scriptURL) {
        setTimeout(() => {
          if (confirmed || watched !== worker) return;
          warnOnce(`the service worker ${worker.scriptURL} was recorded as running the polyfill but has not answered for ${silentHostMs / 1000} s`);
          void forgetWorkerHost(scope, worker.scriptURL);
          route('page');
        }, silentHostMs);
        return route('worker');
      }
      setTimeout(() => confirmed || watched !== worker || warnOnce('the service worker does not run the polyfill'), warnAfterMs);
      return route('page');
    });
  };

  const call: Caller = async (message) => {
    for (;;) {
      const worker = registration.active;
      if (worker === null) throw new TypeError('Background fetch needs an active service worker: await navigator.serviceWorker.ready first.');
      decide(worker);
      const deciding = via;
      const host = await deciding;
      if (deciding !== via) continue; // decided again meanwhile
      const { signal } = rerouted;
      const answer = host === 'worker' ? toWorker(message, signal) : host.listening.then(() => toPage(message, signal));
      let onChange!: () => void;
      const changed = new Promise<undefined>((resolve) => signal.addEventListener('abort', (onChange = () => resolve(undefined))));
      try {
        const outcome = await Promise.race([answer.then((value) => ({ value })), changed]);
        if (outcome !== undefined) return outcome.value;
      } finally {
        signal.removeEventListener('abort', onChange);
      }
      answer.catch(() => undefined);
    }
  };

  return { call, workerHosts: toWorkerHost };
}
