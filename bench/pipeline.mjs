// Per-chunk cost of the pipeline's reducing half (backgroundFetch: countBytes + the guards
// limitDownloadTotal, untilSettled, abortWhen; + the registration view's
// map/distinctUntilChanged/throttleProgress), fed synthetic record events through its fetch
// stage (one record carries the events of all), as the number of records grows. Run in its own process by run.mjs;
// argv[2] = JSON { sizes: [10, ...], chunks, rounds }. Replies { perSize: { [n]: [ns per chunk, one per round] } }.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EMPTY, NEVER, Subject, distinctUntilChanged, map } from 'rxjs';

const job = JSON.parse(process.argv[2] ?? '{}');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.BENCH_DIST ?? path.join(root, 'build', 'bench', 'dist');
const ops = await import(pathToFileURL(path.join(dist, 'operators.js')).href);
const sizes = job.sizes ?? [10, 100, 1000, 10000];
const chunks = job.chunks ?? 200_000;
const rounds = job.rounds ?? 5;
const chunkBytes = 65536;
const head = { url: 'http://x/', status: 200, statusText: 'OK', headers: [['content-type', 'application/octet-stream']] };

/** One pass: n records opened, `chunks` chunk events spread over them; returns ns per chunk event. */
function pass(n) {
  const requests = Array.from({ length: n }, (_, i) => ({ url: `http://x/${i}`, method: 'GET', headers: [], body: null }));
  const events = new Subject();
  let delivered = 0;
  let last;
  const subscription = ops
    .backgroundFetch(
      { id: 'bench', requests, downloadTotal: Number.MAX_SAFE_INTEGER },
      { fetchRecord: ({ index }) => (index === 0 ? events : EMPTY), concurrency: Infinity, abort$: NEVER },
    )
    .pipe(
      map((tally) => tally.state),
      distinctUntilChanged(),
      ops.throttleProgress(100),
    )
    .subscribe((state) => {
      delivered++;
      last = state;
    });
  for (let i = 0; i < n; i++) events.next({ type: 'response', index: i, response: head, offset: 0 });
  const t0 = process.hrtime.bigint();
  for (let c = 0; c < chunks; c++) events.next({ type: 'chunk', index: (c * 7919) % n, bytes: chunkBytes });
  const ns = Number(process.hrtime.bigint() - t0) / chunks;
  for (let i = 0; i < n; i++) events.next({ type: 'settled', index: i, result: 'success' });
  subscription.unsubscribe();
  if (last?.result !== 'success' || last.downloaded !== chunks * chunkBytes) throw new Error(`pipeline ended wrong: ${JSON.stringify(last)} after ${delivered}`);
  return ns;
}

for (const n of sizes) pass(n); // warm up every size once (JIT), untimed
const perSize = Object.fromEntries(sizes.map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round so no size always runs first (or after GC pressure of another).
  const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]);
  for (const n of order) perSize[n].push(pass(n));
}
process.send ? process.send({ perSize }, () => process.exit(0)) : console.log(perSize);
