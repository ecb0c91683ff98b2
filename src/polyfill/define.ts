import type { BackgroundFetchManager } from '../BackgroundFetchManager';

/**
 * Defines a global as the platform defines its interfaces: writable, configurable, not enumerable.
 *
 * @example
 * defineGlobal('BackgroundFetchEvent', BackgroundFetchEvent);
 * 'BackgroundFetchEvent' in self; // true
 */
export function defineGlobal(name: string, value: unknown): void {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Defines `ServiceWorkerRegistration.prototype.backgroundFetch`: one manager per registration,
 * made on first use.
 *
 * @example
 * defineBackgroundFetch((registration) => managerFor(registration.scope));
 * registration.backgroundFetch === registration.backgroundFetch; // true
 */
export function defineBackgroundFetch(managerFor: (registration: ServiceWorkerRegistration) => BackgroundFetchManager): void {
  const managers = new WeakMap<ServiceWorkerRegistration, BackgroundFetchManager>();
  Object.defineProperty(ServiceWorkerRegistration.prototype, 'backgroundFetch', {
    configurable: true,
    enumerable: true,
    get(this: ServiceWorkerRegistration) {
      let manager = managers.get(this);
      if (manager === undefined) managers.set(this, (manager = managerFor(this)));
      return manager;
    },
  });
}
