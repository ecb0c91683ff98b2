// Section 4 of RESULTS.md from runBrowserBench's results (bench/browser.mjs): the polyfill against
// the no-library baselines L0 and L1 per engine and workload, the memory of a 200 MB download,
// and native Chromium against the forced polyfill. Pushes each target's verdict to `verdicts`.
import { browserEngines, browserModes, browserWorkloads, nativeConfigs } from './browser.mjs';
import { MiB, num, ratio, spread, stats, x } from './lib/stats.mjs';

const l1Modes = ['L1-chunk', 'L1-batched', 'L1-joined'];
const modeNames = { L0: 'L0 plain fetch', 'L1-chunk': 'L1 per chunk', 'L1-batched': 'L1 ~1 MB per transaction', 'L1-joined': 'L1 ~1 MB joined per value', polyfill: 'polyfill' };
/** polyfill ÷ best L1 limits (issue 15): 1.2× everywhere, 1.1× for the large bodies in Chromium and WebKit. */
const limitOf = (engine, workload) => (engine !== 'firefox' && workload !== 'W-B' ? 1.1 : 1.2);

export function reportBrowser({ matrix, memory, native }, verdicts, log) {
  const lines = [
    'Loopback server (bodies from memory), one service worker (`bench/browser/sw.js`) holding the polyfill and the no-library baselines (`bench/browser/baselines.js`), four requests at a time in every mode. A fresh browser per engine, workload and round runs every mode in an order rotated per round, each after the last one cleaned up. ' +
      `**L0**: plain \`fetch()\`, every body read to its end. **L1**: plain \`fetch()\` writing the chunks into IndexedDB as \`ArrayBuffer\`s — one transaction per chunk; chunks gathered to ~1 MB and put one value each in one transaction; or gathered to ~1 MB and joined into one value per transaction — then each body read back (one \`getAll\` each, joined into one buffer). **Polyfill**: \`registration.backgroundFetch.fetch()\` in the page until the worker has read every body back with \`arrayBuffer()\` in \`backgroundfetchsuccess\`; a baseline from the page's \`postMessage\` to the worker until it has read every body back. ms, median (min–max).`,
    '',
    `| engine | workload | ${browserModes.map((m) => modeNames[m]).join(' | ')} | polyfill ÷ best L1 | polyfill ÷ L0 | target |`,
    `|---|---|${browserModes.map(() => '---:|').join('')}---:|---:|---|`,
  ];
  const phases = [
    '| engine | workload | best L1: download / read-back, ms | polyfill: fetch() → success event / read-back, ms |',
    '|---|---|---:|---:|',
  ];
  for (const config of browserEngines) {
    const entry = matrix[config.key];
    if (entry === undefined) continue;
    for (const workload of Object.keys(browserWorkloads)) {
      const runs = entry[workload];
      if (runs === undefined) continue;
      const ms = (mode) => stats((runs[mode] ?? []).map((r) => r.ms));
      const best = l1Modes.map((mode) => [mode, ms(mode)]).filter(([, s]) => s.n > 0).sort((a, b) => a[1].median - b[1].median)[0];
      const ours = ms('polyfill');
      const byL1 = ratio(ours.median, best?.[1].median);
      const byL0 = ratio(ours.median, ms('L0').median);
      const limit = limitOf(config.key, workload);
      const met = Number.isFinite(byL1) && byL1 <= limit;
      const target = `${entry.label}, ${browserWorkloads[workload].label}: polyfill ÷ best L1`;
      verdicts.push({ target, value: x(byL1), limit: `≤ ${limit.toFixed(2)}×`, met });
      const cells = browserModes.map((mode) => {
        const cell = spread(ms(mode), '', 0);
        return best !== undefined && mode === best[0] ? `**${cell}**` : cell;
      });
      lines.push(`| ${entry.label} ${entry.version} | ${browserWorkloads[workload].label} | ${cells.join(' | ')} | ${x(byL1)} | ${x(byL0)} | ≤ ${limit.toFixed(1)}×: ${met ? 'met' : '**missed**'} |`);
      log(`${config.key.padEnd(8)} ${workload}: L0 ${num(ms('L0').median, 0)}, best L1 (${best?.[0]}) ${num(best?.[1].median, 0)}, polyfill ${num(ours.median, 0)} ms → ÷ best L1 ${x(byL1)} (target ≤ ${limit}×), ÷ L0 ${x(byL0)}`);
      if (best !== undefined) {
        const phase = (mode, get) => num(stats((runs[mode] ?? []).map(get)).median, 0);
        phases.push(
          `| ${entry.label} | ${browserWorkloads[workload].label} | ${phase(best[0], (r) => r.downloadMs)} / ${phase(best[0], (r) => r.ms - r.downloadMs)} | ${phase('polyfill', (r) => r.downloadMs)} / ${phase('polyfill', (r) => r.ms - r.downloadMs)} |`,
        );
      }
    }
    if (entry.errors.length > 0) lines.push(`| ${entry.label} | errors | ${entry.errors.join('; ')} |`);
  }
  lines.push('', 'Bold: the best L1 of the row. Where the time goes (medians; for the polyfill the download ends at the success event, for L1 when its last write committed):', '', ...phases, '');
  lines.push(...reportMemory(memory, verdicts, log), '', ...reportNative(native, verdicts, log));
  return lines;
}

