import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packAndInstall, type PackedConsumer } from './packedConsumer';

/**
 * What a publish would upload (issue 14): the tarball `npm pack` writes. @arethetypeswrong/cli
 * and publint (its suggestions included) report nothing on it, offline; it carries LICENSE,
 * CHANGELOG and README and no tests; its ES module and CommonJS builds import rxjs, ky and
 * idb-keyval instead of carrying them; every JavaScript map carries its sources, and every
 * declaration map leads to a source file in the tarball.
 */
const root = path.resolve(__dirname, '../..');
let consumer: PackedConsumer;

/** Runs a package's command-line tool with node; resolves with its exit code and output. */
function run(bin: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', bin), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(() => {
  consumer = packAndInstall(path.join(__dirname, 'consumer'));
}, 60_000);
afterAll(() => consumer?.remove());

test('@arethetypeswrong/cli finds no problem in any entry point, for any resolution', () => {
  const { status, output } = run('@arethetypeswrong/cli/dist/index.js', [consumer.tarball, '--format', 'json', '--no-definitely-typed']);
  const report = JSON.parse(output) as { analysis: { entrypoints: Record<string, unknown> }; problems: Record<string, unknown> };
  expect(Object.keys(report.analysis.entrypoints)).toEqual(['.', './operators', './polyfill', './dist/*.min.js', './package.json']);
  expect(report.problems).toEqual({});
  expect(status).toBe(0);
});

test('publint reports nothing, suggestions included', () => {
  const { status, output } = run('publint/src/cli.js', ['run', consumer.tarball, '--strict', '--level', 'suggestion']);
  expect(output).toContain('All good!');
  expect(status).toBe(0);
});

test('the tarball holds the builds, their sources, LICENSE, CHANGELOG and README, and no tests', () => {
  const top = readdirSync(consumer.packageDir).sort();
  expect(top).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'operators', 'package.json', 'src']);
  expect(readFileSync(path.join(consumer.packageDir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  const dist = readdirSync(path.join(consumer.packageDir, 'dist'));
  for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'polyfill.min.js', 'polyfill.min.d.ts', 'polyfill.esm.min.js', 'rx-background-fetch.min.js']) {
    expect(dist).toContain(file);
  }
  const files = readdirSync(consumer.packageDir, { recursive: true }) as string[];
  expect(files.filter((file) => file.includes('.spec.') || file.startsWith('spec'))).toEqual([]);
});

test('every source map leads to its sources: JavaScript maps carry them, declaration maps point at shipped files', () => {
  const dist = path.join(consumer.packageDir, 'dist');
  const lost: string[] = [];
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(path.join(dist, file), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
    const declaration = /\.d\.c?ts\.map$/.test(file);
    map.sources.forEach((source, index) => {
      const found = declaration ? existsSync(path.join(dist, source)) : typeof map.sourcesContent?.[index] === 'string';
      if (!found) lost.push(`${file}: ${source}`);
    });
  }
  expect(lost).toEqual([]);
});

test('the ES module and CommonJS builds import rxjs, ky and idb-keyval and carry none of them', () => {
  const dist = path.join(consumer.packageDir, 'dist');
  const builds = readdirSync(dist).filter((file) => /\.c?js$/.test(file) && !file.includes('.min.'));
  const sources = builds.flatMap((file) => (JSON.parse(readFileSync(path.join(dist, `${file}.map`), 'utf8')) as { sources: string[] }).sources);
  expect(sources.filter((source) => !/^\.\.\/(src|operators)\//.test(source))).toEqual([]);
  const code = builds.map((file) => readFileSync(path.join(dist, file), 'utf8')).join('\n');
  for (const name of ['rxjs', 'ky', 'idb-keyval']) {
    expect(code).toContain(`from '${name}'`);
    expect(code).toContain(`require('${name}')`);
  }
});
