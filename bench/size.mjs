// Bundle size: what ships (gzip -9 of the minified bundles), what an ESM import of
// BackgroundFetchManager alone costs a user's bundler, what the polyfill bundle is made of (from
// its source map), and what concrete cuts would save, each measured by building the variant.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zconst } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import ts from 'typescript';
import { parseAst } from 'rollup/parseAst';
import { parseSourceMap, readSourceMap } from './lib/sourcemap.mjs';
import { x } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const gzipBytes = (data) => gzipSync(data, { level: 9 }).length;
const brotliBytes = (data) => brotliCompressSync(data, { params: { [zconst.BROTLI_PARAM_QUALITY]: 11 } }).length;

/**
 * Bytes of a minified bundle per original source, from its source map: each mapped segment owns
 * the characters up to the next one. `gzipWithout(drop)` is the gzip size of the bundle with the
 * characters of the sources matching `drop` (or the character ranges given) taken out: the
 * marginal gzip cost of those sources, which is what removing them would save.
 */
export function composition(code, map) {
  const owner = new Int32Array(code.length).fill(-1);
  let lineStart = 0;
  code.split('\n').forEach((text, lineIndex) => {
    const segments = map.lines[lineIndex] ?? [];
    segments.forEach((segment, i) => {
      const end = i + 1 < segments.length ? segments[i + 1].column : text.length;
      owner.fill(segment.source, lineStart + segment.column, lineStart + end);
    });
    lineStart += text.length + 1;
  });
  const perSource = new Map();
  let unmapped = 0;
  for (const source of owner) {
    if (source < 0) unmapped++;
    else perSource.set(source, (perSource.get(source) ?? 0) + 1);
  }
  const sources = [...perSource].map(([index, bytes]) => ({ file: path.relative(root, map.sources[index]), index, bytes }));
  const fileOf = (offset) => (owner[offset] < 0 ? '' : path.relative(root, map.sources[owner[offset]]));
  const gzipWithout = (drop) => {
    const dropped = new Set(sources.filter((s) => drop(s.file)).map((s) => s.index));
    let kept = '';
    let from = 0;
    for (let i = 0; i <= code.length; i++) {
      const gone = i < code.length && dropped.has(owner[i]);
      if (gone || i === code.length) {
        kept += code.slice(from, i);
        from = i + 1;
      }
    }
    return gzipBytes(kept);
  };
  return { total: code.length, gzip: gzipBytes(code), unmapped, sources: sources.sort((a, b) => b.bytes - a.bytes), gzipWithout, fileOf };
}

/**
 * String literals of our own code (src/, operators/) at least `min` characters long: almost all
 * are error and warning messages. Returns their count, characters, and the gzip size saved if
 * each were replaced by a short code (here: an empty string).
 */
export function ownStrings(code, parts, min = 24) {
  const ranges = [];
  const visit = (node) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    if ((node.type === 'Literal' && typeof node.value === 'string') || node.type === 'TemplateElement') {
      const start = node.type === 'Literal' ? node.start + 1 : node.start;
      const end = node.type === 'Literal' ? node.end - 1 : node.end;
      const file = parts.fileOf(node.start);
      if (end - start >= min && (file.startsWith('src/') || file.startsWith('operators/'))) ranges.push([start, end]);
    }
    for (const key of Object.keys(node)) if (key !== 'type' && key !== 'start' && key !== 'end') visit(node[key]);
  };
  visit(parseAst(code));
  ranges.sort((a, b) => a[0] - b[0]);
  let stripped = '';
  let at = 0;
  let chars = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue;
    stripped += code.slice(at, start);
    chars += end - start;
    at = end;
  }
  stripped += code.slice(at);
  return { count: ranges.length, chars, gzipSaved: gzipBytes(code) - gzipBytes(stripped) };
}

export function groupOf(file) {
  if (file.startsWith('node_modules/rxjs/')) return 'rxjs';
  if (file.startsWith('node_modules/ky/')) return 'ky';
  if (file.startsWith('node_modules/idb-keyval/')) return 'idb-keyval';
  if (file.startsWith('node_modules/tslib/')) return 'tslib';
  if (file.startsWith('src/polyfill/') || file === 'src/polyfill.ts') return 'ours: src/polyfill/ (install, SW host, page mirror)';
  if (file.startsWith('src/store/')) return 'ours: src/store/ (memory + IndexedDB stores)';
  if (file.startsWith('src/engine/')) return 'ours: src/engine/ (engine, FetchJob, record responses)';
  if (file.startsWith('src/transport/')) return 'ours: src/transport/ (ky transport)';
  if (file.startsWith('src/')) return 'ours: src/*.ts (manager, registration, record, events, validation)';
  if (file.startsWith('operators/')) return 'ours: operators/';
  return file;
}

