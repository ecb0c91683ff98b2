// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per component, with
// frames of the bench build mapped back through its source maps to src/, operators/, ky, idb-keyval.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPosition, readSourceMap } from './sourcemap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const maps = new Map();

function mapFor(file) {
  if (!maps.has(file)) maps.set(file, existsSync(`${file}.map`) ? readSourceMap(`${file}.map`) : null);
  return maps.get(file);
}

/** Where a frame comes from: { where: "src/engine/FetchJob.ts:123", component }. */
function locate(frame) {
  const { url, lineNumber, columnNumber, functionName } = frame;
  if (url === '') {
    const special = { '(garbage collector)': 'GC', '(program)': 'V8/native (program)', '(idle)': 'idle', '(root)': 'idle' };
    return { where: functionName, component: special[functionName] ?? 'V8/native (program)' };
  }
  let file = url.startsWith('file://') ? fileURLToPath(url) : url;
  let line = lineNumber + 1;
  if (file.includes(`${path.sep}build${path.sep}bench${path.sep}dist${path.sep}`)) {
    const map = mapFor(file);
    const original = map === null ? null : originalPosition(map, lineNumber, columnNumber);
    if (original !== null) {
      file = original.source;
      line = original.line;
    }
  }
  const rel = file.startsWith(root) ? path.relative(root, file) : file;
  return { where: `${rel}:${line}`, component: componentOf(rel) };
}

const libraryComponents = new Set(['rxjs', 'ky', 'idb-keyval', 'fake-indexeddb', 'tslib', 'bench harness']);

export function componentOf(rel) {
  if (rel.startsWith('node_modules/rxjs/')) return 'rxjs';
  if (rel.startsWith('node_modules/ky/')) return 'ky';
  if (rel.startsWith('node_modules/idb-keyval/')) return 'idb-keyval';
  if (rel.startsWith('node_modules/fake-indexeddb/')) return 'fake-indexeddb';
  if (rel.startsWith('node_modules/tslib/')) return 'tslib';
  if (rel.startsWith('operators/')) return 'ours: operators/';
  if (rel.startsWith('src/store/')) return 'ours: src/store/';
  if (rel.startsWith('src/')) return 'ours: src/ (engine, manager)';
  if (rel.startsWith('bench/')) return 'bench harness';
  if (rel.includes('internal/deps/undici')) return 'node: undici (fetch)';
  if (rel.includes('internal/webstreams')) return 'node: web streams';
  if (rel.startsWith('node:') || rel.startsWith('internal/')) return 'node: other internals';
  if (rel.startsWith('node_modules/')) return rel.split('/').slice(0, 2).join('/');
  return 'other';
}

/**
 * Reads a profile; returns { totalMs, busyMs, functions: [{ name, where, component, selfMs }],
 * components: [{ component, selfMs }] }, sorted by self time; idle time is left out of busyMs.
 */
