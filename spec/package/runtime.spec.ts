import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { packAndInstall, type PackedConsumer } from './packedConsumer';

/**
 * The packed package at run time in Node (issue 14): consumer/runtime.cjs downloads from a local
 * server with the CommonJS build (require(), which loads ky and idb-keyval, ES modules, as Node
 * 20.19+ does) and with the ES module build (import()), and resolves the browser files through
 * `exports`.
 */
let consumer: PackedConsumer;

beforeAll(() => {
  consumer = packAndInstall(path.join(__dirname, 'consumer'));
}, 60_000);
afterAll(() => consumer?.remove());

test('require() and import() both download; the operators load; dist/*.min.js resolve by name', () => {
  const output = execFileSync(process.execPath, ['runtime.cjs'], { cwd: consumer.dir, encoding: 'utf8', timeout: 30_000 });
  expect(JSON.parse(output)).toEqual({ require: 1000, import: 1000, operators: ['function', 'function'], files: [true, true, true] });
});
