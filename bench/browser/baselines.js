// What the browser itself can do with no library, in the same service worker as the polyfill
// (issue 15). A page posts { type: 'baseline', id, mode, urls }; the worker runs it and reports
// on BroadcastChannel "sw-events": { type: 'downloaded', at } once every body is in,
// { type: 'read', at, bytes } once every body was read back, then { type: 'cleaned' } once its
// database is deleted again (outside the measured time). Four requests at a time, as the polyfill
// runs them.
//   L0             plain fetch(), every body read to its end (arrayBuffer())
//   L1-chunk       each chunk put into IndexedDB as an ArrayBuffer, one transaction per chunk
//   L1-batched     chunks gathered to ~1 MB, then put one value per chunk in one transaction
//   L1-joined      chunks gathered to ~1 MB and joined into one ArrayBuffer, one value per transaction
// The L1 modes then read every body back, one getAll transaction each, joined into one buffer
// (what arrayBuffer() gives an app), bodies one after another as the polyfill's reader does.
const baselineDB = 'l1-bench';
const gather = 1024 * 1024;

const request = (r) =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
const committed = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('aborted', 'AbortError'));
  });

function openBaselineDB() {
  const open = indexedDB.open(baselineDB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore('chunks');
  return request(open);
}

/** An ArrayBuffer holding exactly the view's bytes (a copy only when the view is part of a larger buffer). */
const own = (view) => (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view.buffer : view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));

function join(views, bytes) {
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (const view of views) {
    joined.set(view, at);
    at += view.byteLength;
  }
  return joined;
}

/** Runs `work(url, index)` over the urls, `concurrency` at once. */
async function pool(urls, concurrency, work) {
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const index = next++;
      await work(urls[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
}

/** Downloads one body into the database the way `mode` says. */
async function storeBody(db, mode, url, index) {
  const reader = (await fetch(url)).body.getReader();
  let seq = 0;
  let held = [];
  let heldBytes = 0;
  const commit = async (values) => {
    const tx = db.transaction('chunks', 'readwrite');
    const store = tx.objectStore('chunks');
    for (const value of values) store.put(value, [index, seq++]);
    await committed(tx);
  };
  const flush = async () => {
    if (held.length === 0) return;
    const values = mode === 'L1-joined' ? [join(held, heldBytes).buffer] : held.map(own);
    held = [];
    heldBytes = 0;
    await commit(values);
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (mode === 'L1-chunk') {
      await commit([own(value)]);
      continue;
    }
    held.push(value);
    heldBytes += value.byteLength;
    if (heldBytes >= gather) await flush();
  }
  await flush();
}

async function readBack(db, count) {
  let bytes = 0;
  for (let index = 0; index < count; index++) {
    const tx = db.transaction('chunks', 'readonly');
    const buffers = await request(tx.objectStore('chunks').getAll(IDBKeyRange.bound([index], [index, []])));
    let length = 0;
    for (const buffer of buffers) length += buffer.byteLength;
    bytes += join(buffers.map((buffer) => new Uint8Array(buffer)), length).byteLength;
  }
  return bytes;
}

async function runBaseline({ id, mode, urls }, report) {
  if (mode === 'L0') {
    let bytes = 0;
    await pool(urls, 4, async (url) => {
      const body = await (await fetch(url)).arrayBuffer();
      bytes += body.byteLength;
    });
    const at = Date.now();
    report({ id, type: 'downloaded', at });
    report({ id, type: 'read', at, bytes });
    report({ id, type: 'cleaned' });
    return;
  }
  const db = await openBaselineDB();
  try {
    await pool(urls, 4, (url, index) => storeBody(db, mode, url, index));
    report({ id, type: 'downloaded', at: Date.now() });
    const bytes = await readBack(db, urls.length);
    report({ id, type: 'read', at: Date.now(), bytes });
  } finally {
    db.close();
    await request(indexedDB.deleteDatabase(baselineDB)).catch(() => undefined);
    report({ id, type: 'cleaned' });
  }
}

self.addEventListener('message', (event) => {
  if (event.data?.type !== 'baseline') return;
  const channel = new BroadcastChannel('sw-events');
  const report = (message) => channel.postMessage(message);
  event.waitUntil(runBaseline(event.data, report).catch((error) => report({ id: event.data.id, type: 'read-error', at: Date.now(), error: String(error) })));
});
