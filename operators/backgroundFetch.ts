import { EMPTY, concat, defer, from, of, scan, startWith, tap, type Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { abortWhen } from './abortWhen';
import { countBytes } from './countBytes';
import { fetchRecords, type FetchOne } from './fetchRecords';
import { httpRecord, type HttpRecordOptions } from './httpRecord';
import { limitDownloadTotal } from './limitDownloadTotal';
import { createTally } from './tally';
import type { FetchTally, FetchUI, RecordResult, StoredRequest } from './types';
import { untilSettled } from './untilSettled';

/**
 * The fetch {@link backgroundFetch} runs: its id, its requests as plain data, its `downloadTotal`.
 *
 * @example
 * const album: BackgroundFetchInput = { id: 'album', requests: [{ url: 'https://example.test/1.mp3', method: 'GET', headers: [], body: null }] };
 * backgroundFetch(album, { transport: fetch, sink: memorySink() });
 */
export interface BackgroundFetchInput {
  /** The fetch's id. */
  readonly id: string;
  /** The title of its UI. Default `""`. */
  readonly title?: string;
  /** The icons of its UI. Default none. */
  readonly icons?: FetchUI['icons'];
  /** The requests, in order. */
  readonly requests: readonly StoredRequest[];
  /** Bytes the fetch may download; 0 is no limit. Default 0. */
  readonly downloadTotal?: number;
}

/**
 * How {@link backgroundFetch} runs a fetch, besides the fetch stage's own options.
 *
 * @example
 * const stage: BackgroundFetchStageOptions = { concurrency: 2, abort$: fromEvent(button, 'click') };
 * backgroundFetch(album, { ...stage, transport: fetch, sink });
 */
export interface BackgroundFetchStageOptions {
  /** Records in flight at once; a positive integer or `Infinity`. Default 4. */
  readonly concurrency?: number;
  /** Where a resumed fetch stands (bytes and results as stored); default: nothing done yet. */
  readonly seed?: FetchTally;
  /** Aborts the fetch when it emits: the final tally says `"aborted"` and every request stops. */
  readonly abort$?: ObservableInput<unknown>;
  /** Where an abort lands ({@link abortWhen}): a task later by default; a test passes its virtual scheduler. */
  readonly abortScheduler?: SchedulerLike;
  /** Told each record's result as the record settles, before it is counted: where it is stored. */
  readonly settleRecord?: (index: number, result: RecordResult) => void;
  /**
   * The tail after the final tally (the completion event, in the engine): called once with it;
   * each step of what it returns makes a tally (a `ui` step changes the UI's title or icons, the
   * `released` step makes the records unavailable); when it completes, the stream completes.
   * Absent: the stream completes right after the final tally.
   */
  readonly release?: (final: FetchTally) => ObservableInput<TailStep>;
}

/**
 * A step of {@link backgroundFetch}'s tail, after the final tally: `updateUI()` changed the
 * title or icons (`ui`), or the completion event is over and the records go (`released`).
 *
 * @example
 * const steps: TailStep[] = [{ type: 'ui', ui: { title: 'Album ready' } }, { type: 'released' }];
 */
export type TailStep =
  | {
      /** `updateUI()` changed the UI. */
      readonly type: 'ui';
      /** The title or icons it gave; what it left out stays as it was. */
      readonly ui: Partial<FetchUI>;
    }
  | {
      /** The completion event is over: the records become unavailable. */
      readonly type: 'released';
    };

/**
 * Options of {@link backgroundFetch}: an {@link httpRecord}'s options, or a `fetchRecord` of one's own.
 *
 * @example
 * const options: BackgroundFetchRunOptions = { transport: fetch, sink: memorySink(), retry: 5, concurrency: 2 };
 * backgroundFetch(album, options);
 */
export type BackgroundFetchRunOptions = BackgroundFetchStageOptions & (HttpRecordOptions | OwnFetchStage);

/**
 * A fetch stage of one's own for {@link backgroundFetch}, instead of {@link httpRecord}.
 *
 * @example
 * const stage: OwnFetchStage = { fetchRecord: ({ index }) => of({ type: 'settled', index, result: 'success' }) };
 * backgroundFetch(album, stage);
 */
export interface OwnFetchStage {
  /** Fetches one record: its events, ending with its `settled` event (see {@link FetchOne} for `read`). */
  readonly fetchRecord: FetchOne;
}

/**
 * The whole pipeline of one background fetch: the records not settled yet go through
 * {@link fetchRecords} ∘ {@link httpRecord}, their results to `settleRecord`, their events
 * through {@link countBytes}, {@link limitDownloadTotal}, {@link untilSettled} and
 * {@link abortWhen}; then the `release` tail. Emits the seed first, then an immutable
 * {@link FetchTally} per step (each shares the record statuses it did not change), and exactly
 * one final tally. A seed that is already final runs only the tail. Unsubscribing before the
 * final tally stops every request and settles nothing (a resume continues from the store).
 *
 * @example
 * import { backgroundFetch, memorySink } from 'rx-background-fetch/operators';
 * backgroundFetch({ id: 'album', requests }, { transport: fetch, sink: memorySink() }).subscribe((t) => console.log(t.state));
 */
export function backgroundFetch(fetch: BackgroundFetchInput, options: BackgroundFetchRunOptions): Observable<FetchTally> {
  const downloadTotal = fetch.downloadTotal ?? 0;
  const seed = options.seed ?? createTally({ ...fetch, downloadTotal, uploadTotal: uploadTotalOf(fetch.requests) }, fetch.requests.length);
  if (seed.records.length !== fetch.requests.length) {
    throw new RangeError(`backgroundFetch: the seed has ${seed.records.length} records but fetch "${fetch.id}" has ${fetch.requests.length} requests; seed it from this fetch.`);
  }
  const fetchRecord = 'fetchRecord' in options ? options.fetchRecord : httpRecord(options);
  const { settleRecord, release } = options;
  return defer(() => {
    let final: FetchTally | undefined;
    const pending = fetch.requests.map((request, index) => ({ index, request })).filter(({ index }) => seed.records.at(index)?.result === '');
    const downloads: Observable<FetchTally> =
      seed.state.result !== ''
        ? of(seed)
        : from(pending).pipe(
            fetchRecords(fetchRecord, { concurrency: options.concurrency }),
            tap((event) => {
              if (event.type === 'settled') settleRecord?.(event.index, event.result);
            }),
            countBytes(seed),
            startWith(seed),
            limitDownloadTotal(downloadTotal),
            untilSettled(),
            abortWhen(options.abort$ ?? EMPTY, options.abortScheduler),
          );
    return concat(
      downloads.pipe(tap((tally) => (final = tally.state.result === '' ? undefined : tally))),
      defer(() => (final === undefined || release === undefined ? EMPTY : releaseAfter(final, release))),
    );
  });
}

/** The tallies of the tail: the final one with each step applied; completes with `release`'s steps. */
function releaseAfter(final: FetchTally, release: (final: FetchTally) => ObservableInput<TailStep>): Observable<FetchTally> {
  return defer(() => from(release(final))).pipe(
    scan((tally: FetchTally, step: TailStep): FetchTally => {
      if (step.type === 'released') return { ...tally, state: { ...tally.state, recordsAvailable: false }, changed: -1 };
      return { ...tally, ui: { title: step.ui.title ?? tally.ui.title, icons: step.ui.icons ?? tally.ui.icons }, changed: -1 };
    }, final),
  );
}

function uploadTotalOf(requests: readonly StoredRequest[]): number {
  return requests.reduce((sum, request) => sum + (request.body?.byteLength ?? 0), 0);
}
