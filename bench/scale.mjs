// Scale figures, one measurement per process (forked by run.mjs with --expose-gc, so heap figures
// are comparable). argv[2] = JSON { mode, port, n?, registrations?, perRegistration?, size? }.
//   "one-ours":       one registration of n requests (a transport that never answers, so only the
//                     bookkeeping is measured): time of fetch(), of matchAll(), heap per record.
//   "one-baseline":   the floor any implementation pays: n `new Request()` built and held.
//   "many-ours":      `registrations` fetches of `perRegistration` × `size` bytes started at once,
//                     every body read back in its success event.
//   "many-baseline":  plain fetch of the same requests, concurrency 4 × registrations, bodies read.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2]);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.BENCH_DIST ?? path.join(root, 'build', 'bench', 'dist');
const base = `http://127.0.0.1:${job.port}/`;
const lib = job.mode.endsWith('-ours') ? await import(pathToFileURL(path.join(dist, 'index.js')).href) : undefined;
await (await fetch(`${base}b/16/warm`)).arrayBuffer();

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const ms = (t0) => performance.now() - t0;
let result;

if (job.mode === 'one-ours' || job.mode === 'one-baseline') {
  const urls = Array.from({ length: job.n }, (_, i) => `b/64/one-${i}`);
  if (job.mode === 'one-ours') {
    // Requests are accepted but never answered: no body traffic while fetch()/matchAll() are timed.
    const hang = (_input, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal.reason), { once: true }));
    const manager = new lib.BackgroundFetchManager({ store: 'memory', scope: `scale-${process.pid}`, baseURL: base, fetch: hang });
    await manager.getIds(); // engine ready (store loaded) before timing
    const before = heap();
    let t0 = performance.now();
    const registration = await manager.fetch('big', urls);
    const fetchMs = ms(t0);
    const bytesPerRecord = (heap() - before) / job.n;
    t0 = performance.now();
    const records = await registration.matchAll();
    const matchAllMs = ms(t0);
    if (records.length !== job.n) throw new Error(`matchAll gave ${records.length}`);
    t0 = performance.now();
    const one = await registration.match(urls[job.n - 1]);
    const matchLastMs = ms(t0);
    if (one === undefined) throw new Error('match() found nothing');
    await registration.abort();
    await manager.close();
    result = { fetchMs, matchAllMs, matchLastMs, bytesPerRecord };
  } else {
    const before = heap();
    let t0 = performance.now();
    const held = urls.map((url) => new Request(new URL(url, base)));
    const fetchMs = ms(t0);
    const bytesPerRecord = (heap() - before) / job.n;
    t0 = performance.now();
    const again = urls.map((url) => new Request(new URL(url, base)));
    const matchAllMs = ms(t0);
    // match(): the floor of an unindexed lookup, one Request for the query and a scan of the URLs.
    const hrefs = held.map((request) => request.url);
    t0 = performance.now();
    const query = new Request(new URL(urls[job.n - 1], base));
    const found = hrefs.findIndex((href) => href === query.url);
    const matchLastMs = ms(t0);
    if (found !== job.n - 1) throw new Error('scan found nothing');
    result = { fetchMs, matchAllMs, matchLastMs, bytesPerRecord, held: held.length + again.length };
  }
} else {
  const { registrations, perRegistration, size } = job;
  const urlsOf = (r) => Array.from({ length: perRegistration }, (_, i) => `b/${size}/m${r}-${i}`);
  const t0 = performance.now();
  const window0 = Number(process.hrtime.bigint() / 1000n);
  if (job.mode === 'many-ours') {
    const manager = new lib.BackgroundFetchManager({ store: 'memory', scope: `many-${process.pid}`, baseURL: base });
    let bytes = 0;
    let left = registrations;
    const done = new Promise((resolve, reject) => {
      manager.addEventListener('backgroundfetchfail', (event) => reject(new Error(event.registration.failureReason)));
      manager.addEventListener('backgroundfetchsuccess', (event) =>
        event.waitUntil(
          (async () => {
            for (const record of await event.registration.matchAll()) {
              const body = await (await record.responseReady).arrayBuffer();
              bytes += body.byteLength;
            }
            if (--left === 0) resolve();
          })().catch(reject),
        ),
      );
    });
    await Promise.all(Array.from({ length: registrations }, (_, r) => manager.fetch(`r${r}`, urlsOf(r))));
    const registerMs = ms(t0);
    await done;
    result = { registerMs, totalMs: ms(t0), bytes };
    await manager.close();
  } else {
    const all = Array.from({ length: registrations }, (_, r) => urlsOf(r)).flat();
    let next = 0;
    let bytes = 0;
    const worker = async () => {
      while (next < all.length) {
        const url = all[next++];
        const body = await (await fetch(new URL(url, base))).arrayBuffer();
        bytes += body.byteLength;
      }
    };
    await Promise.all(Array.from({ length: 4 * registrations }, worker));
    result = { registerMs: 0, totalMs: ms(t0), bytes };
  }
  result.windowUs = [window0, Number(process.hrtime.bigint() / 1000n)];
  if (result.bytes !== registrations * perRegistration * size) throw new Error(`read ${result.bytes} bytes`);
}
process.send ? process.send(result, () => process.exit(0)) : console.log(result);
