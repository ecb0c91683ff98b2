// The hot spots found by profiling, with the fix proposed for each. The evidence lines are
// computed from THIS run's profiles (so a finding that a fix removed shows up as "not seen");
// the "tried on a scratch copy" figures are from one-off experiments (bench/compare.mjs on a
// patched copy of the repo), dated, and are not re-measured by `npm run bench`.

const sum = (list) => list.reduce((a, b) => a + b, 0);

/** Inclusive ms of library frames whose name and location match. */
function inclusiveMs(summary, name, where) {
  if (summary === undefined) return NaN;
  return sum(summary.inclusive.filter((f) => (name === undefined || f.name === name) && (where === undefined || f.where.includes(where))).map((f) => f.ms));
}

/** Self ms of functions matching, optionally only those whose nearest library caller matches `via`. */
function selfMs(summary, name, via) {
  if (summary === undefined) return NaN;
  return sum(summary.functions.filter((f) => f.name === name && (via === undefined || f.via.includes(via))).map((f) => f.selfMs));
}

function componentMs(summary, component) {
  return summary?.components.find((c) => c.component === component)?.selfMs ?? 0;
}

/** `node:internal/deps/undici/undici:N`, the function of Node's own undici whose source line N holds `text`. */
function undiciFrame(text) {
  try {
    const source = process.binding('natives')['internal/deps/undici/undici'];
    const index = source.split('\n').findIndex((line) => line.includes(text));
    return index < 0 ? undefined : `node:internal/deps/undici/undici:${index}`;
  } catch {
    return undefined;
  }
}

/** Self ms of the function at exactly `where`. */
function selfAt(summary, where) {
  if (summary === undefined || where === undefined) return NaN;
  return sum(summary.functions.filter((f) => f.where === where).map((f) => f.selfMs));
}

const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'n/a');
const pct = (x, of) => (Number.isFinite(x) && of > 0 ? `${((100 * x) / of).toFixed(1)}%` : 'n/a');

