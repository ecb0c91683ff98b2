// Loads the project's browser harness (spec/browser/harness/engines.ts: launch('chromium', { native }),
// launch('firefox')) without a test runner: transpiles it and the harness modules it imports with the
// project's TypeScript to CommonJS under build/bench/harness and requires it. Type errors elsewhere in
// the repo cannot stop the bench.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const harnessDir = path.join(root, 'spec', 'browser', 'harness');
const outDir = path.join(root, 'build', 'bench', 'harness');

/** Transpiles harness/<name>.ts to <outDir>/<name>.cjs, with its `./x` imports pointing at x.cjs. */
function transpile(name) {
  const source = path.join(harnessDir, `${name}.ts`);
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: source,
  });
  // __dirname must stay the harness's own folder (it finds wkbrowser.py beside it).
  const text = outputText.replaceAll('__dirname', '__harnessDir').replace(/require\("\.\/([\w-]+)"\)/g, 'require("./$1.cjs")');
  writeFileSync(path.join(outDir, `${name}.cjs`), `const __harnessDir = ${JSON.stringify(harnessDir)};\n` + text);
}

export function loadHarness() {
  mkdirSync(outDir, { recursive: true });
  for (const name of ['progressWait', 'engines']) transpile(name);
  return createRequire(import.meta.url)(path.join(outDir, 'engines.cjs'));
}
