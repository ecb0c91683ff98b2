import { startPageEngine, type StartPageEngine } from './pageEngine';

/**
 * The page engine, for a page that must host: here part of the same bundle. The page build
 * (`dist/polyfill.page.min.js`) replaces this module with `page/pageEngineScript.ts`, which
 * loads the engine as a script of its own only then (see rollup.config.mjs).
 *
 * @example
 * const start = await loadPageEngine();
 * const engine = start(scope, {});
 */
export function loadPageEngine(): Promise<StartPageEngine> {
  return Promise.resolve(startPageEngine);
}
