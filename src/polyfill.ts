import { install } from './polyfill/install';

export * from './index';

install();
