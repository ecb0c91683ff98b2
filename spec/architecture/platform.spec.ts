/**
 * The layering rules of docs/ARCHITECTURE.md that a reader cannot see from one file: the ponyfill
 * entry never reaches the polyfill, and only the platform module and the polyfill read the realm.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** The files a source imports (values and types), resolved to paths from the project root. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, false);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = path.relative(root, path.resolve(path.dirname(path.join(root, file)), name));
      return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => sourceFiles(path.dirname(candidate)).includes(candidate)) ?? `${base}.ts`;
    });
}

/** Every file `entry` reaches through its imports, itself included. */
function reachedFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    importsOf(file).forEach(visit);
  };
  visit(entry);
  return seen;
}

const realmNames = /^(navigator|location|self|ServiceWorker\w*)$/;

/** `file:line name` for each identifier that names the realm's platform objects. */
function realmReads(file: string): string[] {
  const source = parse(file);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && realmNames.test(node.text)) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('layers', () => {
  it('the ponyfill entry (src/index.ts) reaches no module of src/polyfill/, by any chain of imports', () => {
    const reached = [...reachedFrom('src/index.ts')];
    expect(reached.length).toBeGreaterThan(20);
    expect(reached.filter((file) => file.startsWith('src/polyfill/') || file === 'src/polyfill.ts')).toEqual([]);
  });

  it('nothing outside src/polyfill/ and src/platform.ts names navigator, location, self or ServiceWorker* (src/globals.ts only declares types)', () => {
    const checked = [...sourceFiles('src'), ...sourceFiles('operators')].filter(
      (file) => !file.startsWith('src/polyfill/') && file !== 'src/platform.ts' && file !== 'src/globals.ts',
    );
    expect(checked.length).toBeGreaterThan(40);
    expect(checked.flatMap(realmReads)).toEqual([]);
  });

  it('finds what it looks for: the platform module and the polyfill do name them', () => {
    expect(realmReads('src/platform.ts').length).toBeGreaterThan(0);
    expect(realmReads('src/polyfill/installInWorker.ts').length).toBeGreaterThan(0);
    expect([...reachedFrom('src/polyfill.ts')]).toContain('src/polyfill/install.ts');
  });

  it('src/globals.ts declares types only: it emits no JavaScript', () => {
    const { outputText } = ts.transpileModule(readFileSync(path.join(root, 'src/globals.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022 } });
    expect(outputText.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '').replace(/export \{\};/, '').trim()).toBe('');
  });
});
