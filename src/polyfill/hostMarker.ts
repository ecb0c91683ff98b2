import { createStore, del, get, set, type UseStore } from 'idb-keyval';

// A database of its own: one tiny row per scope, the script URL of the worker that hosts it.
const database = 'rx-background-fetch-hosts';
// Module-level because the database is one per origin: every install() of this realm opens it once.
let markers: UseStore | undefined;

function store(): UseStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  markers ??= createStore(database, 'hosts');
  return markers;
}

/**
 * Records that the service worker at `scriptURL` runs the polyfill's host for `scope`. The worker
 * writes it in its `install` and `activate` events, so the row is there before any page can call
 * it: pages then know from the worker's own script that it hosts, without asking it in time.
 *
 * @example
 * self.addEventListener('install', (event) => event.waitUntil(markWorkerHosts(scope, location.href)));
 */
export async function markWorkerHosts(scope: string, scriptURL: string): Promise<void> {
  const markers = store();
  if (markers !== undefined) await set(scope, scriptURL, markers);
}

/**
 * The script URL recorded by {@link markWorkerHosts} for `scope`, or `undefined` when there is
 * none (or IndexedDB cannot be read here).
 *
 * @example
 * const hosts = (await markedWorkerHost(scope)) === registration.active?.scriptURL;
 */
export async function markedWorkerHost(scope: string): Promise<string | undefined> {
  const markers = store();
  if (markers === undefined) return undefined;
  return get<string>(scope, markers).catch(() => undefined);
}

/**
 * Forgets the record of `scope` when it still names `scriptURL`: a page found that this worker
 * does not answer as a host (its script was updated without the polyfill).
 *
 * @example
 * if (silent) await forgetWorkerHost(scope, worker.scriptURL);
 */
export async function forgetWorkerHost(scope: string, scriptURL: string): Promise<void> {
  const markers = store();
  if (markers !== undefined && (await markedWorkerHost(scope)) === scriptURL) await del(scope, markers).catch(() => undefined);
}