// A TypeScript transform without type-checking (ts.transpileModule with the repo's tsconfig), so
// the from-source build of the manager import takes seconds.
function transpile() {
  const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const compilerOptions = { ...options, sourceMap: true, inlineSources: true, declaration: false, noEmit: false, module: ts.ModuleKind.ESNext };
  return {
    name: 'bench-transpile',
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const out = ts.transpileModule(code, { compilerOptions, fileName: id });
      return { code: out.outputText, map: JSON.parse(out.sourceMapText) };
    },
  };
}

const shippedTerser = { compress: { passes: 2 }, format: { comments: false } }; // as in rollup.config.mjs
/**
 * The ESM import a user's bundler makes of `BackgroundFetchManager` alone (rxjs included),
 * minified: from the built dist/index.js, or (`fromSource`) from src/index.ts with a source map,
 * to see what it is made of.
 */
async function buildManagerOnly(dist, fromSource = false) {
  const entry = '\0bench-entry';
  const target = fromSource ? path.join(root, 'src', 'index.ts') : path.join(dist, 'index.js');
  const bundle = await rollup({
    input: entry,
    onwarn: () => undefined,
    plugins: [
      {
        name: 'entry',
        resolveId: (id) => (id === entry ? entry : null),
        load: (id) => (id === entry ? `export { BackgroundFetchManager } from ${JSON.stringify(target)};` : null),
      },
      nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.json', '.ts'] }),
      ...(fromSource ? [transpile()] : []),
    ],
  });
  const { output } = await bundle.generate({ format: 'es', sourcemap: fromSource, plugins: [terser(shippedTerser)] });
  await bundle.close();
  return { code: output[0].code, map: fromSource ? parseSourceMap(output[0].map, root) : null };
}

function groupTable(parts) {
  const groups = new Map();
  for (const source of parts.sources) {
    const group = groupOf(source.file);
    const entry = groups.get(group) ?? { group, bytes: 0, files: 0 };
    entry.bytes += source.bytes;
    entry.files++;
    groups.set(group, entry);
  }
  for (const entry of groups.values()) entry.gzipMarginal = parts.gzip - parts.gzipWithout((file) => groupOf(file) === entry.group);
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
}

/** Everything size.md needs; `dist` is the build under test. */
export async function measureSize(dist) {
  const polyfill = readFileSync(path.join(dist, 'polyfill.min.js'), 'utf8');
  const page = readFileSync(path.join(dist, 'polyfill.page.min.js'));
  const pageHost = readFileSync(path.join(dist, 'polyfill.page-host.min.js'));
  const full = readFileSync(path.join(dist, 'rx-background-fetch.min.js'));
  const managerOnly = (await buildManagerOnly(dist)).code;
  const parts = composition(polyfill, readSourceMap(path.join(dist, 'polyfill.min.js.map')));
  const managerSource = await buildManagerOnly(dist, true);
  const managerParts = composition(managerSource.code, managerSource.map);
  const result = {
    polyfill: { min: Buffer.byteLength(polyfill), gzip: gzipBytes(polyfill), brotli: brotliBytes(polyfill) },
    full: { min: full.length, gzip: gzipBytes(full) },
    page: { min: page.length, gzip: gzipBytes(page) },
    pageHost: { min: pageHost.length, gzip: gzipBytes(pageHost) },
    managerOnly: { min: Buffer.byteLength(managerOnly), gzip: gzipBytes(managerOnly) },
    managerOnlyFromSource: { min: Buffer.byteLength(managerSource.code), gzip: managerParts.gzip },
    unmapped: parts.unmapped,
    groups: groupTable(parts),
    managerGroups: groupTable(managerParts),
    managerPolyfillFiles: managerParts.sources.filter((s) => s.file.startsWith('src/polyfill')),
    strings: ownStrings(polyfill, parts),
    rxjsFiles: parts.sources.filter((s) => s.file.startsWith('node_modules/rxjs/')).slice(0, 12),
    ourFiles: parts.sources.filter((s) => !s.file.startsWith('node_modules/')).slice(0, 12),
  };
  return result;
}

