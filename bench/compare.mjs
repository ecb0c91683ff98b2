// Compares two builds of the library on the Node workloads, interleaved, against plain fetch:
//   node bench/compare.mjs --a=build/bench/dist --b=/tmp/scratch/build/bench/dist [--runs=5] [--w=W1,W2,W3] [--store=memory]
// For trying a fix on a scratch copy before it lands (copy src/ operators/ bench/ and the configs,
// symlink node_modules, `node bench/build.mjs` there, edit, rebuild, compare).
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild } from './lib/child.mjs';
import { stats, spread, x, ratio, MiB } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const dists = { a: path.resolve(arg('a', path.join(here, '..', 'build', 'bench', 'dist'))), b: path.resolve(arg('b', '')) };
const runs = Number(arg('runs', 5));
const store = arg('store', 'memory');
const all = { W1: { n: 100, size: MiB }, W2: { n: 2000, size: 4096 }, W3: { n: 4, size: 64 * MiB } };
const chosen = arg('w', 'W1,W2,W3').split(',');

const server = fork(path.join(here, 'server.mjs'), [], { env: { ...process.env, BENCH_SIZES: `${MiB},4096,${64 * MiB},16` } });
const { port } = await new Promise((resolve) => server.once('message', resolve));
const run = (job, dist) => runChild(path.join(here, 'workload.mjs'), { ...job, port }, { env: { ...process.env, BENCH_DIST: dist ?? dists.a } });
try {
  for (const key of chosen) {
    const got = { base: [], a: [], b: [] };
    for (let r = 0; r < runs; r++) {
      const order = ['base', 'a', 'b'].map((_, i, list) => list[(i + r) % 3]);
      for (const who of order) {
        const job = { ...all[key], mode: who === 'base' ? 'baseline' : store, tag: key };
        got[who].push(await run(job, who === 'base' ? undefined : dists[who]));
      }
    }
    const wall = (who) => stats(got[who].map((r) => r.wallMs));
    const cpu = (who) => stats(got[who].map((r) => r.cpuUserMs + r.cpuSystemMs));
    const ev = (who) => stats(got[who].map((r) => r.eventMs));
    console.log(`${key}: baseline wall ${spread(wall('base'), ' ms', 0)}, CPU ${spread(cpu('base'), ' ms', 0)}`);
    for (const who of ['a', 'b']) {
      console.log(
        `  ${who} wall ${spread(wall(who), ' ms', 0)} → ${x(ratio(wall(who).median, wall('base').median))}, CPU ${spread(cpu(who), ' ms', 0)} → ${x(ratio(cpu(who).median, cpu('base').median))}, ` +
          `to success event ${spread(ev(who), ' ms', 0)}`,
      );
    }
  }
} finally {
  server.kill();
}
