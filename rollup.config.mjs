import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// The package builds leave rxjs (a peer dependency), ky and idb-keyval (dependencies) to the
// user's installer and bundler: an app that uses ky too ships it once, and its lockfile updates
// them. ky and idb-keyval are ES modules; the CommonJS build require()s them, which Node does
// from 20.19 and 22.12 on (the `engines` range).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = Object.keys({ ...pkg.peerDependencies, ...pkg.dependencies });
const isDependency = (id) => dependencies.some((name) => id === name || id.startsWith(`${name}/`));

const entries = {
  index: 'src/index.ts',
  operators: 'operators/index.ts',
  polyfill: 'src/polyfill.ts',
};

// Maps carry the sources (sourcesContent) and point at src/ and operators/, which are shipped.
const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'operators/**/*.ts'],
    compilerOptions: { declaration: false, sourceMap: true, inlineSources: true, outDir: undefined, rootDir: undefined, types: [] },
  });

const packageBuilds = {
  input: entries,
  external: isDependency,
  plugins: [ts()],
  output: [
    { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js', sourcemap: true },
    // interop 'auto': ky's default export is `default` of what require() gives (an ES module's namespace).
    { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'shared-[hash].cjs', sourcemap: true, interop: 'auto' },
  ],
};

// One bundle of declarations per module format: `.d.ts` for import, `.d.cts` for require, each
// importing its own chunks, with declaration maps back to the sources.
const declarations = (extension, plugins = []) => ({
  input: entries,
  external: isDependency,
  // declarationDir '.': each declaration's map is computed beside its source, so its `sources` are right.
  plugins: [dts({ sourcemap: true, compilerOptions: { types: [], declarationDir: '.' } }), ...plugins],
  output: { dir: 'dist', format: 'es', entryFileNames: `[name].${extension}`, chunkFileNames: `shared-[hash].${extension}`, sourcemap: true },
});

// The declarations of the browser files (exported as `rx-background-fetch/dist/*.min.js`), written
// by hand in types/: the global RxBackgroundFetch, and for the polyfill files the Background Fetch
// globals too. Each goes out twice, importing the .d.ts files (import) or the .d.cts ones (require).
const scriptDeclarations = {
  name: 'script-declarations',
  generateBundle() {
    for (const file of readdirSync('types')) {
      const source = readFileSync(path.join('types', file), 'utf8');
      this.emitFile({ type: 'asset', fileName: file, source });
      this.emitFile({ type: 'asset', fileName: file.replace(/\.d\.ts$/, '.d.cts'), source: source.replaceAll(".js';", ".cjs';") });
    }
  },
};

// The browser files, self-contained (rxjs, ky and idb-keyval included). rxjs's es2015 build needs
// no tslib helpers: 1.6 KB less gzip than its default ES5 build. The IIFEs also set
// globalThis.RxBackgroundFetch, so that they define it when a bundler loads them as modules too.
const browserFile = (input, file, format, { plugins = [], global = format === 'iife', minify = { compress: { passes: 2 }, format: { comments: false } } } = {}) => ({
  input,
  plugins: [...plugins, nodeResolve({ browser: true, exportConditions: ['es2015'] }), ts()],
  output: {
    file,
    format,
    ...(global ? { name: 'RxBackgroundFetch', footer: 'globalThis.RxBackgroundFetch = RxBackgroundFetch;' } : {}),
    sourcemap: true,
    plugins: [terser(minify)],
  },
});

// The page build (dist/polyfill.page.min.js) is the page half of the polyfill without the engine:
// two modules give way to their page-build versions. A manager is then only reached through
// registration.backgroundFetch, and a page that must host loads dist/polyfill.page-host.min.js.
const pageSubstitutes = {
  'src/defaultBackend.ts': 'src/polyfill/page/noDefaultBackend.ts',
  'src/polyfill/pageEngineLoader.ts': 'src/polyfill/page/pageEngineScript.ts',
};
const pageBuild = {
  name: 'page-build',
  async resolveId(source, importer, options) {
    if (importer === undefined || !source.startsWith('.')) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    const relative = resolved && path.relative(process.cwd(), resolved.id);
    return relative in pageSubstitutes ? path.resolve(pageSubstitutes[relative]) : null;
  },
};

export default [
  packageBuilds,
  declarations('d.ts', [scriptDeclarations]),
  declarations('d.cts'),
  browserFile('src/script.ts', 'dist/rx-background-fetch.min.js', 'iife'),
  browserFile('src/polyfill.ts', 'dist/polyfill.min.js', 'iife'),
  browserFile('src/polyfill.ts', 'dist/polyfill.esm.min.js', 'es'),
  browserFile('src/polyfillPage.ts', 'dist/polyfill.page.min.js', 'iife', { plugins: [pageBuild], minify: { ecma: 2020, compress: { passes: 4 }, format: { comments: false, ecma: 2020 } } }),
  // Defines no RxBackgroundFetch: the page's own is the page build's.
  browserFile('src/polyfill/page/engineScript.ts', 'dist/polyfill.page-host.min.js', 'iife', { global: false }),
];
