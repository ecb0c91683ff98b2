// One measured run, in a fresh process (forked by run.mjs) so that peak RSS is comparable.
// argv[2] is a JSON job: { mode, n, size, port, route?, listeners?, stateSubscribers?, concurrency?, warm? }
//   mode "baseline":  plain fetch, `concurrency` requests at once, every body read to an ArrayBuffer
//                     (and kept, as a store keeps it).
//   mode "memory" | "indexeddb": BackgroundFetchManager with that store and default options; every
//                     body read back through matchAll() + responseReady + arrayBuffer() in the
//                     backgroundfetchsuccess event's waitUntil.
//   mode "join":      plain fetch keeping each body's chunks as they came (as the memory store
//                     does), then, timed alone as `joinMs`, every body joined into one new
//                     buffer: the copy a read-back with arrayBuffer() cannot do without.
//   signal:           (baseline) each fetch() is given an AbortController's signal, as an abortable
//                     download must be.
//   readBack:         (baseline) each body kept as its chunks, then, once all are in, a Response
//                     per body over a stream of them (status, status text and headers of the
//                     network's), its body cancelled and the chunks joined: the read-back of a
//                     store that keeps its bytes, with nothing else of ours.
//   warm:             the same mode runs once over other URLs first, untimed, so the timed run is
//                     the second in its process: JIT-compiled code and lazily made state, as in a
//                     process that has downloaded before (baseline and memory).
// Replies (process.send) { wallMs, cpuUserMs, cpuSystemMs, maxRssBytes, startRssBytes, bytes, progressEvents, chunks }.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const job = JSON.parse(process.argv[2]);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.BENCH_DIST ?? path.join(root, 'build', 'bench', 'dist');
const base = `http://127.0.0.1:${job.port}/`;
const route = job.route ?? 'b';
const urlsFor = (prefix) => Array.from({ length: job.n }, (_, i) => `${route}/${job.size}/${prefix}${job.tag ?? 'f'}${i}${job.query ?? ''}`);
let urls = urlsFor('');
let managers = 0;

let lib;
if (job.mode !== 'baseline') {
  if (job.mode === 'indexeddb') await import('fake-indexeddb/auto');
  lib = await import(pathToFileURL(path.join(dist, 'index.js')).href);
}
// Warm the fetch machinery (undici loads lazily) outside the measurement, the same way in every mode.
await (await fetch(`${base}b/16/warm`)).arrayBuffer();
let t0 = performance.now();
if (job.warm) {
  if (job.mode === 'join') throw new Error('warm: baseline, memory or indexeddb only');
  urls = urlsFor('warm-');
  await (job.mode === 'baseline' ? baseline() : ours());
  urls = urlsFor('');
}

const startRssBytes = process.memoryUsage().rss;
// With job.sampleMemory, what the memory is made of at the highest RSS seen (sampled every 10 ms).
// process.memoryUsage.rss() is cheap; the full breakdown (which walks the heap spaces) is taken
// only when RSS has grown by 4 MB past the last breakdown.
let peak = null;
const sampler = job.sampleMemory
  ? setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (peak === null || rss > peak.rss + 4 * 1024 * 1024) peak = process.memoryUsage();
    }, 10)
  : undefined;
const cpu0 = process.cpuUsage();
const window0 = Number(process.hrtime.bigint() / 1000n); // µs, the clock V8's profiler stamps samples with
t0 = performance.now();
const result = job.mode === 'baseline' ? await baseline() : job.mode === 'join' ? await join() : await ours();
const wallMs = performance.now() - t0;
const window1 = Number(process.hrtime.bigint() / 1000n);
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
const maxRssBytes = process.resourceUsage().maxRSS * 1024;
const expected = job.n * job.size;
if (result.bytes !== expected) throw new Error(`read ${result.bytes} bytes, expected ${expected}`);
process.send({ windowUs: [window0, window1], peak, wallMs, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, maxRssBytes, startRssBytes, ...result }, () => process.exit(0));

async function baseline() {
  const concurrency = job.concurrency ?? 4;
  const bodies = new Array(job.n);
  let next = 0;
  let bytes = 0;
  let chunks = 0;
  const worker = async () => {
    while (next < job.n) {
      const i = next++;
      const response = await fetch(new URL(urls[i], base), job.signal ? { signal: new AbortController().signal } : undefined);
      if (job.readBack) {
        bodies[i] = { parts: await partsOf(response), status: response.status, statusText: response.statusText, headers: [...response.headers] };
      } else if (job.countChunks) {
        // Same bytes, read chunk by chunk: how many progress updates an unthrottled reader would see.
        const parts = await partsOf(response);
        chunks += parts.length;
        bodies[i] = parts;
        bytes += parts.reduce((sum, part) => sum + part.byteLength, 0);
      } else {
        bodies[i] = await response.arrayBuffer();
        bytes += bodies[i].byteLength;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, job.n) }, worker));
  if (job.readBack) {
    for (let i = 0; i < bodies.length; i++) {
      const { parts, status, statusText, headers } = bodies[i];
      const pull = (controller) => {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      };
      const stream = new ReadableStream({ pull }, { highWaterMark: 0 });
      await new Response(stream, { status, statusText, headers }).body.cancel();
      bodies[i] = joined(parts);
      bytes += bodies[i].byteLength;
    }
  }
  return { bytes, chunks };
}

/** A response's body as the chunks the network gave. */
async function partsOf(response) {
  const parts = [];
  for await (const chunk of response.body) parts.push(chunk);
  return parts;
}

/** The chunks in one new buffer (the copy a read-back with arrayBuffer() makes). */
function joined(parts) {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return bytes;
}

async function join() {
  const bodies = [];
  let next = 0;
  const worker = async () => {
    while (next < job.n) {
      const i = next++;
      bodies[i] = await partsOf(await fetch(new URL(urls[i], base)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, job.n) }, worker));
  const start = performance.now();
  let bytes = 0;
  for (const parts of bodies) bytes += joined(parts).byteLength;
  return { bytes, joinMs: performance.now() - start };
}

async function ours() {
  const manager = new lib.BackgroundFetchManager({
    store: job.mode,
    scope: `bench-${process.pid}-${Date.now()}-${++managers}`,
    baseURL: base,
    ...(job.concurrency === undefined ? {} : { concurrency: job.concurrency }),
  });
  let progressEvents = 0;
  let eventMs;
  let eventUs;
  const done = new Promise((resolve, reject) => {
    manager.addEventListener('backgroundfetchsuccess', (event) => {
      eventMs = performance.now() - t0;
      eventUs = Number(process.hrtime.bigint() / 1000n);
      event.waitUntil(readAll(event.registration).then(resolve, reject));
    });
    manager.addEventListener('backgroundfetchfail', (event) => reject(new Error(`backgroundfetchfail: ${event.registration.failureReason}`)));
  });
  const registration = await manager.fetch('bench', urls);
  let sink = 0;
  for (let i = 0; i < (job.listeners ?? 0); i++) {
    registration.addEventListener('progress', () => {
      if (i === 0) progressEvents++;
      sink += registration.downloaded;
    });
  }
  for (let i = 0; i < (job.stateSubscribers ?? 0); i++) registration.state$.subscribe((state) => (sink += state.downloaded));
  const bytes = await done;
  await manager.close();
  return { bytes, progressEvents, eventMs, eventUs, sink: sink > 0 };
}

async function readAll(registration) {
  let bytes = 0;
  for (const record of await registration.matchAll()) {
    const response = await record.responseReady;
    bytes += (await response.arrayBuffer()).byteLength;
  }
  return bytes;
}
