// Loads the project's browser harness (spec/browser/harness/engines.ts: launch('chromium', { native }),
// launch('firefox')) without a test runner: transpiles it with the project's TypeScript to CommonJS
// under build/bench/harness and requires it. Type errors elsewhere in the repo cannot stop the bench.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function loadHarness() {
  const source = path.join(root, 'spec', 'browser', 'harness', 'engines.ts');
  const out = path.join(root, 'build', 'bench', 'harness', 'engines.cjs');
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: source,
  });
  mkdirSync(path.dirname(out), { recursive: true });
  // __dirname must stay the harness's own folder (it finds wkbrowser.py beside it).
  writeFileSync(out, `const __harnessDir = ${JSON.stringify(path.dirname(source))};\n` + outputText.replaceAll('__dirname', '__harnessDir'));
  return createRequire(import.meta.url)(out);
}
