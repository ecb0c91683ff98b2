// Part 4: browsers. Every run is a fresh browser (fresh profile) from the project's harness, with
// one service worker (bench/browser/sw.js) that has the polyfill and the no-library baselines
// (bench/browser/baselines.js).
// - The matrix (issue 15): per engine (Firefox ESR, Chromium with the polyfill forced, WebKitGTK)
//   and workload (W-A 20 × 5 MB, W-B 200 × 16 KB, W-C 1 × 200 MB), one browser per round runs
//   L0, the three L1 variants and the polyfill, in an order rotated per round. Polyfill = the
//   page's backgroundFetch.fetch() until the worker has read every body back in
//   backgroundfetchsuccess; a baseline = the page's postMessage until the worker has read every
//   body back (L0: until every body was read). Each run waits for the last one's clean-up.
// - Memory (issue 15): W-C once more per engine for L0, L1-joined and the polyfill, sampled every
//   100 ms: the browser's process-tree RSS, and in Chromium the worker's JS heap and ArrayBuffer
//   backing stores (CDP Runtime.getHeapUsage on the service worker target), as they are and, in a
//   second run, live (after a garbage collection forced before each sample).
// - Native (issue 6): W-A through Chromium's native Background Fetch and the forced polyfill.
import { readFileSync } from 'node:fs';
import { loadHarness } from './lib/harness.mjs';

const MiB = 1024 * 1024;
export const browserWorkloads = {
  'W-A': { files: 20, size: 5 * MiB, label: 'W-A 20 × 5 MB' },
  'W-B': { files: 200, size: 16 * 1024, label: 'W-B 200 × 16 KB' },
  'W-C': { files: 1, size: 200 * MiB, label: 'W-C 1 × 200 MB' },
};
export const browserModes = ['L0', 'L1-chunk', 'L1-batched', 'L1-joined', 'polyfill'];
export const browserEngines = [
  { key: 'firefox', engine: 'firefox', mode: 'polyfill', label: 'Firefox ESR' },
  { key: 'chromium', engine: 'chromium', mode: 'forced', label: 'Chromium, polyfill forced' },
  { key: 'webkit', engine: 'webkit', mode: 'polyfill', label: 'WebKitGTK' },
];
export const nativeConfigs = [
  { key: 'chromium-native', engine: 'chromium', mode: 'native', label: 'Chromium, native Background Fetch' },
  { key: 'chromium-forced', engine: 'chromium', mode: 'forced', label: 'Chromium, forced polyfill' },
];
/** Sizes the bench server should have ready. */
export const browserSizes = [...new Set(Object.values(browserWorkloads).map((w) => w.size))];
const memoryModes = ['L0', 'L1-joined', 'polyfill'];
const runLimitMs = 180_000;

