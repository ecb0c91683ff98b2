// Part 4: the same 20 × 5 MB through Chromium's native Background Fetch and through the forced
// polyfill (same Chromium, native API present), and through the polyfill in Firefox. Each run is a
// fresh browser (fresh profile) from the project's harness; the page stamps Date.now() just before
// backgroundFetch.fetch(), the service worker stamps its backgroundfetchsuccess the moment it fires
// and again once it has read every body back. Runs are interleaved and rotated.
import { loadHarness } from './lib/harness.mjs';

export const browserWorkload = { files: 20, size: 5 * 1024 * 1024 };
export const browserConfigs = [
  { key: 'chromium-native', engine: 'chromium', mode: 'native', label: 'Chromium, native Background Fetch' },
  { key: 'chromium-forced', engine: 'chromium', mode: 'forced', label: 'Chromium, forced polyfill' },
  { key: 'firefox-polyfill', engine: 'firefox', mode: 'polyfill', label: 'Firefox, polyfill' },
];

async function oneRun(harness, config, port, round) {
  const browser = await harness.launch(config.engine, { native: true, timeoutMs: 60_000, stepTimeoutMs: 60_000 });
  try {
    // localhost (not 127.0.0.1): a secure context, which service workers and Background Fetch need.
    const page = await browser.open(`http://localhost:${port}/bench/browser/index.html?engine=${config.mode}`);
    await page.evaluate('window.ready');
    const id = `bench-${round}`;
    const urls = Array.from({ length: browserWorkload.files }, (_, i) => `/b/${browserWorkload.size}/${config.key}-${round}-${i}`);
    const started = await page.evaluate((id, urls) => window.startFetch(id, urls), id, urls);
    await page.waitFor(`window.reportsFor(${JSON.stringify(id)}).some((e) => e.type === 'read' || e.type === 'read-error' || e.type === 'backgroundfetchfail' || e.type === 'backgroundfetchabort')`, 120_000);
    const reports = await page.evaluate((id) => window.reportsFor(id), id);
    const done = reports.find((e) => e.type === 'backgroundfetchsuccess');
    const read = reports.find((e) => e.type === 'read');
    if (done === undefined || read === undefined) throw new Error(`no success: ${JSON.stringify(reports)}`);
    const expected = browserWorkload.files * browserWorkload.size;
    if (read.bytes !== expected) throw new Error(`read ${read.bytes} bytes, expected ${expected}`);
    return { version: browser.version, eventMs: done.at - started.start, readMs: read.at - started.start, registerMs: started.registered - started.start };
  } finally {
    await browser.close();
  }
}

/** Returns { [key]: { version, eventMs: [], readMs: [], registerMs: [], errors: [] } }. */
export async function runBrowserBench({ port, runs, log }) {
  const harness = loadHarness();
  const results = Object.fromEntries(browserConfigs.map((c) => [c.key, { label: c.label, version: '', eventMs: [], readMs: [], registerMs: [], errors: [] }]));
  const usable = browserConfigs.filter((c) => {
    if (harness.available(c.engine)) return true;
    results[c.key].errors.push(`${c.engine} is not installed here`);
    return false;
  });
  for (let round = 0; round < runs; round++) {
    const order = usable.map((_, i) => usable[(i + round) % usable.length]);
    for (const config of order) {
      const r = results[config.key];
      // A config that failed twice is not tried again, so a broken browser cannot eat the time budget.
      if (r.errors.length >= 2) continue;
      try {
        const run = await oneRun(harness, config, port, round);
        r.version = run.version;
        r.eventMs.push(run.eventMs);
        r.readMs.push(run.readMs);
        r.registerMs.push(run.registerMs);
        log(`  ${config.key.padEnd(17)} run ${round + 1}: fetch() → backgroundfetchsuccess ${run.eventMs} ms, bodies read ${run.readMs} ms`);
      } catch (error) {
        r.errors.push(String(error?.message ?? error).split('\n')[0]);
        log(`  ${config.key.padEnd(17)} run ${round + 1}: FAILED ${r.errors.at(-1)}`);
      }
    }
  }
  return results;
}
