// CommonJS: a .cts file's imports are require() calls, and resolve to the .d.cts types.
import { BackgroundFetchManager, type BackgroundFetchState } from 'rx-background-fetch';
import operators = require('rx-background-fetch/operators');

const manager = new BackgroundFetchManager({ store: 'memory' });
manager.addEventListener('backgroundfetchabort', (event) => console.log(event.registration.id));

export const limit = operators.limitDownloadTotal(1_000);
export const last = (state: BackgroundFetchState): boolean => state.result !== '';
