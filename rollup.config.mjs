import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// The package builds keep rxjs external (a peer dependency) and inline ky and idb-keyval,
// which are ESM-only and small: the CommonJS build could not require() them on Node 20.
const entries = {
  index: 'src/index.ts',
  operators: 'operators/index.ts',
  polyfill: 'src/polyfill.ts',
};

const ts = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts', 'operators/**/*.ts'],
    compilerOptions: { declaration: false, sourceMap: true, outDir: undefined, rootDir: undefined, types: [] },
  });

const isRxjs = (id) => id === 'rxjs' || id.startsWith('rxjs/');

const packageBuilds = {
  input: entries,
  external: isRxjs,
  plugins: [nodeResolve({ browser: true }), ts()],
  output: [
    { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'shared-[hash].js', sourcemap: true },
    { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'shared-[hash].cjs', sourcemap: true },
  ],
};

const declarations = {
  input: entries,
  external: isRxjs,
  plugins: [dts({ compilerOptions: { types: [] } })],
  output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'shared-[hash].d.ts' },
};

// The browser files: one self-contained IIFE each, rxjs included, global RxBackgroundFetch.
// rxjs's es2015 build needs no tslib helpers: 1.6 KB less gzip than its default ES5 build.
const browserFile = (input, file) => ({
  input,
  plugins: [nodeResolve({ browser: true, exportConditions: ['es2015'] }), ts()],
  output: {
    file,
    format: 'iife',
    name: 'RxBackgroundFetch',
    sourcemap: true,
    plugins: [terser({ compress: { passes: 2 }, format: { comments: false } })],
  },
});

export default [
  packageBuilds,
  declarations,
  browserFile('src/index.ts', 'dist/rx-background-fetch.min.js'),
  browserFile('src/polyfill.ts', 'dist/polyfill.min.js'),
];
