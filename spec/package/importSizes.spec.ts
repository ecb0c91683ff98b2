import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importSize, type ImportSize } from './bundleSize';
import { packAndInstall, type PackedConsumer } from './packedConsumer';

/**
 * What one import of the packed package costs a web app (issue 14), measured like idb-keyval's
 * size tests: each import bundled alone for the browser by esbuild and by rollup, minified, with
 * its dependencies (rxjs, ky, idb-keyval), gzip -9. Each must stay within its budget in
 * import-sizes.json (the size measured when it was set, + 5%), so that tree-shaking keeps holding
 * under both bundlers; the README's table must show them (within 10% of what is measured, never
 * above the budget). The measured table is written to spec/artifacts/import-sizes.md.
 */
const root = path.resolve(__dirname, '../..');
const budgets = JSON.parse(readFileSync(path.join(__dirname, 'import-sizes.json'), 'utf8')) as Record<string, ImportSize>;
const statements = Object.keys(budgets);
const bundlers = ['esbuild', 'rollup'] as const;

/** The figures of the README's import-size table: `| \`statement\` | esbuild | rollup |`, bytes with thousands separators. */
function readmeSizes(): Map<string, ImportSize> {
  const rows = readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/^\| `(import [^`]+)` \| ([\d,]+) \| ([\d,]+) \|$/gm);
  const bytes = (text: string) => Number(text.replaceAll(',', ''));
  return new Map([...rows].map(([, statement, esbuild, rollup]) => [statement, { esbuild: bytes(esbuild), rollup: bytes(rollup) }]));
}

let consumer: PackedConsumer;
const measured = new Map<string, ImportSize>();

beforeAll(async () => {
  consumer = packAndInstall(path.join(__dirname, 'consumer'));
  // Two at a time: the machine has two cores.
  const queue = [...statements];
  const worker = async () => {
    for (let statement = queue.shift(); statement !== undefined; statement = queue.shift()) measured.set(statement, await importSize(consumer.dir, statement));
  };
  await Promise.all([worker(), worker()]);
  const table = statements.map((statement) => `| \`${statement}\` | ${measured.get(statement)!.esbuild.toLocaleString('en')} | ${measured.get(statement)!.rollup.toLocaleString('en')} |`);
  mkdirSync(path.join(root, 'spec/artifacts'), { recursive: true });
  writeFileSync(path.join(root, 'spec/artifacts/import-sizes.md'), ['| import | esbuild | rollup |', '|---|---:|---:|', ...table, ''].join('\n'));
}, 120_000);
afterAll(() => consumer?.remove());

test.each(statements)('%s stays within its budget under esbuild and rollup', (statement) => {
  const size = measured.get(statement)!;
  for (const bundler of bundlers) {
    if (size[bundler] > budgets[statement][bundler]) {
      throw new Error(
        `${statement} bundled by ${bundler} is ${size[bundler]} B gzip, over its budget of ${budgets[statement][bundler]} B ` +
          '(spec/package/import-sizes.json). Find what grew, or raise the budget and the README table in the same commit, with the reason.',
      );
    }
  }
});

test('tree-shaking holds under esbuild as under rollup: no import costs esbuild more than 25% over rollup', () => {
  const worse = statements.filter((statement) => measured.get(statement)!.esbuild > 1.25 * measured.get(statement)!.rollup);
  expect(worse).toEqual([]);
});

test('the README prints every measured size (within 10%, never above its budget)', () => {
  const printed = readmeSizes();
  expect([...printed.keys()]).toEqual(statements);
  for (const statement of statements) {
    for (const bundler of bundlers) {
      const shown = printed.get(statement)![bundler];
      expect({ statement, bundler, inRange: shown >= 0.9 * measured.get(statement)![bundler] && shown <= budgets[statement][bundler] }).toEqual({ statement, bundler, inRange: true });
    }
  }
});