async function openBench(harness, engine, mode, port) {
  const browser = await harness.launch(engine, { native: true, timeoutMs: 60_000, stepTimeoutMs: runLimitMs });
  try {
    // localhost (not 127.0.0.1): a secure context, which service workers and Background Fetch need.
    const page = await browser.open(`http://localhost:${port}/bench/browser/index.html?engine=${mode}`);
    await page.evaluate('window.ready');
    return { browser, page };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** One measured run in an open bench page: { ms, downloadMs, version }; rejects unless every byte was read back. */
async function measure(page, mode, id, workload) {
  const urls = Array.from({ length: workload.files }, (_, i) => `/b/${workload.size}/${id}-${i}`);
  const baseline = mode !== 'polyfill';
  const started = baseline
    ? await page.evaluate((id, mode, urls) => window.startBaseline(id, mode, urls), id, mode, urls)
    : await page.evaluate((id, urls) => window.startFetch(id, urls), id, urls);
  const reports = await page.evaluate((id, baseline) => window.finished(id, baseline), id, baseline);
  const read = reports.find((e) => e.type === 'read');
  const downloaded = reports.find((e) => e.type === (baseline ? 'downloaded' : 'backgroundfetchsuccess'));
  if (read === undefined || downloaded === undefined) throw new Error(`${mode}: no success: ${JSON.stringify(reports).slice(0, 300)}`);
  const expected = workload.files * workload.size;
  if (read.bytes !== expected) throw new Error(`${mode}: read ${read.bytes} bytes, expected ${expected}`);
  // The polyfill's clean-up (removing the fetch from its store) must not run into the next run.
  if (!baseline) await page.evaluate('window.polyfillStoreEmpty()');
  return {
    start: started.start,
    ms: read.at - started.start,
    downloadMs: downloaded.at - started.start,
    registerMs: baseline ? 0 : started.registered - started.start,
    downloadedAt: downloaded.at,
    readAt: read.at,
  };
}

/** Process-tree RSS of a browser session, bytes. */
function rssOf(browser) {
  let total = 0;
  for (const pid of browser.processIds()) {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // the process ended
    }
  }
  return total;
}

/** In Chromium, a CDP session on the service worker's target, else null. */
async function workerSession(browser) {
  // The harness keeps its puppeteer Browser in a private field; the bench is plain JS and reads it.
  const puppeteer = browser.engine === 'chromium' ? browser.browser : undefined;
  if (puppeteer === undefined) return null;
  const target = await puppeteer.waitForTarget((t) => t.type() === 'service_worker', { timeout: 10_000 }).catch(() => undefined);
  return target === undefined ? null : target.createCDPSession();
}

/**
 * One run of `mode` in a fresh Chromium bench page, `withWorker(cdp, run, browser)` given the
 * worker's CDP session, the run to start and the browser session (bench/browserProfile.mjs
 * profiles it); resolves with what it returns.
 */
export async function measureOnce(harness, config, port, mode, workload, withWorker) {
  const { browser, page } = await openBench(harness, config.engine, config.mode, port);
  try {
    const cdp = await workerSession(browser);
    if (cdp === null) throw new Error(`${config.engine}: no service worker target to attach to`);
    return await withWorker(cdp, () => measure(page, mode, `once-${mode}`, workload), browser);
  } finally {
    await browser.close();
  }
}

/**
 * W-C once, sampled every 100 ms: peaks during the download and during the read-back. With
 * `live` (Chromium), each sample first has the worker collect its garbage, so the figures are
 * what it holds, not what the collector has not taken yet.
 */
async function memoryRun(harness, config, mode, port, live = false) {
  const { browser, page } = await openBench(harness, config.engine, config.mode, port);
  try {
    const cdp = await workerSession(browser);
    const samples = [];
    const sample = async () => {
      if (live) await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
      const usage = cdp === null ? null : await cdp.send('Runtime.getHeapUsage').catch(() => null);
      samples.push({ at: Date.now(), rss: rssOf(browser), heapUsed: usage?.usedSize, arrayBuffers: usage?.backingStorageSize });
    };
    await sample();
    const before = samples[0];
    let sampling = true;
    const loop = (async () => {
      while (sampling) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await sample();
      }
    })();
    const run = await measure(page, mode, `mem-${config.key}-${mode}-${live}`, browserWorkloads['W-C']).finally(() => (sampling = false));
    await loop;
    const peak = (from, to, field) => {
      const values = samples.filter((s) => s.at >= from && s.at <= to && s[field] !== undefined).map((s) => s[field]);
      return values.length === 0 ? undefined : Math.max(...values);
    };
    const phase = (from, to) => ({
      rss: peak(from, to, 'rss') === undefined ? undefined : peak(from, to, 'rss') - before.rss,
      heapUsed: peak(from, to, 'heapUsed'),
      arrayBuffers: peak(from, to, 'arrayBuffers'),
    });
    return {
      version: browser.version,
      ms: run.ms,
      before: { rss: before.rss, heapUsed: before.heapUsed, arrayBuffers: before.arrayBuffers },
      download: phase(run.start, run.downloadedAt),
      readBack: phase(run.downloadedAt, run.readAt),
      samples: samples.length,
    };
  } finally {
    await browser.close();
  }
}

/** The issue-6 comparison: W-A through native Background Fetch or the forced polyfill, one fresh browser per run. */
async function nativeRun(harness, config, port, round) {
  const { browser, page } = await openBench(harness, config.engine, config.mode, port);
  try {
    const run = await measure(page, 'polyfill', `native-${config.key}-${round}`, browserWorkloads['W-A']);
    return { version: browser.version, eventMs: run.downloadMs, readMs: run.ms };
  } finally {
    await browser.close();
  }
}

/**
 * Runs the matrix, the memory runs and the native comparison. Returns
 * { matrix: { [engine]: { label, version, errors, [workload]: { [mode]: [{ ms, downloadMs }] } } },
 *   memory: { [engine]: { [mode]: result | { error } } }, native: { [key]: { label, version, eventMs: [], readMs: [], errors } } }.
 */
