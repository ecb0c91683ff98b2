import type { StartPageEngine } from '../pageEngine';
import { pageEngineKey } from './pageEngineKey';

const hostScript = 'polyfill.page-host.min.js';
// The page build's own URL, known only while it is evaluated: the engine script is its neighbour.
const loadedFrom = typeof document === 'object' ? (document.currentScript as HTMLScriptElement | null)?.src : undefined;
// One engine script per page, however many scopes it hosts.
let loading: Promise<StartPageEngine> | undefined;

/**
 * `loadPageEngine` of the page build (rollup.config.mjs puts it in place of
 * `pageEngineLoader.ts`): loads `polyfill.page-host.min.js` from beside
 * `polyfill.page.min.js`, once, when a page has to host because its service worker does not
 * run the polyfill. A page whose worker hosts never loads it.
 *
 * @example
 * const start = await loadPageEngine(); // adds <script src=".../polyfill.page-host.min.js">
 * const engine = start(scope, {});
 */
export function loadPageEngine(): Promise<StartPageEngine> {
  loading ??= new Promise<StartPageEngine>((resolve, reject) => {
    const found = () => (globalThis as { [pageEngineKey]?: StartPageEngine })[pageEngineKey];
    const fail = (what: string) => reject(new Error(`rx-background-fetch: ${what}; load polyfill.page.min.js with <script src> and serve ${hostScript} of the same build beside it.`));
    if (found() !== undefined) return resolve(found()!);
    if (!loadedFrom) return fail(`polyfill.page.min.js could not tell where it was loaded from, so it cannot load ${hostScript}`);
    const script = document.createElement('script');
    script.src = new URL(hostScript, loadedFrom).href;
    script.onload = () => (found() === undefined ? fail(`${script.src} brought no engine`) : resolve(found()!));
    script.onerror = () => fail(`could not load ${script.src}`);
    document.head.append(script);
  });
  loading.catch(() => (loading = undefined));
  return loading;
}