/** RESULTS.md lines for the size figures, the target verdict and a one-line summary. */
export function reportSize(size) {
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  const budgetFile = path.join(root, 'bench', 'size-budget.json');
  const budget = existsSync(budgetFile) ? JSON.parse(readFileSync(budgetFile, 'utf8')) : undefined;
  const target = 20 * 1024;
  const pageTarget = 10 * 1024;
  const lines = [
    'gzip -9 (zlib level 9); 1 KB = 1024 bytes.',
    '',
    '| bundle | minified | gzip | vs target |',
    '|---|---:|---:|---:|',
    `| \`dist/polyfill.min.js\` (IIFE, rxjs + ky + idb-keyval included) | ${kb(size.polyfill.min)} | **${kb(size.polyfill.gzip)}** (brotli ${kb(size.polyfill.brotli)}) | ${x(size.polyfill.gzip / target)} of 20 KB |`,
    `| \`dist/polyfill.page.min.js\` (the page half: all a page with a polyfilled worker loads) | ${kb(size.page.min)} | **${kb(size.page.gzip)}** | ${x(size.page.gzip / pageTarget)} of 10 KB |`,
    `| \`dist/polyfill.page-host.min.js\` (the engine the page build loads only to host) | ${kb(size.pageHost.min)} | ${kb(size.pageHost.gzip)} | |`,
    `| \`dist/rx-background-fetch.min.js\` (IIFE, the main entry: no install()) | ${kb(size.full.min)} | ${kb(size.full.gzip)} | |`,
    `| ESM \`import { BackgroundFetchManager } from './dist/index.js'\`, rollup + terser, rxjs included | ${kb(size.managerOnly.min)} | ${kb(size.managerOnly.gzip)} | |`,
    '',
    `Targets (issue 13): the page build ≤ 10 KB gzip, **${size.page.gzip <= pageTarget ? 'met' : `missed by ${kb(size.page.gzip - pageTarget)}`}** (checked in \`npm test\`); \`polyfill.min.js\` ≤ 20 KB gzip, **${size.polyfill.gzip <= target ? 'met' : `missed by ${kb(size.polyfill.gzip - target)}`}**.` +
      (budget ? ` The size check in \`npm test\` (spec/size/size.spec.ts) allows ${kb(budget.polyfillGzipBytes)} (${budget.polyfillGzipBytes} B, bench/size-budget.json: the size measured when it was set, ${budget.measuredGzipBytes} B, + 3%).` : ''),
  ];
  const verdict = { target: 'dist/polyfill.min.js gzip', value: kb(size.polyfill.gzip), limit: '≤ 20.0 KB', met: size.polyfill.gzip <= target };
  const summary = `size: polyfill.page.min.js ${kb(size.page.gzip)} gzip (target 10 KB), polyfill.min.js ${kb(size.polyfill.gzip)} gzip (target 20 KB${budget ? `, budget ${kb(budget.polyfillGzipBytes)}` : ''}), ESM BackgroundFetchManager alone ${kb(size.managerOnly.gzip)} gzip`;
  const groupLines = (groups, total) => [
    '| part | minified bytes | share | gzip bytes it costs (bundle gzip − gzip without it) |',
    '|---|---:|---:|---:|',
    ...groups.map((g) => `| ${g.group} | ${g.bytes} | ${((100 * g.bytes) / total).toFixed(1)}% | ${g.gzipMarginal} |`),
  ];
  lines.push(
    '',
    '### What dist/polyfill.min.js is made of',
    '',
    `Measured from its source map (bench/size.mjs reads the map itself: each mapped segment owns the characters up to the next; ${size.unmapped} characters are unmapped glue). The gzip column is each part's marginal cost: the bundle's gzip size minus the gzip size of the bundle with that part's characters removed.`,
    '',
    ...groupLines(size.groups, size.polyfill.min),
    '',
    'Largest rxjs modules (minified bytes): ' + size.rxjsFiles.map((f) => `${f.file.replace('node_modules/rxjs/dist/esm5/internal/', '')} ${f.bytes}`).join(', ') + '.',
    '',
    'Largest modules of ours: ' + size.ourFiles.map((f) => `${f.file} ${f.bytes}`).join(', ') + '.',
    '',
    `Long string literals of ours (≥ 24 characters; nearly all error and warning messages): ${size.strings.count} of them, ${size.strings.chars} characters, **${size.strings.gzipSaved} B gzip**.`,
    '',
    `The ESM import of \`BackgroundFetchManager\` alone (rebuilt from src/ with a source map to see its parts: ${kb(size.managerOnlyFromSource.gzip)} gzip) carries ${size.managerPolyfillFiles.length === 0 ? 'none of the polyfill code (tree-shaking works)' : `polyfill code: ${size.managerPolyfillFiles.map((f) => f.file).join(', ')}`}:`,
    '',
    ...groupLines(size.managerGroups, size.managerOnlyFromSource.min),
  );
  return { lines, verdict, summary };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `npm run size` (after a build): node bench/size.mjs [dist folder, default build/bench/dist]
  const dist = path.resolve(root, process.argv[2] ?? path.join('build', 'bench', 'dist'));
  const { lines, summary } = reportSize(await measureSize(dist));
  console.log(lines.join('\n'));
  console.log(`\n${summary}`);
}
