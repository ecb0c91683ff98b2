import { BackgroundFetchManager } from '../BackgroundFetchManager';
import { BackgroundFetchRecord } from '../BackgroundFetchRecord';
import { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { defineGlobal } from './define';
import { installInPage } from './installInPage';
import type { InstallOptions, WorkerInstaller } from './installOptions';

const installed = Symbol.for('rx-background-fetch.installed');
// What a second install() can still turn on: one per realm, as the install is.
let enableNotifications: (() => void) | undefined;

/**
 * `install()` with its worker half given: the page half (installInPage.ts) is in every build,
 * the worker half only in the builds that carry the engine.
 *
 * @example
 * installWith({ force: true }, installInWorker); // polyfill.min.js
 * installWith({}, refuseWorker);                 // polyfill.page.min.js
 */
export function installWith(options: InstallOptions, inWorker: WorkerInstaller): boolean {
  const scope = globalThis as typeof globalThis & { [installed]?: boolean };
  if (scope[installed]) {
    reinstall(options);
    return true;
  }
  const { force = false, ...rest } = options;
  if (hasNative() && !force) return false;
  defineGlobal('BackgroundFetchManager', BackgroundFetchManager);
  defineGlobal('BackgroundFetchRegistration', BackgroundFetchRegistration);
  defineGlobal('BackgroundFetchRecord', BackgroundFetchRecord);
  if (isServiceWorker(globalThis)) enableNotifications = inWorker(globalThis, rest);
  else if (typeof ServiceWorkerRegistration === 'function') installInPage(rest);
  scope[installed] = true;
  return true;
}

/**
 * A second call (`polyfill.min.js` installs at load): notifications can still be turned on; the
 * manager's options are fixed by then, so changing them only earns a warning that says how.
 */
function reinstall(options: InstallOptions): void {
  const { force: _force, notifications, ...rest } = options;
  if (notifications === true) enableNotifications?.();
  if (Object.keys(rest).length > 0) {
    console.warn(
      'rx-background-fetch: install() was already called, so these options were ignored: ' +
        `${Object.keys(rest).join(', ')}. To give options to polyfill.min.js, set self.RxBackgroundFetchOptions = { … } before loading it.`,
    );
  }
}

function hasNative(): boolean {
  if (typeof ServiceWorkerRegistration === 'function' && 'backgroundFetch' in ServiceWorkerRegistration.prototype) return true;
  return typeof (globalThis as { BackgroundFetchManager?: unknown }).BackgroundFetchManager === 'function';
}

function isServiceWorker(scope: object): boolean {
  const Scope = (globalThis as { ServiceWorkerGlobalScope?: new () => object }).ServiceWorkerGlobalScope;
  return typeof Scope === 'function' && scope instanceof Scope;
}
