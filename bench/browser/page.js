// Page side of the browser bench: registers the worker with the same engine, starts a fetch (or
// asks the worker for a baseline run) and collects the worker's reports (sent on BroadcastChannel
// "sw-events" with Date.now() stamps).
if (window.engine === 'forced') RxBackgroundFetch.install({ force: true });
window.swEvents = [];
const waiters = new Set();
new BroadcastChannel('sw-events').onmessage = (event) => {
  window.swEvents.push(event.data);
  for (const check of waiters) check();
};
window.ready = navigator.serviceWorker
  .register(`sw.js?engine=${window.engine}`, { scope: './' })
  .then(() => navigator.serviceWorker.ready)
  .then(async (registration) => {
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    window.registration = registration;
    return true;
  });

/** Starts the fetch; resolves with the Date.now() taken just before fetch() and just after it resolved. */
window.startFetch = async (id, urls) => {
  const start = Date.now();
  const registration = await window.registration.backgroundFetch.fetch(id, urls);
  return { start, registered: Date.now(), id: registration.id };
};

/** Asks the worker to run baseline `mode` (baselines.js) over `urls`; resolves with the Date.now() taken just before. */
window.startBaseline = async (id, mode, urls) => {
  const start = Date.now();
  navigator.serviceWorker.controller.postMessage({ type: 'baseline', id, mode, urls });
  return { start };
};

/**
 * Resolves once the polyfill's store has no fetch left (its clean-up after the completion event
 * is done), so that it does not run into the next measurement. Waits for the writes queued before
 * it, as any IndexedDB read does; opens the database only where it exists.
 */
window.polyfillStoreEmpty = async () => {
  const names = (await indexedDB.databases?.()) ?? [];
  if (!names.some((database) => database.name === 'rx-background-fetch')) return true;
  const open = indexedDB.open('rx-background-fetch');
  const db = await new Promise((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains('fetches')) return true;
    const range = IDBKeyRange.bound(['fetch'], ['fetch', []]);
    for (;;) {
      const count = await new Promise((resolve, reject) => {
        const r = db.transaction('fetches', 'readonly').objectStore('fetches').count(range);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      if (count === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    db.close();
  }
};

window.reportsFor = (id) => window.swEvents.filter((event) => event.id === id);

/**
 * Resolves with the worker's reports for `id` once it has ended (read back, or failed) and, for a
 * baseline, cleaned up: one call that waits, so the bench polls nothing while it measures.
 */
window.finished = (id, baseline) =>
  new Promise((resolve) => {
    const check = () => {
      const reports = window.reportsFor(id);
      const failed = reports.some((e) => e.type === 'read-error' || e.type === 'backgroundfetchfail' || e.type === 'backgroundfetchabort');
      const ended = reports.some((e) => e.type === 'read') && (!baseline || reports.some((e) => e.type === 'cleaned'));
      if (!failed && !ended) return;
      waiters.delete(check);
      resolve(reports);
    };
    waiters.add(check);
    check();
  });
