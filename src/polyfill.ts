import { install, type InstallOptions } from './polyfill/install';

export * from './index';

// Options for the install at load: set `self.RxBackgroundFetchOptions = { … }` before loading.
install((globalThis as { RxBackgroundFetchOptions?: InstallOptions }).RxBackgroundFetchOptions ?? {});
