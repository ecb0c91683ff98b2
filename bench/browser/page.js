// Page side of the browser bench: registers the worker with the same engine, starts a fetch and
// collects the worker's reports (sent on BroadcastChannel "sw-events" with Date.now() stamps).
if (window.engine === 'forced') RxBackgroundFetch.install({ force: true });
window.swEvents = [];
new BroadcastChannel('sw-events').onmessage = (event) => window.swEvents.push(event.data);
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

window.reportsFor = (id) => window.swEvents.filter((event) => event.id === id);
