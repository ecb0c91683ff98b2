/**
 * The layering of docs/ARCHITECTURE.md, read from the import graph: the engine (src/engine/)
 * produces states and record data and knows no public class; src/ builds the Web API objects
 * and events from them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const engineDir = path.join(root, 'src/engine');
const publicClasses = ['src/BackgroundFetchRecord.ts', 'src/BackgroundFetchRegistration.ts', 'src/events.ts', 'src/BackgroundFetchManager.ts'];

/** Every .ts file under `dir`, as absolute paths. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The files a module imports or re-exports (type-only imports included), relative to the repository. */
function importsOf(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const specifiers = [...code.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms), ...code.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((match) => match[1]);
  return specifiers.filter((specifier) => specifier.startsWith('.')).map((specifier) => path.relative(root, path.resolve(path.dirname(file), specifier)).replace(/(\.ts)?$/, '.ts'));
}

describe('layers', () => {
  test('the import graph is read: the engine imports the pipeline and the engine is imported by the adapter', () => {
    expect(importsOf(path.join(engineDir, 'FetchJob.ts'))).toContain('operators/backgroundFetch.ts');
    expect(importsOf(path.join(root, 'src/localBackend.ts'))).toEqual(expect.arrayContaining(['src/engine/Engine.ts', 'src/BackgroundFetchRegistration.ts', 'src/events.ts']));
  });

  test('no module of src/engine/ imports a public class (records, registrations, events, the manager)', () => {
    const files = sources(engineDir);
    expect(files.length).toBeGreaterThan(3);
    const leaks = files.flatMap((file) => importsOf(file).filter((target) => publicClasses.includes(target)).map((target) => `${path.relative(root, file)} → ${target}`));
    expect(leaks).toEqual([]);
  });
});
