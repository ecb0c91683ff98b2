// Builds the project's own rollup config (rollup.config.mjs, unchanged) into build/bench/dist, so
// a bench run reads one consistent build even while `npm run build` rewrites dist/ elsewhere.
// Skips the declaration builds (the bench does not need them).
import { rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup } from 'rollup';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const benchDist = path.join(root, 'build', 'bench', 'dist');

function retarget(output) {
  const out = { ...output };
  if (out.dir !== undefined) out.dir = path.join(benchDist, path.relative(path.join(root, 'dist'), path.resolve(root, out.dir)));
  if (out.file !== undefined) out.file = path.join(benchDist, path.relative(path.join(root, 'dist'), path.resolve(root, out.file)));
  return out;
}

/** Runs every non-declaration config of rollup.config.mjs with outputs under build/bench/dist. */
export async function buildForBench() {
  const started = performance.now();
  await rm(benchDist, { recursive: true, force: true });
  await mkdir(benchDist, { recursive: true });
  const cwd = process.cwd();
  process.chdir(root); // the config's paths are relative to the repo
  try {
    const { default: configs } = await import(pathToFileURL(path.join(root, 'rollup.config.mjs')).href + `?t=${Date.now()}`);
    for (const config of configs) {
      const outputs = Array.isArray(config.output) ? config.output : [config.output];
      if (outputs.some((o) => /\.d\.c?ts$/.test(String(o.entryFileNames ?? o.file ?? '')))) continue;
      const bundle = await rollup({ ...config, onwarn: () => undefined });
      for (const output of outputs) await bundle.write(retarget(output));
      await bundle.close();
    }
  } finally {
    process.chdir(cwd);
  }
  return performance.now() - started;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ms = await buildForBench();
  console.log(`built into ${path.relative(root, benchDist)} in ${(ms / 1000).toFixed(1)} s`);
}
