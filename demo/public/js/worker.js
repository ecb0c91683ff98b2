// Registers the demo's service worker with the same engine choice as the page, and asks it
// which engine it runs.

/** The active registration, with a worker that made the same force choice as this page. */
export async function registerWorker(force) {
  // A different script URL makes the browser install a new worker when the choice changes.
  const registration = await navigator.serviceWorker.register(force ? '/sw.js?polyfill=force' : '/sw.js');
  const incoming = registration.installing ?? registration.waiting;
  // The page side of the polyfill talks to registration.active: wait until that is the new worker.
  if (incoming !== null) await activated(incoming);
  return navigator.serviceWorker.ready;
}

function activated(worker) {
  return new Promise((resolve) => {
    const check = () => {
      if (worker.state === 'activated' || worker.state === 'redundant') resolve();
    };
    worker.addEventListener('statechange', check);
    check();
  });
}

/** { polyfilled } from the active worker; undefined when it does not answer in time. */
export function askWorkerEngine(registration, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    registration.active?.postMessage({ type: 'demo:engine' }, [channel.port2]);
  });
}
