import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { build } from 'esbuild';
import { rollup } from 'rollup';

/**
 * gzip -9 bytes of one import bundled for the browser and minified, by each bundler.
 *
 * @example
 * const size: ImportSize = await importSize(consumer.dir, "import { memorySink } from 'rx-background-fetch/operators'");
 * console.log(`${size.esbuild} B with esbuild, ${size.rollup} B with rollup`);
 */
export interface ImportSize {
  esbuild: number;
  rollup: number;
}

/**
 * The entry file of one import, as idb-keyval's size tests write them: the import, and a use of
 * every name it brings (so that the bundler keeps exactly those). A side-effect import is kept as
 * it is.
 *
 * @example
 * sizeEntry("import { countBytes } from 'rx-background-fetch/operators'");
 * // "import { countBytes } from 'rx-background-fetch/operators';\nconsole.log(countBytes);"
 */
export function sizeEntry(statement: string): string {
  const names = /^import\s+(?:\*\s+as\s+(\w+)|\{([^}]*)\})/.exec(statement);
  if (names === null) return `${statement};\n`;
  const used = names[1] ?? names[2].split(',').map((name) => name.trim()).filter(Boolean).join(', ');
  return `${statement};\nconsole.log(${used});\n`;
}

const gzipBytes = (code: string) => gzipSync(code, { level: 9 }).length;

async function esbuildBytes(dir: string, entry: string): Promise<number> {
  const result = await build({ entryPoints: [entry], absWorkingDir: dir, bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  return gzipBytes(result.outputFiles[0].text);
}

async function rollupBytes(entry: string): Promise<number> {
  const bundle = await rollup({ input: entry, onwarn: () => undefined, plugins: [nodeResolve({ browser: true })] });
  try {
    const { output } = await bundle.generate({ format: 'es', plugins: [terser({ compress: { passes: 2 }, format: { comments: false } })] });
    return gzipBytes(output[0].code);
  } finally {
    await bundle.close();
  }
}

/**
 * Bundles `statement` (an import of rx-background-fetch) from the project in `dir`, where the
 * package is installed, with esbuild and with rollup (node-resolve, terser) as a web app would:
 * ES module, minified, its dependencies (rxjs, ky, idb-keyval) included. Resolves with the gzip
 * -9 size of each bundle.
 *
 * @example
 * const size = await importSize(consumer.dir, "import { createMemoryStore } from 'rx-background-fetch'");
 * expect(size.esbuild).toBeLessThan(2048);
 */
export async function importSize(dir: string, statement: string): Promise<ImportSize> {
  const entry = path.join(dir, `size-${createHash('sha1').update(statement).digest('hex').slice(0, 12)}.js`);
  writeFileSync(entry, sizeEntry(statement));
  return { esbuild: await esbuildBytes(dir, entry), rollup: await rollupBytes(entry) };
}
