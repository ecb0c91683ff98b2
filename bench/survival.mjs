// `npm run bench -- --only=survival`: how long a download goes on once every page of the origin
// has closed while the browser keeps running. Per engine, a fresh browser (the project's harness)
// keeps an about:blank tab open, a page starts a long download that the server paces slowly, then
// the page closes and the server logs what it sends for the watch window. Then the page opens
// again with the pace lifted: the download should resume with Range from the byte it had reached
// and finish; the worker uploads the file and the server checks it byte for byte.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadHarness } from './lib/harness.mjs';
import { startSurvivalServer } from './survivalServer.mjs';
import { bytesPerSecond, survivalFigures } from './survivalTimeline.mjs';

const MB = 1_000_000;

export const survivalWorkload = {
  size: 200 * MB,
  bytesPerSecond: 0.5 * MB,
  // The page closes once the library has counted this much: the download really runs by then.
  closeAfterBytes: 2 * MB,
  // After reopening, how long the download may take to finish at full speed.
  finishMs: 4 * 60_000,
};

export const survivalConfigs = [
  { key: 'firefox', engine: 'firefox', mode: 'polyfill', label: 'Firefox ESR (polyfill)' },
  { key: 'chromium-forced', engine: 'chromium', mode: 'forced', label: 'Chromium (polyfill forced)' },
  { key: 'webkit', engine: 'webkit', mode: 'polyfill', label: 'WebKitGTK (polyfill)' },
  { key: 'chromium-native', engine: 'chromium', mode: 'native', label: 'Chromium, native Background Fetch (reference)' },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

/** Polls the page's view of fetch `id` every second until `done(standing)`; resolves with the last one read. */
async function standingWhen(page, id, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const standing = await page.evaluate((fetchId) => window.standing(fetchId), id);
    if (done(standing) || Date.now() > deadline) return standing;
    await sleep(1_000);
  }
}

/** Runs one engine; resolves with its figures (see survivalTimeline.mjs) plus what the pages saw. */
async function oneRun(harness, server, config, { watchMs, log, seriesDir }) {
  const { size } = survivalWorkload;
  const id = 'survival';
  const media = server.mediaURL(config.key);
  const pageURL = `${server.url}/bench/survival/index.html?engine=${config.mode}`;
  const record = server.log(config.key);
  // Chromium: a real profile (the default context), as a user's browser has; incognito keeps storage in memory.
  const browser = await harness.launch(config.engine, { persistent: true, timeoutMs: 60_000, stepTimeoutMs: 60_000 });
  try {
    // The tab that keeps the browser running once the origin's pages are gone.
    await browser.open('about:blank');
    server.setRate(survivalWorkload.bytesPerSecond);
    const page = await browser.open(pageURL);
    await page.evaluate('window.ready');
    const startedAt = Date.now();
    await page.evaluate((fetchId, url, total) => window.start(fetchId, url, total), id, media, size);
    const atClose = await standingWhen(page, id, (s) => s?.downloaded >= survivalWorkload.closeAfterBytes, 60_000);
    if (!(atClose?.downloaded >= survivalWorkload.closeAfterBytes)) throw new Error(`the download did not get going in 60 s: ${JSON.stringify(atClose)}`);
    await page.close();
    const closedAt = Date.now();
    log(`  ${config.key}: ${browser.version}; page closed at ${mb(atClose.downloaded)}; watching for ${watchMs / 1000} s`);

    for (let tick = 1; Date.now() - closedAt < watchMs && record.verified === undefined; tick++) {
      await sleep(Math.max(0, closedAt + tick * 10_000 - Date.now()));
      const lastTen = bytesPerSecond(record.writes, Date.now() - 10_000, Date.now()).reduce((a, b) => a + b, 0);
      const sent = record.writes.reduce((sum, write) => sum + write.bytes, 0);
      log(`  ${config.key} +${Math.round((Date.now() - closedAt) / 1000)} s: ${mb(lastTen / 10)}/s over the last 10 s, ${mb(sent)} sent in all`);
    }

    const reopenedAt = Date.now();
    server.setRate(0);
    const again = await browser.open(pageURL);
    await again.evaluate('window.ready');
    const standing = await standingWhen(again, id, (s) => record.verified !== undefined || s?.result === 'failure', survivalWorkload.finishMs);
    const endedAt = Date.now();
    const outcome = record.verified === undefined ? `not back: ${JSON.stringify(standing)}` : record.verified.equal ? 'byte-exact' : 'NOT byte-exact';
    log(`  ${config.key}: reopened; ${outcome} after ${Math.round((endedAt - reopenedAt) / 1000)} s`);
    const series = bytesPerSecond(record.writes, startedAt, endedAt);
    const offset = Math.round((closedAt - startedAt) / 1000);
    writeFileSync(path.join(seriesDir, `${config.key}.csv`), ['second after the page closed,bytes sent', ...series.map((bytes, i) => `${i - offset},${bytes}`)].join('\n') + '\n');
    return {
      version: browser.version,
      watchedFor: (reopenedAt - closedAt) / 1000,
      countedAtClose: atClose.downloaded,
      standing,
      verified: record.verified,
      requests: record.requests.map(({ at, range, status }) => ({ after: (at - closedAt) / 1000, range, status })),
      ...survivalFigures(record, { closedAt, reopenedAt, size }),
    };
  } finally {
    await browser.close();
  }
}

/**
 * Runs the engines whose keys are in `only` in turn (one browser at a time), watching each for
 * `watchMs` after its page closed. Resolves with `{ [key]: { label, error } | { label, ...figures } }`.
 * Writes the bytes sent per second of each engine to `<seriesDir>/<key>.csv`, and the results
 * with every request the server saw to `<seriesDir>/results.json`.
 */
export async function runSurvival({ watchMs, log, seriesDir, only }) {
  const harness = loadHarness();
  mkdirSync(seriesDir, { recursive: true });
  const server = await startSurvivalServer(survivalWorkload);
  const results = {};
  try {
    for (const config of survivalConfigs.filter((c) => only.has(c.key))) {
      if (!harness.available(config.engine)) {
        results[config.key] = { label: config.label, error: `${config.engine} is not installed here` };
        continue;
      }
      try {
        results[config.key] = { label: config.label, ...(await oneRun(harness, server, config, { watchMs, log, seriesDir })) };
      } catch (error) {
        results[config.key] = { label: config.label, error: String(error?.message ?? error).split('\n')[0] };
        log(`  ${config.key}: FAILED ${results[config.key].error}`);
      }
    }
  } finally {
    await server.close();
  }
  writeFileSync(path.join(seriesDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  return results;
}
