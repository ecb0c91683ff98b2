// Our own cost per chunk and per record, with no network: a manager (memory store) whose `fetch`
// answers `bodies` bodies (default 4) of `chunks` chunks of `size` bytes (default 64 KB) from
// memory, timed from fetch() to the end of reading every body back in the success event. Each process
// runs it `rounds` times: the first round is first use (what the Node workloads measure), the
// last is warm. Compares builds in interleaved fresh processes:
//   node bench/engineChunks.mjs --a=build/h/dist --b=build/bench/dist [--processes=15] [--bodies=4] [--chunks=1000] [--size=65536] [--rounds=1]
// W2's shape, per record: --bodies=2000 --chunks=1 --size=4096. A child (argv[2] = JSON { dist,
// bodies, chunks, size, rounds }) replies [{ wallMs, cpuMs }, ...] per round.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runChild } from './lib/child.mjs';
import { stats, spread, x, ratio } from './lib/stats.mjs';

const here = fileURLToPath(import.meta.url);
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

if (process.send !== undefined && process.argv[2]?.startsWith('{')) {
  const job = JSON.parse(process.argv[2]);
  process.send(await rounds(job), () => process.exit(0));
} else {
  await compare();
}

/** The rounds of one process: each a new manager, its bodies from memory, read back. */
async function rounds({ dist, bodies, chunks, size, rounds }) {
  const lib = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  const chunk = new Uint8Array(size);
  const urls = Array.from({ length: bodies }, (_, i) => `b${i}`);
  const fromMemory = async () => {
    let sent = 0;
    const pull = (controller) => (sent++ < chunks ? controller.enqueue(chunk) : controller.close());
    return new Response(new ReadableStream({ pull }, { highWaterMark: 0 }), { headers: { 'content-length': String(chunks * chunk.byteLength) } });
  };
  // As the platform's fetch, so that a plain GET goes to it as its URL alone, as in the Node workloads.
  globalThis.fetch = fromMemory;
  const results = [];
  for (let round = 0; round < rounds; round++) {
    const manager = new lib.BackgroundFetchManager({ store: 'memory', scope: `engine-chunks-${process.pid}-${round}`, baseURL: 'http://127.0.0.1:8080/' });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const done = new Promise((resolve, reject) => {
      manager.addEventListener('backgroundfetchsuccess', (event) => event.waitUntil(readBack(event.registration).then(resolve, reject)));
      manager.addEventListener('backgroundfetchfail', (event) => reject(new Error(`backgroundfetchfail: ${event.registration.failureReason}`)));
    });
    await manager.fetch('bodies', urls);
    await done;
    const cpu = process.cpuUsage(cpu0);
    results.push({ wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
    await manager.close();
  }
  return results;
}

/** Every body read back, as the Node workloads do. */
async function readBack(registration) {
  for (const record of await registration.matchAll()) await (await record.responseReady).arrayBuffer();
}

/** Interleaved fresh processes of builds a and b; medians of each round. */
async function compare() {
  const dists = { a: path.resolve(arg('a', '')), b: path.resolve(arg('b', '')) };
  const job = { bodies: Number(arg('bodies', 4)), chunks: Number(arg('chunks', 1000)), size: Number(arg('size', 65536)), rounds: Number(arg('rounds', 1)) };
  const processes = Number(arg('processes', 15));
  const got = { a: [], b: [] };
  for (let p = 0; p < processes; p++) {
    for (const who of p % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
      got[who].push(await runChild(here, { ...job, dist: dists[who] }));
    }
  }
  for (let round = 0; round < job.rounds; round++) {
    const wall = (who) => stats(got[who].map((r) => r[round].wallMs));
    const cpu = (who) => stats(got[who].map((r) => r[round].cpuMs));
    console.log(`round ${round + 1} (${job.bodies} bodies × ${job.chunks} chunks of ${job.size} B, ${processes} processes each):`);
    for (const who of ['a', 'b']) console.log(`  ${who} wall ${spread(wall(who), ' ms', 1)}, CPU ${spread(cpu(who), ' ms', 1)}`);
    console.log(`  b ÷ a: wall ${x(ratio(wall('b').median, wall('a').median))}, CPU ${x(ratio(cpu('b').median, cpu('a').median))}`);
  }
}
