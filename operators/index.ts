/**
 * The download pipeline of one fetch as one function (`backgroundFetch`), and its RxJS
 * operators, each usable in a pipeline of one's own: fetch records
 * (`fetchRecords`, `httpRecord`), count their bytes (`countBytes`), enforce `downloadTotal`
 * (`limitDownloadTotal`), stop when settled (`untilSettled`) or aborted (`abortWhen`), throttle
 * progress (`throttleProgress`).
 *
 * @example
 * import { countBytes, createTally, fetchRecords, httpRecord, memorySink } from 'rx-background-fetch/operators';
 * records$.pipe(fetchRecords(httpRecord({ transport: fetch, sink: memorySink() })), countBytes(createTally(init, 1)));
 *
 * @module rx-background-fetch/operators
 */
export { abortWhen } from './abortWhen';
export { backgroundFetch, type BackgroundFetchInput, type BackgroundFetchRunOptions, type BackgroundFetchStageOptions, type OwnFetchStage, type TailStep } from './backgroundFetch';
export { parseContentRange, validatePartial, type ContentRange } from './contentRange';
export { countBytes } from './countBytes';
export { fetchRecords, type FetchOne, type FetchRecordsOptions } from './fetchRecords';
export { httpRecord, type HttpRecordOptions } from './httpRecord';
export { limitDownloadTotal } from './limitDownloadTotal';
export { memorySink, type MemorySink } from './memorySink';
export { RecordTable } from './recordTable';
export { normalizeRetry, type NormalizedRetry, type RetryOptions } from './retryOptions';
export { createTally, firstFailure, settleTally } from './tally';
export { throttleProgress } from './throttleProgress';
export { untilSettled } from './untilSettled';
export type * from './types';