export async function runBrowserBench({ port, runs, log, only = {} }) {
  const harness = loadHarness();
  const engines = browserEngines.filter((c) => only.engines === undefined || only.engines.has(c.key));
  const workloads = Object.keys(browserWorkloads).filter((w) => only.workloads === undefined || only.workloads.has(w));
  const matrix = Object.fromEntries(engines.map((c) => [c.key, { label: c.label, version: '', errors: [] }]));
  const usable = engines.filter((c) => {
    if (harness.available(c.engine)) return true;
    matrix[c.key].errors.push(`${c.engine} is not installed here`);
    return false;
  });
  for (let round = 0; round < runs; round++) {
    for (let e = 0; e < usable.length; e++) {
      const config = usable[(e + round) % usable.length];
      const entry = matrix[config.key];
      for (let w = 0; w < workloads.length; w++) {
        const key = workloads[(w + round) % workloads.length];
        // An engine that failed three times is not tried again, so a broken browser cannot eat the time budget.
        if (entry.errors.length >= 3) continue;
        let opened;
        try {
          opened = await openBench(harness, config.engine, config.mode, port);
          entry.version = opened.browser.version;
          const line = [];
          for (let m = 0; m < browserModes.length; m++) {
            const mode = browserModes[(m + round) % browserModes.length];
            const run = await measure(opened.page, mode, `${config.key}-${key}-${mode}-${round}`, browserWorkloads[key]);
            ((entry[key] ??= {})[mode] ??= []).push(run);
            line.push(`${mode} ${run.ms}`);
          }
          log(`  ${config.key.padEnd(8)} ${key} round ${round + 1}: ${line.join(', ')} ms`);
        } catch (error) {
          entry.errors.push(`${key}: ${String(error?.message ?? error).split('\n')[0]}`);
          log(`  ${config.key.padEnd(8)} ${key} round ${round + 1}: FAILED ${entry.errors.at(-1)}`);
        } finally {
          await opened?.browser.close().catch(() => undefined);
        }
      }
    }
  }

  const memory = {};
  if (only.memory !== false && workloads.includes('W-C')) {
    const mb = (bytes) => (bytes === undefined ? 'n/a' : (bytes / MiB).toFixed(0));
    for (const config of usable) {
      memory[config.key] = {};
      const kinds = config.engine === 'chromium' ? [false, true] : [false];
      for (const live of kinds) {
        for (const mode of memoryModes) {
          const name = live ? `${mode} live` : mode;
          try {
            const r = (memory[config.key][name] = await memoryRun(harness, config, mode, port, live));
            log(`  memory ${config.key.padEnd(8)} W-C ${name.padEnd(14)}: download peak RSS +${mb(r.download.rss)} MiB` +
              (r.download.arrayBuffers === undefined ? '' : `, worker heap ${mb(r.download.heapUsed)} MiB, ArrayBuffers ${mb(r.download.arrayBuffers)} MiB`) +
              `; read-back peak RSS +${mb(r.readBack.rss)} MiB`);
          } catch (error) {
            memory[config.key][name] = { error: String(error?.message ?? error).split('\n')[0] };
            log(`  memory ${config.key} ${name}: FAILED ${memory[config.key][name].error}`);
          }
        }
      }
    }
  }

  const native = Object.fromEntries(nativeConfigs.map((c) => [c.key, { label: c.label, version: '', eventMs: [], readMs: [], errors: [] }]));
  if (only.native !== false && harness.available('chromium')) {
    for (let round = 0; round < runs; round++) {
      const order = nativeConfigs.map((_, i) => nativeConfigs[(i + round) % nativeConfigs.length]);
      for (const config of order) {
        const r = native[config.key];
        if (r.errors.length >= 2) continue;
        try {
          const run = await nativeRun(harness, config, port, round);
          r.version = run.version;
          r.eventMs.push(run.eventMs);
          r.readMs.push(run.readMs);
          log(`  ${config.key.padEnd(17)} run ${round + 1}: fetch() → backgroundfetchsuccess ${run.eventMs} ms, bodies read ${run.readMs} ms`);
        } catch (error) {
          r.errors.push(String(error?.message ?? error).split('\n')[0]);
          log(`  ${config.key.padEnd(17)} run ${round + 1}: FAILED ${r.errors.at(-1)}`);
        }
      }
    }
  }
  return { matrix, memory, native };
}
