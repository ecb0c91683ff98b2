// Page side of the survival bench: registers the worker with the same engine, starts the long
// download and reports how it stands. The bench closes this page while the download runs, and
// opens it again later to let the download resume (or to follow it, if it never stopped).
if (window.engine === 'forced') RxBackgroundFetch.install({ force: true });

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

/** Starts the download of `url` (`size` bytes) as the background fetch `id`. */
window.start = async (id, url, size) => {
  const registration = await window.registration.backgroundFetch.fetch(id, [url], { title: 'Survival bench', downloadTotal: size });
  window.following = registration;
  return registration.id;
};

/** { downloaded, result, failureReason } of the background fetch `id` (its last state once it ended), or null before this page saw it. */
window.standing = async (id) => {
  window.following = (await window.registration.backgroundFetch.get(id)) ?? window.following;
  if (window.following === undefined || window.following.id !== id) return null;
  const { downloaded, result, failureReason } = window.following;
  return { downloaded, result, failureReason };
};
