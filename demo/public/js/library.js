// The offline library: the Cache Storage copies that the service worker files on
// backgroundfetchsuccess (sw.js uses the same cache name).

const cacheName = 'episodes-v1';

export async function isStored(url) {
  const cache = await caches.open(cacheName);
  return (await cache.match(url)) !== undefined;
}

/** The stored copy as a Blob (for <audio> and for saving), or undefined. */
export async function storedBlob(url) {
  const response = await (await caches.open(cacheName)).match(url);
  return response === undefined ? undefined : response.blob();
}

export async function removeStored(url) {
  await (await caches.open(cacheName)).delete(url);
}

/**
 * Resolves once the worker has filed `url`: the registration reports success as soon as the
 * bytes are in, while the worker's backgroundfetchsuccess handler is still copying them.
 */
export async function storedSoon(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await isStored(url))) {
    if (Date.now() > deadline) throw new Error('The service worker did not store the episode.');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
