// `node bench/browserProfile.mjs --workload=W-B --mode=polyfill`: one run of the browser bench in
// Chromium (polyfill forced) with the service worker's CPU profiled over CDP, mapped back to the
// sources through the bench build's source maps. Writes build/bench/profiles/browser-<workload>-<mode>.cpuprofile
// and prints self time per component and the top functions. --mode: polyfill, L0, L1-chunk,
// L1-batched, L1-joined; --interval=µs between samples (default 500); --no-build reuses build/bench/dist.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserSizes, browserWorkloads, measureOnce } from './browser.mjs';
import { benchDist, buildForBench } from './build.mjs';
import { loadHarness } from './lib/harness.mjs';
import { profileTables, summarizeProfile } from './lib/profile.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const workload = arg('workload', 'W-B');
const mode = arg('mode', 'polyfill');
if (!process.argv.includes('--no-build')) await buildForBench();

const server = fork(path.join(here, 'server.mjs'), [], { env: { ...process.env, BENCH_SIZES: browserSizes.join(',') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { port } = await new Promise((resolve) => server.once('message', resolve));
try {
  const profile = await measureOnce(loadHarness(), { engine: 'chromium', mode: 'forced' }, port, mode, browserWorkloads[workload], async (cdp, run) => {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: Number(arg('interval', 500)) });
    await cdp.send('Profiler.start');
    const result = await run();
    const { profile } = await cdp.send('Profiler.stop');
    console.log(`${workload} ${mode}: ${result.ms} ms (download ${result.downloadMs} ms)`);
    return profile;
  });
  // Frames of the build served at /dist/ are the bench build's files, which have source maps.
  for (const node of profile.nodes) {
    const { url } = node.callFrame;
    if (url.includes('/dist/')) node.callFrame.url = path.join(benchDist, url.slice(url.indexOf('/dist/') + '/dist/'.length));
    else if (url.includes('/bench/browser/')) node.callFrame.url = path.join(here, 'browser', url.slice(url.indexOf('/bench/browser/') + '/bench/browser/'.length));
  }
  const dir = path.join(root, 'build', 'bench', 'profiles');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `browser-${workload}-${mode}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`wrote ${path.relative(root, file)}\n`);
  console.log(profileTables(summarizeProfile(file), 25));
} finally {
  server.kill();
}
