import { install, type InstallOptions } from './polyfill/install';
// The global types install() makes true: ServiceWorkerRegistration.backgroundFetch and the rest.
import './globals';

export * from './index';

// Options for the install at load: set `self.RxBackgroundFetchOptions = { … }` before loading.
install((globalThis as { RxBackgroundFetchOptions?: InstallOptions }).RxBackgroundFetchOptions ?? {});
