import { BehaviorSubject, Subject, defer, distinctUntilChanged, filter, map, merge, of, type Observable, type ObservableInput, type Subscription } from 'rxjs';
import { backgroundFetch } from '../../operators/backgroundFetch';
import { throttleProgress } from '../../operators/throttleProgress';
import type { TailStep } from '../../operators/backgroundFetch';
import type { BackgroundFetchState, FetchTally, FetchUI, RecordStatus, Transport } from '../../operators/types';
import { abortError, invalidState } from '../errors';
import type { ManagerSettings } from '../managerOptions';
import { matchKey, matchingRecords } from '../matchRequest';
import { toQuery } from '../normalizeRequests';
import type { StoredFetch } from '../store/types';
import { guardSink, type GuardedSink } from './guardedSink';
import type { RecordSource } from './recordResponse';

/** Cache-API matching options, as `matchingRecords` takes them. */
type MatchOptions = Parameters<typeof matchingRecords>[4];

/** What a job needs from the engine that runs it. */
export interface JobContext {
  readonly settings: ManagerSettings;
  readonly transport: Transport;
  /**
   * Called once with the final tally, after every view has seen it: the completion event, whose
   * steps (UI changes, then the records' release) make the last tallies; when it completes, so
   * does the job's stream.
   */
  readonly release: (job: FetchJob, final: FetchTally) => ObservableInput<TailStep>;
}

/**
 * One background fetch being run: `tally$` holds the last tally of its pipeline
 * ({@link backgroundFetch}: fetch stage, byte counting, guards, the completion tail), the one
 * stream of its state that registrations, events and the store all read; the pipeline is its
 * only writer.
 *
 * @example
 * const job = new FetchJob(fetch, createTally(fetch, fetch.requests.length), context);
 * job.start();
 */
export class FetchJob implements RecordSource {
  readonly fetch: StoredFetch;
  /** The pipeline's last tally, for views that join late; the pipeline is its only writer. */
  readonly #tally$: BehaviorSubject<FetchTally>;
  readonly #context: JobContext;
  readonly #abort$ = new Subject<void>();
  /** Errors when the job stops unsettled (its manager closed): what waits on a record gives up. */
  readonly #cutOff$ = new Subject<never>();
  readonly #sink: GuardedSink;
  #pipeline: Subscription | undefined;
  #ended = false;
  #stopped: Promise<void> | undefined;
  /** The final tally of the fetch an abort() was asked of, once the pipeline's abortWhen lands it (or the fetch settled first). */
  #aborting: Promise<FetchTally | undefined> | undefined;
  #persisted: Promise<void> = Promise.resolve();
  // The stored URLs' match keys, without and with `ignoreSearch`, made by the first match() that
  // needs them: parsing two URLs per record on every call made match() 24× a plain scan.
  readonly #matchKeys: [string[] | undefined, string[] | undefined] = [undefined, undefined];

  constructor(fetch: StoredFetch, seed: FetchTally, context: JobContext) {
    this.fetch = fetch;
    this.#context = context;
    this.#tally$ = new BehaviorSubject(seed);
    this.#sink = guardSink(context.settings.store.sink(fetch.key), context.settings.quota);
  }

