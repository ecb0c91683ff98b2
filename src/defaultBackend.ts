import type { ManagerBackend } from './backend';
import { LocalBackend } from './localBackend';
import { resolveManagerOptions, type BackgroundFetchManagerOptions } from './managerOptions';
import { readPlatform } from './platform';
import { sharedIndexedDBStore } from './store/indexedDBStore';

/**
 * The backend of a `new BackgroundFetchManager(options)` given none: the engine of its scope and
 * store in this realm, with the options resolved against the platform. The page build of the
 * polyfill (`dist/polyfill.page.min.js`) replaces this module with
 * `polyfill/page/noDefaultBackend.ts` (see rollup.config.mjs), so that a page does not carry
 * the engine.
 *
 * @example
 * const backend = defaultBackend({ store: 'memory' }, manager);
 * await backend.getIds(); // []
 */
export function defaultBackend(options: BackgroundFetchManagerOptions | undefined, manager: EventTarget): ManagerBackend {
  return new LocalBackend(resolveManagerOptions(options, readPlatform(), sharedIndexedDBStore), manager);
}