export function summarizeProfile(file, windowUs = undefined) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const located = new Map();
  const locateNode = (id) => {
    if (!located.has(id)) located.set(id, locate(byId.get(id).callFrame));
    return located.get(id);
  };
  // The nearest frame at or above `id` that belongs to a library (ours, ky, rxjs, ...): who made
  // node internals (undici, streams, AbortSignal, GC is left alone) do the work.
  const owner = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const here = locateNode(at);
      if (here.component === 'node: undici (fetch)') return { ...here, component: 'fetch() itself (undici, any caller)', name: byId.get(at).callFrame.functionName || '(anonymous)' };
      if (libraryComponents.has(here.component) || here.component.startsWith('ours:')) return { ...here, name: byId.get(at).callFrame.functionName || '(anonymous)' };
    }
    return null;
  };
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    const duration = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    // Only the measured window (the workload reports it on the same monotonic clock), when given.
    if (windowUs !== undefined && (at < windowUs[0] || at > windowUs[1])) continue;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, duration));
  }
  const functions = new Map();
  const components = new Map();
  const attributed = new Map();
  // Inclusive time of library frames (ours, ky, rxjs): each sample counts once per distinct frame on its stack.
  const inclusive = new Map();
  const stackKeys = new Map();
  const keysOnStack = (id) => {
    if (!stackKeys.has(id)) {
      const keys = new Set();
      for (let at = id; at !== undefined; at = parent.get(at)) {
        const here = locateNode(at);
        if (here.component.startsWith('ours:') || here.component === 'ky' || here.component === 'rxjs' || here.component === 'fake-indexeddb' || here.component === 'idb-keyval') {
          keys.add(`${byId.get(at).callFrame.functionName || '(anonymous)'}\u0000${here.where}\u0000${here.component}`);
        }
      }
      stackKeys.set(id, keys);
    }
    return stackKeys.get(id);
  };
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const { where, component } = locateNode(id);
    totalUs += us;
    if (component === 'idle') {
      idleUs += us;
      continue;
    }
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, component, selfMs: 0, via: new Map() };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    components.set(component, (components.get(component) ?? 0) + us / 1000);
    for (const key of keysOnStack(id)) inclusive.set(key, (inclusive.get(key) ?? 0) + us / 1000);
    const by = component === 'GC' ? null : owner(id);
    const byKey = by === null ? (component === 'GC' ? 'GC' : `${component} (no library frame above)`) : by.component;
    attributed.set(byKey, (attributed.get(byKey) ?? 0) + us / 1000);
    if (by !== null && by.where !== where) {
      const viaKey = `${by.name} (${by.where})`;
      entry.via.set(viaKey, (entry.via.get(viaKey) ?? 0) + us / 1000);
    }
  }
  return {
    totalMs: totalUs / 1000,
    busyMs: (totalUs - idleUs) / 1000,
    functions: [...functions.values()]
      .map((f) => ({ ...f, via: [...f.via].sort((a, b) => b[1] - a[1]).map(([caller]) => caller)[0] ?? '' }))
      .sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...inclusive]
      .map(([key, ms]) => {
        const [name, where, component] = key.split('\u0000');
        return { name, where, component, ms };
      })
      .sort((a, b) => b.ms - a.ms),
    attributed: [...attributed].map(([component, selfMs]) => ({ component, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
    components: [...components].map(([component, selfMs]) => ({ component, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Markdown tables: components, then the top `top` functions by self time. */
export function profileTables(summary, top = 15) {
  const pct = (ms) => `${((100 * ms) / summary.busyMs).toFixed(1)}%`;
  const lines = [
    `Busy (non-idle) samples: ${summary.busyMs.toFixed(0)} ms.`,
    '',
    '| component | self ms | share |',
    '|---|---:|---:|',
    ...summary.components.map((c) => `| ${c.component} | ${c.selfMs.toFixed(0)} | ${pct(c.selfMs)} |`),
    '',
    'The same samples charged to the nearest owner on the stack: undici when the work is inside fetch() (whoever called',
    'it), else the nearest library frame (ours, ky, rxjs, …; `bench harness` is the measuring script itself):',
    '',
    '| charged to | ms | share |',
    '|---|---:|---:|',
    ...summary.attributed.map((c) => `| ${c.component} | ${c.selfMs.toFixed(0)} | ${pct(c.selfMs)} |`),
    '',
    'Library frames by inclusive time (the frame and everything it called, node internals included):',
    '',
    '| function | where | inclusive ms | share |',
    '|---|---|---:|---:|',
    ...summary.inclusive
      .filter((f) => f.component !== 'rxjs' || f.ms > summary.busyMs * 0.05)
      .slice(0, top)
      .map((f) => `| \`${f.name}\` | ${f.where} | ${f.ms.toFixed(0)} | ${pct(f.ms)} |`),
    '',
    '| function (top self time) | where | self ms | share | called from (nearest library frame) |',
    '|---|---|---:|---:|---|',
    ...summary.functions.slice(0, top).map((f) => `| \`${f.name}\` | ${f.where} | ${f.selfMs.toFixed(1)} | ${pct(f.selfMs)} | ${f.via} |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    console.log(`## ${file}\n`);
    console.log(profileTables(summarizeProfile(file), 25));
  }
}