  /** Starts (or resumes) the downloads of every record that has not settled. */
  start(): void {
    const { settings, transport } = this.#context;
    const { store } = settings;
    const seed = this.#tally$.getValue();
    this.#pipeline = backgroundFetch(this.fetch, {
      transport,
      sink: this.#sink,
      retry: settings.retry,
      timeout: settings.timeout,
      patience: settings.patience,
      online$: settings.online$,
      origin: settings.origin,
      concurrency: settings.concurrency,
      seed,
      abort$: this.#abort$,
      settleRecord: (index, result) => this.#persist(() => store.settleRecord(this.fetch.key, index, result)),
      release: (final) => this.#context.release(this, final),
    }).subscribe({
      next: (tally) => {
        if (tally !== seed) this.#tally$.next(tally);
      },
      complete: () => {
        this.#ended = true;
        this.#tally$.complete();
      },
    });
  }

  /**
   * Aborts the fetch: `false` when it has already settled (or another abort() is landing).
   * Rejects with `InvalidStateError` once the job was stopped unsettled (its manager closed):
   * nothing here could abort it any more, and the manager that resumes it would run it to its
   * end. The pipeline's `abortWhen` lands the abort a task later, after the work already
   * queued: a record's last bytes are counted (and a `progress` event or a `state$` value may
   * call this) just before the record settles, and a body read and stored whole is not cut off
   * by an abort that saw it counted. `true` once the fetch ended aborted; `false` when it
   * settled otherwise first. A `stop()` meanwhile waits for it to land.
   */
  async abort(): Promise<boolean> {
    if (!this.#abortable() || this.#aborting !== undefined) return false;
    this.#aborting = new Promise((resolve) => {
      const watch = this.#tally$.pipe(filter((tally) => tally.state.result !== '')).subscribe({
        next: (tally) => {
          resolve(tally);
          watch.unsubscribe();
        },
        complete: () => resolve(undefined),
      });
    });
    this.#abort$.next();
    return (await this.#aborting)?.state.failureReason === 'aborted';
  }

  /** Whether an abort would stop something: `false` once settled; throws once stopped unsettled. */
  #abortable(): boolean {
    if (this.#tally$.getValue().state.result !== '') return false;
    if (this.#stopped !== undefined) {
      throw invalidState(`Background fetch "${this.fetch.id}" belongs to a closed BackgroundFetchManager; get() it from a new manager to abort it.`);
    }
    return true;
  }

  /**
   * Stops the downloads without settling anything (a page unload, or the end of a settled
   * fetch); resolves once writes under way have landed and refuses later ones, so nothing is
   * written after it (a write still landing after the fetch is removed would leave rows behind).
   * Once settled, the records it cut off keep only the bytes they were counted with. Every
   * call gets the same promise.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#aborting === undefined ? this.#halt() : this.#aborting.then(() => this.#halt());
    return this.#stopped;
  }

  async #halt(): Promise<void> {
    // A settled pipeline has stopped its requests already; what runs is its tail, the completion event.
    if (this.#tally$.getValue().state.result === '') {
      this.#pipeline?.unsubscribe();
      this.#cutOff$.error(abortError(`The BackgroundFetchManager running "${this.fetch.id}" was closed; get() the fetch from a new manager and match() again.`));
    }
    await this.#sink.shut();
    await this.#persisted;
    if (this.#tally$.getValue().state.result !== '') await this.#trimCutOff();
  }

  /**
   * Whether the fetch settled with every record whole (or never started): stopping it trims
   * nothing, so its result may be stored behind its records' last writes, in one commit with them.
   */
  get endedWhole(): boolean {
    const { state, records } = this.#tally$.getValue();
    return state.result !== '' && records.toArray().every(endedWhole);
  }

  /**
   * A record cut off (by abort or by another record's fatal result) while a chunk was being
   * stored gets that chunk after the final state was counted; dropping it keeps the store equal
   * to `downloaded` for the completion event (a close, by contrast, keeps it: the resume counts it).
   */
  async #trimCutOff(): Promise<void> {
    const sink = this.#context.settings.store.sink(this.fetch.key);
    const { records } = this.#tally$.getValue();
    await Promise.all(
      records.toArray().map(async (status, index) => {
        const { response, bytes } = status;
        if (response === null || endedWhole(status)) return;
        const { offset } = await sink.resumePoint(index);
        if (offset > bytes) await sink.begin(index, response, bytes);
      }),
    ).catch((error: unknown) => console.warn(`rx-background-fetch: could not drop the uncounted bytes of "${this.fetch.id}":`, error));
  }

  /** The public state, now and at each change, at most one per `progressInterval` ms (the final state at once); completes after the last. */
  states(progressInterval: number): Observable<BackgroundFetchState> {
    return this.#tallies().pipe(
      map((tally) => tally.state),
      distinctUntilChanged(),
      throttleProgress(progressInterval),
    );
  }

  /** Whether the running fetch waits for the network: now, then each change. */
  get waiting$(): Observable<boolean> {
    return this.#tallies().pipe(
      map((tally) => tally.waiting > 0 && tally.state.result === ''),
      distinctUntilChanged(),
    );
  }

  /** The title and icons of the fetch's UI: now, then each change (`updateUI()`). */
  get ui$(): Observable<FetchUI> {
    return this.#tallies().pipe(
      map((tally) => tally.ui),
      distinctUntilChanged(),
    );
  }

  /**
   * The indices of the records that match `request` (all of them for `undefined`), in request
   * order, by Cache-API rules; a relative URL is resolved against `baseURL`.
   */
  match(request: RequestInfo | URL | undefined, options: MatchOptions, baseURL: string | undefined): number[] {
    const query = request === undefined ? undefined : toQuery(request, baseURL);
    const records = this.#tally$.getValue().records;
    return matchingRecords(query, this.fetch.requests, (ignoreSearch) => this.#storedKeys(ignoreSearch), (index) => records.at(index)!.response, options);
  }

  /** The last tally of the fetch's pipeline. */
  get tally(): FetchTally {
    return this.#tally$.getValue();
  }

  /** The fetch's tallies: the current one, then each change; the last one alone once it ended. */
  get tallies$(): Observable<FetchTally> {
    return this.#tallies();
  }

  current(index: number): RecordStatus {
    return this.#tally$.getValue().records.at(index)!;
  }

  /** The record's status now, then whenever a tally touches it; errors `AbortError` once the job stopped unsettled. */
  watch(index: number): Observable<RecordStatus> {
    const statuses = this.#tallies().pipe(
      filter((tally, seen) => seen === 0 || tally.changed === index || tally.changed === -1 || tally.state.result !== ''),
      map((tally) => tally.records.at(index)!),
    );
    return merge(statuses, this.#cutOff$);
  }

  readChunks(index: number, from: number, count?: number): Promise<Uint8Array[]> {
    return this.#context.settings.store.readChunks(this.fetch.key, index, from, count);
  }

  #tallies(): Observable<FetchTally> {
    return defer(() => (this.#ended ? of(this.#tally$.getValue()) : this.#tally$));
  }

  /**
   * Stores a record result at once, not after the last one landed: the store keeps the order of
   * its writes (the IndexedDB store commits the results queued meanwhile together), and a chain
   * of one commit per record would hold the completion event back behind the last of them.
   */
  #persist(write: () => Promise<void>): void {
    const stored = write().catch((error: unknown) => {
      console.warn(`rx-background-fetch: could not store a record result of "${this.fetch.id}":`, error);
    });
    this.#persisted = Promise.all([this.#persisted, stored]).then(() => undefined);
  }

  #storedKeys(ignoreSearch: boolean): string[] {
    const slot = ignoreSearch ? 1 : 0;
    return (this.#matchKeys[slot] ??= this.fetch.requests.map((stored) => matchKey(stored.url, ignoreSearch)));
  }
}

/**
 * Whether a settled record's stored bytes are those it was counted with: it ended whole, or it
 * never got a head. The ones cut off (by abort, or the record whose bytes passed downloadTotal or
 * the quota, itself included) may have had a write land after their last count.
 */
function endedWhole({ result, response }: RecordStatus): boolean {
  return result === 'success' || result === 'bad-status' || result === 'fetch-error' || response === null;
}