function reportMemory(memory, verdicts, log) {
  const mb = (bytes) => (bytes === undefined || !Number.isFinite(bytes) ? 'n/a' : num(bytes / MiB, 0));
  const lines = [
    `### Memory of a 200 MB download (W-C)`,
    '',
    "One more run per engine and mode, sampled every 100 ms: the browser's process-tree RSS above what it was before the run, and in Chromium the service worker's own JS heap and ArrayBuffer backing stores (CDP `Runtime.getHeapUsage` on the worker target; absolute figures) — as they are, and in a second run *live*, after a garbage collection forced before each sample (what the worker holds, not what the collector has not taken yet). Peaks during the download (until the success event, or L1's last commit) and during the read-back (one `arrayBuffer()` of 200 MB, as for the baseline). L0 has no read-back phase.",
    '',
    '| engine | mode | download: RSS + MiB | worker JS heap MiB | worker ArrayBuffers MiB | read-back: RSS + MiB | worker ArrayBuffers MiB |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  const nameOf = (name) => (name.endsWith(' live') ? `${modeNames[name.slice(0, -5)]}, live` : modeNames[name]);
  for (const config of browserEngines) {
    for (const [name, r] of Object.entries(memory[config.key] ?? {})) {
      if (r.error !== undefined) {
        lines.push(`| ${config.label} | ${nameOf(name)} | ${r.error} | | | | |`);
        continue;
      }
      lines.push(`| ${config.label} | ${nameOf(name)} | ${mb(r.download.rss)} | ${mb(r.download.heapUsed)} | ${mb(r.download.arrayBuffers)} | ${mb(r.readBack.rss)} | ${mb(r.readBack.arrayBuffers)} |`);
    }
  }
  // The body is 200 MB: a worker that held it while downloading would show it in its live ArrayBuffers.
  const ours = memory.chromium?.['polyfill live'];
  const bound = 16 * MiB;
  if (ours?.download?.arrayBuffers !== undefined) {
    const met = ours.download.arrayBuffers <= bound;
    verdicts.push({ target: "Chromium, W-C 1 × 200 MB: the worker's live ArrayBuffers at their peak during the download", value: `${mb(ours.download.arrayBuffers)} MiB`, limit: `≤ ${mb(bound)} MiB`, met });
    log(`memory: Chromium worker live ArrayBuffers during the 200 MB download peak at ${mb(ours.download.arrayBuffers)} MiB (bound ${mb(bound)} MiB)`);
  }
  lines.push(
    '',
    `Target: the worker's live ArrayBuffers during the download stay within ${mb(bound)} MiB — the write buffers (per record about one 1 MB write held and one in flight, plus the chunk being read), not the 200 MB body. The figures as sampled also count garbage the collector takes later; RSS also counts what the browser's own processes hold (IndexedDB, the network service) and is reported only.`,
  );
  return lines;
}

function reportNative(native, verdicts, log) {
  const w = browserWorkloads['W-A'];
  const lines = [
    `### Native Chromium against the forced polyfill (issue 6)`,
    '',
    `${w.label}, a fresh browser per run; time from \`fetch()\` in the page to the service worker's \`backgroundfetchsuccess\` (and to every body read back in it).`,
    '',
    '| engine | version | fetch() → success event, ms | → bodies read, ms | runs | errors |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const config of nativeConfigs) {
    const r = native[config.key];
    lines.push(`| ${r.label} | ${r.version} | ${spread(stats(r.eventMs), '', 0)} | ${spread(stats(r.readMs), '', 0)} | ${r.eventMs.length} | ${r.errors.join('; ')} |`);
  }
  const nativeMs = stats(native['chromium-native'].eventMs);
  const forced = stats(native['chromium-forced'].eventMs);
  if (nativeMs.n === 0 || forced.n === 0) return lines;
  const speedup = ratio(nativeMs.median, forced.median);
  lines.push('', `Speed-up of the forced polyfill over native Chromium (native time ÷ polyfill time, medians): **${x(speedup)}** (target ≥ 2×); per-run range ${x(ratio(nativeMs.min, forced.max))}–${x(ratio(nativeMs.max, forced.min))}.`);
  verdicts.push({ target: 'Browser: forced polyfill vs native Chromium, speed-up', value: x(speedup), limit: '≥ 2.00×', met: speedup >= 2 });
  log(`browser: native ${spread(nativeMs, ' ms', 0)}, forced polyfill ${spread(forced, ' ms', 0)} → speed-up ${x(speedup)} (target ≥ 2×)`);
  return lines;
}