function median(values) {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** "download phase = N× the whole baseline, read-back = M ms (P% of our wall)" for one workload. */
function phase(nodeSamples, key) {
  const ours = nodeSamples?.[`${key}/memory`];
  const base = nodeSamples?.[`${key}/baseline`];
  if (ours === undefined || base === undefined) return `${key}: n/a`;
  const event = median(ours.map((r) => r.eventMs));
  const readback = median(ours.map((r) => r.wallMs - r.eventMs));
  const share = median(ours.map((r) => (r.wallMs - r.eventMs) / r.wallMs));
  return `${key}: download ${(event / median(base.map((r) => r.wallMs))).toFixed(2)}× the whole plain-fetch run, then ${readback.toFixed(0)} ms of read-back (${(100 * share).toFixed(0)}% of our wall time)`;
}

export function hotSpots({ profiles, nodeSamples, scale }) {
  const w1 = profiles['W1/memory'];
  const w2 = profiles['W2/memory'];
  const w3 = profiles['W3/memory'];
  const w1r = profiles['W1/memory readback'];
  const w3r = profiles['W3/memory readback'];
  const w2b = profiles['W2/baseline'];
  const lines = ['## Hot spots and proposed fixes', ''];
  if (w2 === undefined && w3 === undefined) {
    lines.push('(No profiles in this run: run without --no-profile.)', '');
    return lines;
  }
  lines.push(
    'Each finding names what dominates (from the profiles above, figures recomputed from this run) and the fix. "Tried on a scratch copy" and "Done … measured" figures come from `node bench/compare.mjs --b=<patched copy>` runs on 2026-11-24 (5 interleaved runs each, same machine; CPU time is quoted because wall time on this shared machine varied ±40% between runs); they are not part of this run.',
    '',
  );

  // 1. Read-back.
  const readbackW3 = w3r?.busyMs;
  const copyW3 = selfMs(w3r, '_copyActual');
  const gcW3 = componentMs(w3r, 'GC');
  // undici's Response.prototype.arrayBuffer: `consumeBody(this, (bytes) => new Uint8Array(bytes).buffer)`.
  const secondCopy = undiciFrame('return new Uint8Array(bytes).buffer;');
  const copy2W3 = selfAt(w3r, secondCopy);
  lines.push(
    '### 1. W1/W3: reading the bodies back after the download (`src/engine/recordResponse.ts`, `bodyStream` + the app\'s `arrayBuffer()`)',
    '',
    `- **What dominates.** The wall-time split in section 1 (${phase(nodeSamples, 'W1')}; ${phase(nodeSamples, 'W3')}): the read-back in \`backgroundfetchsuccess\` comes on top of the download, serially, with the server idle, while the baseline concatenates each body as the other downloads go on. In the W3 read-back window of the profile (${ms(readbackW3)} busy): the one copy of the stored chunks (\`concat\` in recordResponse.ts) ${ms(selfMs(w3r, 'concat'))}, GC ${ms(gcW3)}; what is left of undici's stream path (\`_copyActual\` under \`readAllBytes\` ${ms(copyW3)}, its second copy at ${secondCopy ?? 'undici'} ${ms(copy2W3)}) should be near zero. W1 read-back window: ${ms(w1r?.busyMs)} busy, \`concat\` ${ms(selfMs(w1r, 'concat'))}, GC ${ms(componentMs(w1r, 'GC'))}.`,
    '- **Done** (2026-11-24, `readWholeOnceSettled` in recordResponse.ts): once its record has settled and while the body is untouched, a response\'s `arrayBuffer()`, `text()` and `json()` cancel the body (so it counts as used: a second read rejects `TypeError`, `clone()` throws) and concatenate the stored chunks once; a record still downloading, or a body locked, read or teed away, takes the stream. The body stream no longer reads ahead (`highWaterMark: 0`), so building a `Response` does not read the store. Before, Node\'s `Response.arrayBuffer()` copied every byte twice (`Buffer.concat`, then `new Uint8Array(bytes).buffer`): 211 + 134 ms of a 437 ms W3 read-back. Measured with bench/compare.mjs (5 interleaved runs, medians): W3 CPU 1550 → 1108 ms, wall 1616 → 1265 ms; W1 CPU 635 → 578 ms, wall 469 → 429 ms.',
    '- **Next.** The read-back still runs after the last byte arrives, and still copies once. The memory store could keep a record\'s chunks in one buffer pre-sized from `Content-Length`, so that the read is a single `slice()`; `bytes()`/`blob()` could take the same path.',
    '',
  );

  // 2. ky.
  const kyIncl = inclusiveMs(w2, 'ky', 'node_modules/ky/');
  const kySelf = componentMs(w2, 'ky');
  const kyTimeout = inclusiveMs(w2, 'timeout', 'ky/distribution/utils/timeout.js');
  const bound = inclusiveMs(w2, 'boundFetch');
  lines.push(
    '### 2. W2: ky on every request (`src/transport/kyTransport.ts`)',
    '',
    `- **What dominates.** W2 is per-request overhead: ours spends ${ms(w2?.busyMs)} busy against ${ms(w2b?.busyMs)} for plain fetch. ky's synchronous part per call (\`ky()\` → \`Ky.create\` → \`new Ky\`: option merging, a second \`new Request(request, options)\`, \`AbortSignal.any\`) is ${ms(kyIncl)} inclusive; ky's self time ${ms(kySelf)}; its timeout wrapper around \`fetch\` adds ${ms(kyTimeout - bound)} over \`fetch\` itself. ky is also the second-largest part of the bundle (section 5).`,
    '- **Fix.** Replace ky with a purpose-built transport: the library uses only GET retries on network errors and listed statuses, `Retry-After` on 413/429/503, capped backoff, a per-attempt header timeout, and "return the bad-status response". Pass the `Request` through unchanged (GET has no body, so a retry can reuse it; no clone), one `AbortSignal.any([signal, timeout])` per attempt. bench/size-variants/ky-lite.mjs is such a transport in 50 lines.',
    '- **Tried on a scratch copy** (that transport in place of `createKyTransport`): W2 CPU 2315 → 1870 ms (−19%), wall −27%; W1 unchanged (not per-request bound). Bundle: −4.1 KB gzip (section 5).',
    `- **Same cause at scale.** The 100-registrations figure (section 2) is 1,000 small requests, 400 at once: its profile has the same shape (ky inclusive ${ms(inclusiveMs(profiles['many/ours'], 'ky', 'node_modules/ky/'))}, \`runRecord\` ${ms(inclusiveMs(profiles['many/ours'], 'runRecord', 'operators/httpRecord.ts'))}, GC ${ms(componentMs(profiles['many/ours'], 'GC'))}), so findings 2–4 apply to it too.`,
    '',
  );

  // 3. dispose abort.
  const dispose = inclusiveMs(w2, 'dispose', 'operators/httpRecord.ts');
  const undiciAbort = selfMs(w2, 'abort', undefined);
  lines.push(
    '### 3. W2: aborting every finished attempt (`operators/httpRecord.ts`, `linkedController().dispose`)',
    '',
    `- **What dominated.** \`dispose()\` ran after every attempt, successful ones included, and called \`controller.abort(attemptEnded)\`: that fired \`abort\` through the attempt signal and on into undici's own request signals (\`abort\` → \`abortSignal\` → \`Event\` → \`dispatchEvent\`) for requests already complete (142 ms inclusive, 6.1% of W2's busy time, before). Now ${ms(dispose)} inclusive in W2 (${pct(dispose, w2?.busyMs)}).`,
    '- **Done** (2026-11-24): `attempt.drained()` after `readBody()` returns; `dispose` then only removes the parent listener (a body read to the end has already released its connection). Measured together with finding 4\'s stall-timer and `track` changes (bench/compare.mjs, 5 interleaved runs, medians): W2 CPU 2126 → 1984 ms, wall 1542 → 1391 ms; W1 CPU 749 → 657 ms, wall 525 → 435 ms; W3 CPU 1106 → 1074 ms, wall unchanged (771 → 767 ms). An earlier scratch try of this fix alone was within noise.',
    '',
  );

  // 4. Per-chunk pipeline and GC.
  // Not src/: its self time in W1/W3 is now mostly the read-back's one copy (finding 1).
  const rx = (s) => componentMs(s, 'rxjs') + componentMs(s, 'ours: operators/');
  const guarded = inclusiveMs(w3, undefined, 'src/engine/guardedSink.ts');
  lines.push(
    '### 4. W1/W3: per-chunk work and garbage (`operators/httpRecord.ts` `readBody`, `src/engine/guardedSink.ts`, `operators/countBytes.ts`, `FetchJob.tally$`)',
    '',
    `- **What dominates.** Per stored chunk (~60 KB each, ~1,600 for W1, ~4,400 for W3) the record awaits \`guardSink.write\` (the store's async write, counted by \`track\`), and the tally goes through scan → limitDownloadTotal → takeWhile → abortWhen → BehaviorSubject → each view's map/distinctUntilChanged/throttle. rxjs + operators/ self time: W1 ${ms(rx(w1))}, W3 ${ms(rx(w3))}; \`guardedSink.ts\` inclusive in W3 ${ms(guarded)}; the stall timer (\`check\` in \`readBody\`, now one timer per body checked when it fires) W1 ${ms(inclusiveMs(w1, 'check', 'operators/httpRecord.ts'))}, W3 ${ms(inclusiveMs(w3, 'check', 'operators/httpRecord.ts'))} inclusive; GC W1 ${ms(componentMs(w1, 'GC'))} against ${ms(componentMs(profiles['W1/baseline'], 'GC'))} for plain fetch, W3 ${ms(componentMs(w3, 'GC'))} against ${ms(componentMs(profiles['W3/baseline'], 'GC'))}.`,
    '- **Done** (2026-11-24; measured with finding 3): `track` keeps a count of pending writes and hands the caller its one chained promise (no `Set` entry and no extra `.then` per chunk); the stall timer is one `setTimeout` per body, checked when it fires against when the pending read began, instead of clearTimeout + setTimeout per chunk.',
    '- **Next.** In `countBytes`, mutate one record slot and emit a tally whose `state` object is only rebuilt when a listener can see it (the throttled view) — or batch chunk events per macrotask: the rest of the per-chunk allocations that drive the extra GC.',
    '',
  );

  // 5. match() on a big registration.
  const one = scale?.one?.['one-ours'];
  const floor = scale?.one?.['one-baseline'];
  if (one !== undefined && floor !== undefined) {
    const m = median(one.map((r) => r.matchLastMs));
    const f = median(floor.map((r) => r.matchLastMs));
    lines.push(
      '### 5. Scale: `match()` is a linear scan (`src/matchRequest.ts`, called from `FetchJob` `#matchAll`)',
      '',
      `- **What dominates.** The first \`match()\` of the last of 10,000 URLs (what section 2 times) takes ${m.toFixed(1)} ms against ${f.toFixed(1)} ms for building the query and scanning 10,000 URL strings: it parses every stored URL once (${((1000 * m) / 10_000).toFixed(1)} µs per record) to make their match keys.`,
      '- **Done** (2026-11-24): the query\'s key (URL without fragment, and without search for `ignoreSearch`) is made once per call, each stored URL\'s key once per fetch (`FetchJob` `#storedKeys`, per `ignoreSearch`); later calls compare strings (spec/perf/match.spec.ts: a second `match()` parses no stored URL). Before, every call parsed two URLs per record (31 ms, 24.8× the scan).',
      '- **Next.** A `Map` from key to record indices built on the first `match()` would make a lookup O(1) plus the `Vary` check of the candidates; the first call would still parse every stored URL.',
      '',
    );
  }

  // 6. IndexedDB, reported only.
  const idb = profiles['W2/indexeddb'];
  if (idb !== undefined) {
    const fake = componentMs(idb, 'fake-indexeddb');
    lines.push(
      '### 6. IndexedDB store (reported only)',
      '',
      `- In W2 with fake-indexeddb, the fake-indexeddb package itself takes ${ms(fake)} self time (${pct(fake, idb.busyMs)} of ${ms(idb.busyMs)} busy): each chunk is its own readwrite transaction (\`sink.write\` → \`writeRows\`, plus a structured clone of the chunk), and \`settleRecord\` reads the record row back before writing it. In browsers the same design costs one IDB transaction per chunk. Batching a record's chunks (write every ~1 MB or on a timer, and in \`settleRecord\` reuse the row the sink already holds) cuts the transaction count by one to two orders of magnitude.`,
      '',
    );
  }
  return lines;
}

/** "Bundle size: ways to cut", from this run's size measurements. */
export function sizeCuts(size) {
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  const target = 14 * 1024;
  const group = (prefix) => size.groups.filter((g) => g.group.startsWith(prefix));
  const gz = (list) => list.reduce((a, g) => a + g.gzipMarginal, 0);
  const variant = (start) => size.variants.find((v) => v.name.startsWith(start));
  const asIs = size.variants[0]?.gzip ?? size.polyfill.gzip;
  const saved = (start) => {
    const v = variant(start);
    return v === undefined ? 'n/a' : `${asIs - v.gzip} B`;
  };
  const all = size.variants.at(-1)?.gzip ?? NaN;
  const afterMeasured = all - size.strings.gzipSaved;
  const polyfillOnly = gz(group('ours: src/polyfill/'));
  const ours = gz(group('ours:'));
  return [
    '## Bundle size: ways to cut',
    '',
    `Today: ${kb(size.polyfill.gzip)} gzip against a 14 KB target, a gap of ${kb(size.polyfill.gzip - target)}. By the source-map accounting above, our own code costs ${kb(ours)} of it (marginal gzip, all our groups together), rxjs ${kb(gz(group('rxjs')))} (+ tslib ${kb(gz(group('tslib')))}, which only the ES5 build of rxjs pulls in), ky ${kb(gz(group('ky')))}, idb-keyval ${kb(gz(group('idb-keyval')))}.`,
    '',
    'Measured cuts (each built, section 5):',
    '',
    `1. **Replace ky with a purpose-built transport** (${saved('ky replaced')} gzip; also finding 2's CPU win on many small files). The library uses a small, fixed part of ky; bench/size-variants/ky-lite.mjs does it in 50 lines.`,
    `2. **Resolve rxjs's ES2015 build** (${saved('rxjs ES2015')} gzip): in rollup.config.mjs, \`nodeResolve({ browser: true, exportConditions: ['es2015'] })\` for the browser files. rxjs's default export condition is its ES5 build, with \`__extends\`/\`__values\`/\`__read\` helpers from tslib and function-style classes; the library targets ES2022 anyway.`,
    `3. **Error and warning messages as short codes in the minified browser files** (${size.strings.gzipSaved} B gzip for the ${size.strings.count} literals ≥ 24 characters): keep the full messages in the package builds and swap them for codes (e.g. \`"RXBF12"\`, with the text in the docs) in the IIFE through a build-time replace, or move them into one messages module that the IIFE build swaps out.`,
    `4. Terser tuning is not worth it (${saved('terser tuned')} gzip).`,
    '',
    `Together: ${kb(all)} measured for 1 + 2 + 4, about ${kb(afterMeasured)} with 3. That still leaves ${kb(afterMeasured - target)} over 14 KB, which only a structural change closes:`,
    '',
    `5. **Split the polyfill by where it runs.** One file now carries both sides: the page needs \`install()\`, the remote backend and the mirrored registrations; the service worker needs the engine, both stores and the transport. The page-side code alone (src/polyfill/ is ${kb(polyfillOnly)}; the manager/registration/event classes in src/*.ts ${kb(gz(group('ours: src/*.ts')))}) plus the part of rxjs it uses (Observable, Subject) would be well under 14 KB, and the worker file would lose the page mirror. This needs the page's Web Locks fallback (downloads in a page when the worker has not installed the polyfill) to load the engine lazily (\`import()\` in the ESM build, a second script in the IIFE), so it is a design change for whoever owns src/polyfill/.`,
    `6. **Trim our own code** (${kb(ours)}): after the messages, the rest is logic; the largest modules are ${size.ourFiles.slice(0, 6).map((f) => `${f.file} (${f.bytes} B minified)`).join(', ')}. This is the long tail after 1–5.`,
    '',
  ];
}
