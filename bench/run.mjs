// `npm run bench`: builds the library into build/bench/dist, runs every benchmark of issue 6
// against a baseline measured in the same run (interleaved, rotated, median of RUNS with min and
// max), prints each figure with its ratio, profiles what misses its target, and writes
// bench/RESULTS.md. Options: --runs=N (default 5), --only=node,scale,browser,size (default all
// of these), --out=FILE (default bench/RESULTS.md), --no-profile; the browser part's own options are below.
// --only=survival (not in the default, it takes about half an hour) runs bench/survival.mjs and
// replaces only its section of the file: --survival-minutes=N (watch window per engine, default 6),
// --survival-engines=firefox,chromium-forced,webkit,chromium-native (default all).
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserSizes, runBrowserBench } from './browser.mjs';
import { reportBrowser } from './browserReport.mjs';
import { benchDist, buildForBench } from './build.mjs';
import { runChild } from './lib/child.mjs';
import { profileTables, summarizeProfile } from './lib/profile.mjs';
import { MiB, num, ratio, spread, stats, x } from './lib/stats.mjs';
import { measureSize, reportSize as sizeReport } from './size.mjs';
import { runSurvival, survivalConfigs } from './survival.mjs';
import { survivalSection, survivalSectionOf, withSurvivalSection } from './survivalReport.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const option = (name, fallback) => {
  const found = process.argv.slice(2).find((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (found === undefined) return fallback;
  return found.includes('=') ? found.slice(found.indexOf('=') + 1) : true;
};
const RUNS = Number(option('runs', 5));
const ONLY = new Set(String(option('only', 'node,scale,browser,size')).split(','));
const OUT = path.resolve(root, String(option('out', 'bench/RESULTS.md')));
const PROFILE = !option('no-profile', false);
const SURVIVAL_MS = Number(option('survival-minutes', 6)) * 60_000;
const SURVIVAL_ENGINES = new Set(String(option('survival-engines', survivalConfigs.map((c) => c.key).join(','))).split(','));
const listOption = (name) => (option(name, undefined) === undefined ? undefined : new Set(String(option(name)).split(',')));
// Parts of the browser bench, for working on one: --browser-engines=firefox,chromium,webkit,
// --browser-workloads=W-A,W-B,W-C, --no-browser-memory, --no-native.
const BROWSER_ONLY = {
  engines: listOption('browser-engines'),
  workloads: listOption('browser-workloads'),
  memory: !option('no-browser-memory', false),
  native: !option('no-native', false),
};
const benchStart = Date.now();
const elapsed = () => `${((Date.now() - benchStart) / 1000).toFixed(0)} s`;
const log = (line = '') => console.log(line);
const md = []; // RESULTS.md, section by section
const verdicts = []; // { target, value, met }

// ---------------------------------------------------------------------------------------------
// Machine

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const mhz = /^cpu MHz\s*:\s*(.*)$/m.exec(cpuinfo)?.[1];
  let commit = 'unknown';
  let dirty = 0;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    // not a git checkout
  }
  return {
    cpu: `${model}${mhz ? ` (${Math.round(Number(mhz))} MHz)` : ''}`,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    commit: dirty > 0 ? `${commit} + ${dirty} uncommitted file(s) in the work tree` : commit,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

let port;
let server;

async function startServer(sizes) {
  server = fork(path.join(here, 'server.mjs'), [], { env: { ...process.env, BENCH_SIZES: sizes.join(',') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  ({ port } = await new Promise((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  }));
}

/** Runs `script` with a JSON job in a fresh Node process; resolves with what it sends back. */
function child(script, job, { execArgv = [], timeoutMs = 120_000 } = {}) {
  return runChild(path.join(here, script), { ...job, port }, { execArgv, timeoutMs, env: { ...process.env, BENCH_DIST: benchDist }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

// ---------------------------------------------------------------------------------------------
// Part 1 (+3): Node, loopback server in its own process

const workloads = {
  W1: { n: 100, size: MiB, label: 'W1: 100 × 1 MB', wallTarget: 1.05 },
  W2: { n: 2000, size: 4096, label: 'W2: 2,000 × 4 KB', wallTarget: 1.25 },
  W3: { n: 4, size: 64 * MiB, label: 'W3: 4 × 64 MB', wallTarget: 1.05, rssTarget: 1.1, sampleMemory: true },
  P: { n: 40, size: MiB, route: 'slow', query: '?chunk=65536&delay=10', label: 'P: 40 × 1 MB served at 64 KB / 10 ms' },
  // W1's 100 MB cut into 4× more and 4× fewer requests: what costs per request, what per byte.
  S1: { n: 400, size: MiB / 4, label: 'S1: 400 × 256 KB' },
  S4: { n: 25, size: 4 * MiB, label: 'S4: 25 × 4 MB' },
};
// Same bytes, different request counts (fitted in reportShapes).
const shapes = ['S4', 'W1', 'S1'];
// The same workload as the second of its kind in one process (bench/workload.mjs `warm`).
const warmModes = [
  ['baseline, warm', { mode: 'baseline', warm: true }],
  ['memory, warm', { mode: 'memory', warm: true }],
];
// Plain fetch with what the API requires of any implementation added, one thing at a time
// (bench/workload.mjs `signal`, `readBack`).
const floorModes = [
  ['baseline+signal', { mode: 'baseline', signal: true }],
  ['baseline+signal+read-back', { mode: 'baseline', signal: true, readBack: true }],
];
const shapeModes = [
  ['baseline', { mode: 'baseline' }],
  ['memory', { mode: 'memory' }],
];
const modesOf = {
  W1: [
    ['baseline', { mode: 'baseline' }],
    ['memory', { mode: 'memory' }],
    ['indexeddb', { mode: 'indexeddb' }],
    ['memory+1 listener', { mode: 'memory', listeners: 1 }],
    ['memory+10 listeners', { mode: 'memory', listeners: 10 }],
    ['memory+10 state$', { mode: 'memory', stateSubscribers: 10 }],
    ['join', { mode: 'join' }],
    ...warmModes,
    ...floorModes,
  ],
  W2: [
    ['baseline', { mode: 'baseline' }],
    ['memory', { mode: 'memory' }],
    ['indexeddb', { mode: 'indexeddb' }],
    ['join', { mode: 'join' }],
    ...warmModes,
    ...floorModes,
  ],
  W3: [
    ['baseline', { mode: 'baseline' }],
    ['memory', { mode: 'memory' }],
    ['indexeddb', { mode: 'indexeddb' }],
    ['join', { mode: 'join' }],
    ...warmModes,
    ...floorModes,
  ],
  P: [
    ['baseline', { mode: 'baseline', countChunks: true }],
    ['memory+1 listener', { mode: 'memory', listeners: 1 }],
  ],
  S1: shapeModes,
  S4: shapeModes,
};

function jobOf(key, extra) {
  const { n, size, route, query, sampleMemory } = workloads[key];
  return { n, size, route, query, sampleMemory, tag: key, ...extra };
}

async function nodeBench() {
  const samples = {}; // `${workload}/${mode}` -> [result]
  const keys = Object.keys(modesOf);
  for (let round = 0; round < RUNS; round++) {
    log(`round ${round + 1}/${RUNS} (${elapsed()})`);
    for (let w = 0; w < keys.length; w++) {
      const key = keys[(w + round) % keys.length];
      const modes = modesOf[key];
      for (let m = 0; m < modes.length; m++) {
        const [name, extra] = modes[(m + round) % modes.length];
        const result = await child('workload.mjs', jobOf(key, extra));
        (samples[`${key}/${name}`] ??= []).push(result);
      }
    }
  }
  return samples;
}

const cpuOf = (r) => r.cpuUserMs + r.cpuSystemMs;
const pick = (list, f) => stats((list ?? []).map(f));
/** Wall-time stats of one workload's runs in one mode. */
const wallOf = (samples, key, mode) => pick(samples[`${key}/${mode}`], (r) => r.wallMs);

function reportNode(samples) {
  const rows = [];
  const lines = [];
  const verdictOf = (name, value, limit) => {
    const met = Number.isFinite(value) && value <= limit;
    verdicts.push({ target: name, value: x(value), limit: `≤ ${limit.toFixed(2)}×`, met });
    return met ? 'met' : 'MISSED';
  };
  lines.push('| workload | store | wall ms | ratio | CPU ms | ratio | peak RSS MB | ratio | target |', '|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const key of ['W1', 'W2', 'W3']) {
    const spec = workloads[key];
    const base = samples[`${key}/baseline`];
    const bw = pick(base, (r) => r.wallMs);
    const bc = pick(base, cpuOf);
    const br = pick(base, (r) => r.maxRssBytes / MiB);
    lines.push(`| ${spec.label} | plain fetch (baseline) | ${spread(bw, '', 0)} | 1 | ${spread(bc, '', 0)} | 1 | ${spread(br, '', 0)} | 1 | |`);
    for (const store of ['memory', 'indexeddb']) {
      const ours = samples[`${key}/${store}`];
      const ow = pick(ours, (r) => r.wallMs);
      const oc = pick(ours, cpuOf);
      const or = pick(ours, (r) => r.maxRssBytes / MiB);
      const wr = ratio(ow.median, bw.median);
      const cr = ratio(oc.median, bc.median);
      const rr = ratio(or.median, br.median);
      let target = 'reported only';
      if (store === 'memory') {
        const parts = [`wall ≤ ${spec.wallTarget}×: ${verdictOf(`${spec.label}, wall`, wr, spec.wallTarget)}`];
        if (spec.rssTarget) parts.push(`peak RSS ≤ ${spec.rssTarget}×: ${verdictOf(`${spec.label}, peak RSS`, rr, spec.rssTarget)}`);
        target = parts.join('; ');
      }
      lines.push(`| ${spec.label} | ${store} | ${spread(ow, '', 0)} | ${x(wr)} | ${spread(oc, '', 0)} | ${x(cr)} | ${spread(or, '', 0)} | ${x(rr)} | ${target} |`);
      rows.push({ key, store, wr, cr, rr });
      log(`${spec.label.padEnd(18)} ${store.padEnd(9)} wall ${spread(ow, ' ms', 0)} vs ${spread(bw, ' ms', 0)} → ${x(wr)} | CPU ${x(cr)} | peak RSS ${num(or.median, 0)} vs ${num(br.median, 0)} MB → ${x(rr)}${store === 'memory' ? `  [${target}]` : ''}`);
    }
  }
  // What the memory is made of at its peak, W3.
  const peakRow = (name, list) => {
    const peaks = (list ?? []).map((r) => r.peak).filter(Boolean);
    const f = (get) => num(stats(peaks.map(get)).median / MiB, 0);
    return `| ${name} | ${f((p) => p.rss)} | ${f((p) => p.heapUsed)} | ${f((p) => p.external)} | ${f((p) => p.arrayBuffers)} |`;
  };
  const peakTable = [
    '| W3, at the highest RSS seen by a 10 ms sampler (medians, MB; it misses peaks inside long synchronous copies, so the kernel high-water mark above is the figure that counts) | rss | JS heap used | external | of which ArrayBuffers |',
    '|---|---:|---:|---:|---:|',
    peakRow('plain fetch (baseline)', samples['W3/baseline']),
    peakRow('memory store', samples['W3/memory']),
    peakRow('IndexedDB store (fake-indexeddb)', samples['W3/indexeddb']),
  ];
  const phaseTable = [
    '| workload | store | fetch() → backgroundfetchsuccess, ms | vs the whole baseline | reading every body back in the event, ms | share of our wall time | the same bodies only joined, no library, ms | our event time + that join, vs the baseline |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const key of ['W1', 'W2', 'W3']) {
    const bw = pick(samples[`${key}/baseline`], (r) => r.wallMs);
    for (const store of ['memory', 'indexeddb']) {
      const list = samples[`${key}/${store}`];
      const ev = pick(list, (r) => r.eventMs);
      const rb = pick(list, (r) => r.wallMs - r.eventMs);
      const share = pick(list, (r) => (r.wallMs - r.eventMs) / r.wallMs);
      const joined = pick(samples[`${key}/join`], (r) => r.joinMs);
      phaseTable.push(
        `| ${workloads[key].label} | ${store} | ${spread(ev, '', 0)} | ${x(ratio(ev.median, bw.median))} | ${spread(rb, '', 0)} | ${num(100 * share.median, 0)}% | ${spread(joined, '', 0)} | ${x(ratio(ev.median + joined.median, bw.median))} |`,
      );
    }
  }
  const warmTable = [
    '| workload | plain fetch, first in its process, ms | memory store, first, ms | ratio (the target\'s) | plain fetch, second in its process, ms | memory store, second, ms | ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const key of ['W1', 'W2', 'W3']) {
    const [cold, coldOurs, warm, warmOurs] = ['baseline', 'memory', 'baseline, warm', 'memory, warm'].map((mode) => wallOf(samples, key, mode));
    warmTable.push(
      `| ${workloads[key].label} | ${spread(cold, '', 0)} | ${spread(coldOurs, '', 0)} | ${x(ratio(coldOurs.median, cold.median))} | ${spread(warm, '', 0)} | ${spread(warmOurs, '', 0)} | ${x(ratio(warmOurs.median, warm.median))} |`,
    );
    log(`${workloads[key].label.padEnd(18)} second in its process: ${spread(warmOurs, ' ms', 0)} vs ${spread(warm, ' ms', 0)} → ${x(ratio(warmOurs.median, warm.median))}`);
  }
  return { lines, rows, peakTable, phaseTable, warmTable, floorTable: reportFloor(samples), shapeTable: reportShapes(samples) };
}

/** Plain fetch with a signal per request, then with the read-back too, beside ours (W1–W3). */
function reportFloor(samples) {
  const table = [
    '| workload | plain fetch, ms | + an AbortSignal per request | + the read-back: a Response per body over its kept chunks, then joined | memory store | ours ÷ plain fetch with both |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const key of ['W1', 'W2', 'W3']) {
    const [plain, signal, readBack, ours] = ['baseline', 'baseline+signal', 'baseline+signal+read-back', 'memory'].map((mode) => wallOf(samples, key, mode));
    const vs = (s) => `${spread(s, '', 0)} (${x(ratio(s.median, plain.median))})`;
    table.push(`| ${workloads[key].label} | ${spread(plain, '', 0)} | ${vs(signal)} | ${vs(readBack)} | ${vs(ours)} | ${x(ratio(ours.median, readBack.median))} |`);
    log(`${workloads[key].label.padEnd(18)} plain fetch + signal ${x(ratio(signal.median, plain.median))}, + read-back ${x(ratio(readBack.median, plain.median))}; ours ÷ that ${x(ratio(ours.median, readBack.median))}`);
  }
  return table;
}

/** Least squares y = a + b·x over the points. */
function fit(points) {
  const n = points.length;
  const mx = points.reduce((sum, [px]) => sum + px, 0) / n;
  const my = points.reduce((sum, [, py]) => sum + py, 0) / n;
  const b = points.reduce((sum, [px, py]) => sum + (px - mx) * (py - my), 0) / points.reduce((sum, [px]) => sum + (px - mx) ** 2, 0);
  return { a: my - b * mx, b };
}

/**
 * W1's bytes as 25, 100 and 400 requests: our extra wall and CPU time over plain fetch fitted
 * as a fixed part (the same 100 MB whatever the count: the read-back copy and one fetch's set-up)
 * plus a part per request, beside plain fetch's own CPU per request.
 */
function reportShapes(samples) {
  const median = (key, mode, f) => pick(samples[`${key}/${mode}`], f).median;
  const rows = shapes.map((key) => {
    const [bw, ow, bc, oc] = [median(key, 'baseline', (r) => r.wallMs), median(key, 'memory', (r) => r.wallMs), median(key, 'baseline', cpuOf), median(key, 'memory', cpuOf)];
    return { key, n: workloads[key].n, bw, ow, bc, oc };
  });
  const wall = fit(rows.map((r) => [r.n, r.ow - r.bw]));
  const cpu = fit(rows.map((r) => [r.n, r.oc - r.bc]));
  const plainCpu = fit(rows.map((r) => [r.n, r.bc]));
  const w1 = rows.find((r) => r.key === 'W1');
  log(`per request: +${num(wall.b * 1000, 0)} µs wall, +${num(cpu.b * 1000, 0)} µs CPU (plain fetch ${num(plainCpu.b * 1000, 0)} µs CPU); fixed +${num(wall.a, 0)} ms wall = ${x(ratio(w1.bw + wall.a, w1.bw))} of W1's baseline`);
  return [
    '| workload | requests | plain fetch wall ms | ours wall ms | extra wall ms | plain fetch CPU ms | ours CPU ms | extra CPU ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${workloads[r.key].label} | ${r.n} | ${num(r.bw, 0)} | ${num(r.ow, 0)} | ${num(r.ow - r.bw, 0)} | ${num(r.bc, 0)} | ${num(r.oc, 0)} | ${num(r.oc - r.bc, 0)} |`),
    '',
    `Fitted over the three (least squares, medians): our extra is **${num(wall.a, 0)} ms + ${num(wall.b * 1000, 0)} µs per request** of wall time and ${num(cpu.a, 0)} ms + ${num(cpu.b * 1000, 0)} µs per request of CPU time (every thread), where plain fetch itself costs ${num(plainCpu.b * 1000, 0)} µs of CPU per request. ` +
      `The fixed part alone, with no cost per request at all, would put W1 at ${x(ratio(w1.bw + wall.a, w1.bw))} of its baseline.`,
  ];
}

function reportProgress(samples) {
  const lines = [];
  // Events per second per registration under the default progressInterval (100 ms).
  const p = samples['P/memory+1 listener'];
  const pb = samples['P/baseline'];
  const eps = pick(p, (r) => r.progressEvents / ((r.eventMs ?? r.wallMs) / 1000));
  const cps = pick(pb, (r) => r.chunks / (r.wallMs / 1000));
  const bound = 1000 / 100;
  lines.push(
    `- **Progress events per second, one registration** (${workloads.P.label}, default \`progressInterval\` 100 ms, one listener): ` +
      `${spread(eps, '/s')} over the download (fetch() to the success event); the interval allows ${bound}/s plus the final state, which is delivered at once (ratio to ${bound}/s: ${x(ratio(eps.median, bound))}). ` +
      `Unthrottled, a reader of the same downloads sees ${spread(cps, ' chunks/s', 0)} (plain fetch baseline), so throttling delivers ` +
      `${x(ratio(eps.median, cps.median))} of the state changes.`,
  );
  log(`progress events/s per registration: ${spread(eps, '/s')} (bound ${bound}/s), raw chunk rate ${spread(cps, '/s', 0)}`);
  lines.push('', '| W1 (100 MB) | CPU ms per downloaded MB | vs plain fetch | vs no listener |', '|---|---:|---:|---:|');
  const perMB = (list) => pick(list, (r) => cpuOf(r) / 100);
  const base = perMB(samples['W1/baseline']);
  const none = perMB(samples['W1/memory']);
  for (const [name, key] of [
    ['plain fetch (baseline)', 'W1/baseline'],
    ['ours, no listener', 'W1/memory'],
    ['ours, 1 `progress` listener', 'W1/memory+1 listener'],
    ['ours, 10 `progress` listeners', 'W1/memory+10 listeners'],
    ['ours, 10 `state$` subscribers', 'W1/memory+10 state$'],
  ]) {
    const s = perMB(samples[key]);
    lines.push(`| ${name} | ${spread(s, '', 2)} | ${x(ratio(s.median, base.median))} | ${x(ratio(s.median, none.median))} |`);
    log(`CPU per MB, ${name.padEnd(30)} ${spread(s, ' ms', 2)} → ${x(ratio(s.median, base.median))} of plain fetch, ${x(ratio(s.median, none.median))} of no listener`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Part 2: scale

async function scaleBench() {
  const out = { one: {}, many: {} };
  const gc = ['--expose-gc'];
  for (let round = 0; round < RUNS; round++) {
    log(`scale round ${round + 1}/${RUNS} (${elapsed()})`);
    const ones = round % 2 ? ['one-baseline', 'one-ours'] : ['one-ours', 'one-baseline'];
    for (const mode of ones) (out.one[mode] ??= []).push(await child('scale.mjs', { mode, n: 10_000 }, { execArgv: gc }));
    const manys = round % 2 ? ['many-ours', 'many-baseline'] : ['many-baseline', 'many-ours'];
    for (const mode of manys) (out.many[mode] ??= []).push(await child('scale.mjs', { mode, registrations: 100, perRegistration: 10, size: 4096 }, { execArgv: gc }));
  }
  log(`pipeline per-chunk cost (${elapsed()})`);
  out.pipeline = (await child('pipeline.mjs', { sizes: [10, 100, 1000, 10_000], chunks: 100_000, rounds: RUNS })).perSize;
  return out;
}

function reportScale(scale) {
  const lines = [];
  const o = scale.one['one-ours'];
  const b = scale.one['one-baseline'];
  const row = (name, ours, base, unit, digits, baseName) => {
    const r = ratio(ours.median, base.median);
    log(`${name.padEnd(44)} ${spread(ours, unit, digits)} vs ${baseName} ${spread(base, unit, digits)} → ${x(r)}`);
    return `| ${name} | ${spread(ours, '', digits)} | ${baseName} | ${spread(base, '', digits)} | ${x(r)} |`;
  };
  lines.push('| figure | ours | baseline | baseline value | ratio |', '|---|---:|---|---:|---:|');
  lines.push(row('10,000 requests: `fetch()` ms', pick(o, (r) => r.fetchMs), pick(b, (r) => r.fetchMs), ' ms', 0, '10,000 `new Request()`'));
  lines.push(row('10,000 requests: `matchAll()` ms', pick(o, (r) => r.matchAllMs), pick(b, (r) => r.matchAllMs), ' ms', 0, '10,000 `new Request()`'));
  lines.push(row('10,000 requests: `match()` of the last URL, ms', pick(o, (r) => r.matchLastMs), pick(b, (r) => r.matchLastMs), ' ms', 2, 'one `new Request()` + scan of 10,000 URL strings'));
  lines.push(row('10,000 requests: heap bytes per record', pick(o, (r) => r.bytesPerRecord), pick(b, (r) => r.bytesPerRecord), ' B', 0, 'one `Request` held'));
  const mo = scale.many['many-ours'];
  const mb = scale.many['many-baseline'];
  lines.push(row('100 registrations × 10 × 4 KB at once: total ms', pick(mo, (r) => r.totalMs), pick(mb, (r) => r.totalMs), ' ms', 0, 'plain fetch, 400 at once'));
  const reg = pick(mo, (r) => r.registerMs);
  lines.push(`| 100 registrations: the 100 \`fetch()\` calls, ms | ${spread(reg, '', 0)} | | | |`);
  log(`100 registrations: the 100 fetch() calls ${spread(reg, ' ms', 0)}`);
  lines.push('', '| records in the fetch | ns per chunk event (countBytes + limitDownloadTotal + untilSettled + abortWhen + view + throttleProgress) | vs 10 records |', '|---:|---:|---:|');
  const at10 = stats(scale.pipeline[10]).median;
  let worst = 0;
  for (const [n, values] of Object.entries(scale.pipeline)) {
    const s = stats(values);
    worst = Math.max(worst, ratio(s.median, at10));
    lines.push(`| ${Number(n).toLocaleString('en')} | ${spread(s, '', 0)} | ${x(ratio(s.median, at10))} |`);
    log(`pipeline, ${String(n).padStart(6)} records: ${spread(s, ' ns/chunk', 0)} → ${x(ratio(s.median, at10))} of 10 records`);
  }
  verdicts.push({ target: 'Pipeline per-chunk cost flat, 10 → 10,000 records (worst size vs 10 records)', value: x(worst), limit: '≤ 1.50×', met: worst <= 1.5 });
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Part 5: size

// ---------------------------------------------------------------------------------------------
// Profiles (for the targets missed)

async function profileRun(name, script, job) {
  const dir = path.join(root, 'build', 'bench', 'profiles', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await child(script, job, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--expose-gc'] });
  for (let i = 0; i < 50 && readdirSync(dir).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const file = path.join(dir, readdirSync(dir)[0]);
  return { result, summary: summarizeProfile(file, result.windowUs), file: path.relative(root, file) };
}

function componentsSideBySide(ours, base) {
  const names = [...new Set([...ours.components, ...base.components].map((c) => c.component))];
  const ms = (summary, name) => summary.components.find((c) => c.component === name)?.selfMs ?? 0;
  const rows = names
    .map((name) => ({ name, o: ms(ours, name), b: ms(base, name) }))
    .sort((a, b) => b.o - b.b - (a.o - a.b));
  return [
    `| component (self time in the measured window) | ours ms | plain fetch ms | extra |`,
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.o.toFixed(0)} | ${r.b.toFixed(0)} | ${(r.o - r.b >= 0 ? '+' : '') + (r.o - r.b).toFixed(0)} |`),
    `| **busy total** | **${ours.busyMs.toFixed(0)}** | **${base.busyMs.toFixed(0)}** | **+${(ours.busyMs - base.busyMs).toFixed(0)}** |`,
  ];
}

/**
 * Profiles one run of ours (memory store) and one of plain fetch per workload: W1, W2, W3 always
 * (they carry the targets), W2 with IndexedDB when time allows. Samples outside the measured
 * window are dropped; for ours the window is also split at the success event (download vs read-back).
 */
async function profileWorkloads(nodeRows, optional) {
  const lines = [];
  const keys = nodeRows.length > 0 ? ['W1', 'W2', 'W3'] : [];
  if (optional && nodeRows.length > 0) keys.push('W2-indexeddb');
  for (const key of keys) {
    const [w, store] = key.includes('-') ? key.split('-') : [key, 'memory'];
    log(`profiling ${w} (${store}) and its baseline (${elapsed()})`);
    const ours = await profileRun(`${w}-${store}`, 'workload.mjs', jobOf(w, { mode: store }));
    const base = await profileRun(`${w}-baseline-for-${store}`, 'workload.mjs', jobOf(w, { mode: 'baseline' }));
    const row = nodeRows.find((r) => r.key === w && r.store === store);
    const spec = workloads[w];
    const missed = store === 'memory' && row !== undefined && (row.wr > spec.wallTarget || (spec.rssTarget !== undefined && row.rr > spec.rssTarget));
    const status = store !== 'memory' ? 'reported only, no target' : missed ? 'target missed' : 'target met';
    lines.push(
      `### ${spec.label}, ${store} store (${status})`,
      '',
      `One profiled run each (\`node --cpu-prof\`; samples outside the measured window dropped; ${ours.file}, ${base.file}): ours ${num(ours.result.wallMs, 0)} ms wall, plain fetch ${num(base.result.wallMs, 0)} ms.`,
      '',
      ...componentsSideBySide(ours.summary, base.summary),
      '',
    );
    if (ours.result.eventUs !== undefined && w !== 'W2') {
      const file = path.join(root, ours.file);
      const download = summarizeProfile(file, [ours.result.windowUs[0], ours.result.eventUs]);
      const readback = summarizeProfile(file, [ours.result.eventUs, ours.result.windowUs[1]]);
      const top = (summary) =>
        summary.functions
          .slice(0, 5)
          .map((f) => `\`${f.name}\`${f.name === '(anonymous)' ? ` at ${f.where}` : ''} ${f.selfMs.toFixed(0)} ms${f.via ? ` (from ${f.via.replace(/ \(.*$/, '')})` : ''}`)
          .join(', ');
      lines.push(
        `Ours split at the success event: download ${download.busyMs.toFixed(0)} ms busy (top self time: ${top(download)}); read-back ${readback.busyMs.toFixed(0)} ms busy (top: ${top(readback)}).`,
        '',
      );
    }
    lines.push('Ours, in detail:', '', profileTables(ours.summary, 16), '');
  }
  if (ONLY.has('scale')) {
    log(`profiling 100 registrations at once and its baseline (${elapsed()})`);
    const job = { registrations: 100, perRegistration: 10, size: 4096 };
    const ours = await profileRun('many-ours', 'scale.mjs', { mode: 'many-ours', ...job });
    const base = await profileRun('many-baseline', 'scale.mjs', { mode: 'many-baseline', ...job });
    lines.push(
      '### Scale: 100 registrations × 10 × 4 KB at once (no target)',
      '',
      `One profiled run each (${ours.file}, ${base.file}): ours ${num(ours.result.totalMs, 0)} ms, plain fetch with 400 at once ${num(base.result.totalMs, 0)} ms.`,
      '',
      ...componentsSideBySide(ours.summary, base.summary),
      '',
      'Ours, in detail:',
      '',
      profileTables(ours.summary, 12),
      '',
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const m = machine();
  log(`rx-background-fetch bench — ${m.date}`);
  log(`${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, load ${m.load}`);
  log(`building into ${path.relative(root, benchDist)} …`);
  const buildMs = await buildForBench();
  log(`built in ${(buildMs / 1000).toFixed(1)} s`);
  if (['node', 'scale', 'browser'].some((part) => ONLY.has(part))) await startServer([MiB, 4096, 64 * MiB, 16, 64, MiB / 4, 4 * MiB, ...(ONLY.has('browser') ? browserSizes : [])]);
  const sections = [];
  let nodeRows = [];
  let sizeResult;
  let progressSection = [];
  let nodeSamples;
  if (ONLY.has('node')) {
    log('\n== 1 + 3. Node, loopback server in its own process ==');
    nodeSamples = await nodeBench();
    const node = reportNode(nodeSamples);
    nodeRows = node.rows;
    sections.push(
      '## 1. Node: overhead against plain fetch',
      '',
      'Loopback `node:http` server in its own process (bodies from memory). Each run is a fresh Node process (so peak RSS, `process.resourceUsage().maxRSS`, is comparable); runs are interleaved and rotated, ' +
        `${RUNS} of each; median (min–max). Ours: \`new BackgroundFetchManager({ store, scope: unique, baseURL })\` with default options (concurrency 4), timed from \`fetch()\` until every body has been read back through \`matchAll()\` + \`responseReady\` + \`arrayBuffer()\` inside \`backgroundfetchsuccess\`'s \`waitUntil\`. Baseline: plain \`fetch\`, 4 at once, every body read to an \`ArrayBuffer\` and kept. CPU = user + system of the process over the same span. IndexedDB = fake-indexeddb in Node (reported only).`,
      '',
      ...node.lines,
      '',
      'Where our time goes: the download itself, and the read-back in the completion event (the baseline has no separate read-back: it concatenates each body while the other downloads go on). ' +
        'A store that keeps its bytes and hands each `arrayBuffer()` a buffer of its own must copy every body once after the last byte: the *join* mode (plain fetch keeping the chunks, then only joining them, timed alone) is that copy with no library, and our event time plus it is the least wall time this design can reach.',
      '',
      ...node.phaseTable,
      '',
      'First use and steady state: each run above is the first download of a fresh process, as the targets are measured, so our code runs before the JIT has compiled it (plain fetch runs undici, which the warm-up request has already run). The same workloads as the *second* of their kind in one process (the same mode run once over other URLs first, untimed) show how much of the gap is that first use and how much the cost of every download:',
      '',
      ...node.warmTable,
      '',
      'What the API itself costs on this platform: plain fetch given only what any implementation of it must do, one thing at a time, and what our work adds on top (first use, as above):',
      '',
      ...node.floorTable,
      '',
      'What costs per request and what per byte: W1\'s 100 MB as 25, 100 and 400 requests (first use, as above):',
      '',
      ...node.shapeTable,
      '',
      ...node.peakTable,
      '',
    );
    progressSection = ['## 3. Progress cost', '', ...reportProgress(nodeSamples), ''];
  }
  if (ONLY.has('scale')) {
    log('\n== 2. Scale ==');
    const scale = await scaleBench();
    sections.push(
      '## 2. Scale',
      '',
      `One registration of 10,000 requests (to a transport that accepts and never answers, so only bookkeeping is timed; heap = used heap + external after two forced GCs, per record), 100 registrations started at once, and the per-chunk cost of the pipeline's reducing half fed synthetic chunk events (100,000 per pass, spread over the records) as the records grow. Fresh process per measurement except the pipeline (one process, sizes interleaved per round). ${RUNS} runs; median (min–max).`,
      '',
      ...reportScale(scale),
      '',
    );
  }
  sections.push(...progressSection);
  if (ONLY.has('browser')) {
    log('\n== 4. Browsers ==');
    const browser = await runBrowserBench({ port, runs: RUNS, log, only: BROWSER_ONLY });
    sections.push('## 4. Browsers: the polyfill against what the browser itself does (L0, L1), and against native Chromium', '', ...reportBrowser(browser, verdicts, log), '');
  }
  if (ONLY.has('size')) {
    log(`\n== 5. Bundle size (${elapsed()}) ==`);
    const size = await measureSize(benchDist);
    sizeResult = size;
    const report = sizeReport(size);
    verdicts.push(report.verdict);
    log(report.summary);
    sections.push('## 5. Bundle size', '', ...report.lines, '');
  }
  let profileLines = [];
  if (PROFILE && (nodeRows.length > 0 || ONLY.has('scale'))) {
    log(`\n== Profiles (${elapsed()}) ==`);
    const optional = Date.now() - benchStart < 8 * 60_000; // the reported-only IndexedDB profile, if time allows
    profileLines = await profileWorkloads(nodeRows, optional);
  }
  server?.kill();
  let survivalLines;
  if (ONLY.has('survival')) {
    log(`\n== 6. Survival with no page open (${elapsed()}) ==`);
    const seriesDir = path.join(root, 'build', 'bench', 'survival');
    const results = await runSurvival({ watchMs: SURVIVAL_MS, log, seriesDir, only: SURVIVAL_ENGINES });
    survivalLines = survivalSection(results, { date: m.date, commit: m.commit, watchMs: SURVIVAL_MS, seriesDir: path.relative(root, seriesDir) });
    for (const line of survivalLines.filter((l) => l.startsWith('| ') && !l.startsWith('| engine'))) log(line);
  }
  const previous = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (sections.length === 0 && survivalLines !== undefined) {
    if (!OUT.endsWith('.none')) {
      writeFileSync(OUT, withSurvivalSection(previous, survivalLines));
      log(`wrote the survival section of ${path.relative(root, OUT)}`);
    }
    return;
  }

  const totalS = (Date.now() - benchStart) / 1000;
  log(`\n== Targets ==`);
  for (const v of verdicts) log(`${v.met ? 'met    ' : 'MISSED '} ${v.target}: ${v.value} (target ${v.limit})`);
  log(`\nbench finished in ${totalS.toFixed(0)} s`);

  const doc = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.mjs) on ${m.date}, in ${totalS.toFixed(0)} s. Every ratio is against a baseline measured in the same run; figures are median (min–max) of ${RUNS} interleaved runs unless said otherwise. Reproduce with \`npm run bench\` (options: \`-- --runs=N --only=node,scale,browser,size --no-profile --out=FILE\`; section 6: \`-- --only=survival\`); compare a patched copy with \`node bench/compare.mjs --b=<dist>\`; bundle breakdown alone with \`npm run size\`.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpu} |`,
    `| cores | ${m.cores} |`,
    `| memory | ${m.memory} |`,
    `| Node | ${m.node} |`,
    `| OS | ${m.os} |`,
    `| load average at start | ${m.load} (shared machine: other jobs ran during the bench) |`,
    `| code | ${m.commit} |`,
    '',
    '## Targets',
    '',
    '| target | this run | limit | |',
    '|---|---:|---:|---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.value} | ${v.limit} | ${v.met ? 'met' : '**missed**'} |`),
    '',
    ...sections,
  ];
  if (profileLines.length > 0) doc.push('## Profiles', '', 'Component = where the sampled function lives (node internals are split into undici = fetch, web streams, other). "extra" = ours − plain fetch.', '', ...profileLines);
  // A run without the survival part keeps the survival figures measured before.
  const survival = survivalLines ?? survivalSectionOf(previous);
  if (!OUT.endsWith('.none')) {
    writeFileSync(OUT, survival.length > 0 ? withSurvivalSection(doc.join('\n'), survival) : doc.join('\n') + '\n');
    log(`wrote ${path.relative(root, OUT)}`);
  }
}

main().catch((error) => {
  server?.kill();
  console.error(error);
  process.exit(1);
});
