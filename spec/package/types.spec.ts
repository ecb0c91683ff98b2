import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { codeBlocks } from '../readme/readmeBlocks';
import { packAndInstall, type PackedConsumer } from './packedConsumer';
import { typeCheck } from './typeCheck';

/**
 * The packed package's types in the projects its users have (issue 14). The files in
 * spec/package/consumer are typical page, service-worker, ponyfill, operators, CommonJS and
 * Node-only code, with no declarations of their own; each case checks some of them strict, every
 * declaration of ours included, under one module resolution, in an ES module or a CommonJS
 * project, with the DOM lib, the WebWorker lib or Node's types only. Their `@ts-expect-error`
 * lines prove that the types are precise (an unused one is an error too). Each case also says
 * which declarations it must read: `.d.ts` for import, `.d.cts` for require. The README's
 * TypeScript example (example-types, a service worker) is checked with the worker code.
 */
const dom = { lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] };
const worker = { lib: ['ES2022', 'WebWorker'], types: [] };
const nodeOnly = { lib: ['ES2022'], types: ['node'] };

const pageCode = ['page.ts', 'page-script.ts', 'ponyfill.ts', 'operators.ts'];
const workerCode = ['sw.ts', 'sw-script.ts', 'readme-types.ts', 'ponyfill.ts', 'operators.ts'];
const nodeCode = ['node.ts', 'ponyfill.ts', 'operators.ts'];
/** Copied into consumer/cjs, a project of `"type": "commonjs"`, where .ts files are CommonJS. */
const commonJS = ['page.ts', 'ponyfill.ts', 'operators.ts', 'node.ts'];
const inCommonJS = (files: string[]) => files.map((file) => `cjs/${file}`);

type Flavour = '.d.ts' | '.d.cts' | 'both';
const cases: Array<[string, Record<string, unknown>, string[], Flavour]> = [
  ['bundler, DOM: a page', { module: 'esnext', moduleResolution: 'bundler', ...dom }, pageCode, '.d.ts'],
  ['bundler, WebWorker: service workers', { module: 'esnext', moduleResolution: 'bundler', ...worker }, workerCode, '.d.ts'],
  ['bundler (module preserve), Node only, with require()', { module: 'preserve', moduleResolution: 'bundler', ...nodeOnly }, [...nodeCode, 'require.cts'], 'both'],
  ['node16 ES module project, DOM, with a .cts file', { module: 'node16', ...dom }, [...pageCode, 'require.cts'], 'both'],
  ['node16 ES module project, Node only', { module: 'node16', ...nodeOnly }, nodeCode, '.d.ts'],
  ['nodenext ES module project, Node only, with a .cts file', { module: 'nodenext', ...nodeOnly }, [...nodeCode, 'require.cts'], 'both'],
  ['nodenext ES module project, WebWorker', { module: 'nodenext', ...worker }, workerCode, '.d.ts'],
  ['node16 CommonJS project, DOM', { module: 'node16', ...dom }, inCommonJS(['page.ts', 'ponyfill.ts', 'operators.ts']), '.d.cts'],
  ['nodenext CommonJS project, Node only', { module: 'nodenext', ...nodeOnly }, inCommonJS(nodeCode), '.d.cts'],
  ['legacy node resolution (node10), CommonJS, DOM', { module: 'commonjs', moduleResolution: 'node10', ...dom }, pageCode, '.d.ts'],
  ['legacy node resolution (node10), CommonJS, WebWorker', { module: 'commonjs', moduleResolution: 'node10', ...worker }, workerCode, '.d.ts'],
  ['legacy node resolution (node10), CommonJS, Node only', { module: 'commonjs', moduleResolution: 'node10', ...nodeOnly }, nodeCode, '.d.ts'],
];

let consumer: PackedConsumer;

beforeAll(() => {
  consumer = packAndInstall(path.join(__dirname, 'consumer'), ['@types/node']);
  for (const file of commonJS) copyFileSync(path.join(consumer.dir, file), path.join(consumer.dir, 'cjs', file));
  const [readme] = codeBlocks(path.resolve(__dirname, '../../README.md')).filter((block) => block.tag === 'example-types');
  writeFileSync(path.join(consumer.dir, 'readme-types.ts'), readme.code);
}, 60_000);
afterAll(() => consumer?.remove());

test('the consumer code declares nothing (a service worker types its `self`, as lib.webworker asks)', () => {
  const code = readdirSync(path.join(__dirname, 'consumer'))
    .filter((file) => /\.c?ts$/.test(file))
    .map((file) => readFileSync(path.join(__dirname, 'consumer', file), 'utf8'));
  const declarations = code.flatMap((text) => text.match(/^.*\b(declare|interface|namespace|module)\b.*$/gm) ?? []).filter((line) => !line.trim().startsWith('//'));
  expect(declarations).toEqual(['declare const self: ServiceWorkerGlobalScope;']);
});

test.each(cases)('%s: no type errors', (_name, options, files, flavour) => {
  const { errors, declarations } = typeCheck(consumer.dir, options, files);
  expect(errors).toEqual([]);
  const read = new Set(declarations.map((file) => (file.endsWith('.d.cts') ? '.d.cts' : '.d.ts')));
  expect(read.size === 2 ? 'both' : [...read][0]).toBe(flavour);
});
