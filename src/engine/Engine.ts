import { createTally, firstFailure, settleTally } from '../../operators/tally';
import { RecordTable } from '../../operators/recordTable';
import { BehaviorSubject, Observable } from 'rxjs';
import type { TailStep } from '../../operators/backgroundFetch';
import type { BackgroundFetchFailureReason, FetchTally, FetchUI, RecordStatus, StoredRequest, Transport } from '../../operators/types';
import { invalidState } from '../errors';
import type { BackgroundFetchOptions } from '../fetchOptions';
import type { ManagerSettings } from '../managerOptions';
import type { BackgroundFetchStore, LoadedFetch, StoredFetch } from '../store/types';
import { createKyTransport } from '../transport/kyTransport';
import { FetchJob } from './FetchJob';

/**
 * The completion event of a settled fetch.
 *
 * @example
 * const type: CompletionType = reason === '' ? 'backgroundfetchsuccess' : 'backgroundfetchfail';
 * await link.complete(job, type, (ui) => console.log(ui.title));
 */
export type CompletionType = 'backgroundfetchsuccess' | 'backgroundfetchfail' | 'backgroundfetchabort';

/**
 * What the engine needs from a manager attached to it.
 *
 * @example
 * const link: ManagerLink = { settings, events: manager, complete: (job, type, updateUI) => fire(job, type, updateUI) };
 * const engine = Engine.attach(settings, link);
 */
export interface ManagerLink {
  /** The manager's settings: the fetches it starts run with them. */
  readonly settings: ManagerSettings;
  /** Where this manager's completion events fire (one event per distinct target). */
  readonly events: EventTarget;
  /**
   * Fires the completion event `type` of `job` on `events`; resolves once it is over (its
   * `waitUntil` promises settled). `updateUI` is told the title and icons an `updateUI()` gave.
   */
  complete(job: FetchJob, type: CompletionType, updateUI: (ui: Partial<FetchUI>) => void): Promise<void>;
}

interface Slot {
  engine: Engine | undefined;
  /** Resolves once the last engine of this slot has stopped writing and stored every result it was settling. */
  closing: Promise<void>;
  /** Keys of the fetches whose completion event an engine of this slot is firing: a newer engine leaves them to it. */
  readonly firing: Set<string>;
  /** The last creation stamp given in this slot: stamps only order the fetches of one store and scope. */
  lastStamp: number;
}

// Module-level because the platform forces one engine per store and scope per realm: two would
// download the same stored fetch twice. Keyed weakly by the store, so a store let go takes its slots along.
const slots = new WeakMap<BackgroundFetchStore, Map<string, Slot>>();

/**
 * Runs the background fetches of one scope in one store, for every manager of that scope and
 * store in this realm (so only one of them downloads). It resumes what the store holds when
 * it starts, keeps the active ids, settles fetches and fires their completion events.
 *
 * @example
 * const engine = Engine.attach(settings, link);
 * await engine.ready;
 */
export class Engine {
  readonly ready: Promise<void>;
  readonly #settings: ManagerSettings;
  readonly #transport: Transport;
  /** The active ids as a stream, for pages and hosts that follow every fetch of the scope. */
  readonly #ids = new BehaviorSubject<string[]>([]);
  /** Ids claimed by a `fetch()` still registering: not a job yet, so no stream to read them from. */
  readonly #reserved = new Set<string>();
  readonly #links = new Set<ManagerLink>();
  /** The jobs until their completion is over, oldest first; the active ones are those whose last tally is not final. */
  readonly #jobs = new Set<FetchJob>();
  readonly #storing = new Set<Promise<ManagerLink[]>>();
  /** `store.create()` calls under way: the next engine of the slot must see what they store. */
  readonly #registering = new Set<Promise<void>>();
  /** Every manager detached: nothing starts any more, the next engine of the slot runs what is stored. */
  #closed = false;
  readonly #slot: Slot;

  private constructor(settings: ManagerSettings, slot: Slot) {
    this.#settings = settings;
    this.#slot = slot;
    this.#transport = transportOf(settings);
    this.ready = slot.closing.then(() => this.#resume());
  }

  /**
   * The engine of the settings' scope and store, made (and resuming) if there is none. A later
   * manager's settings are not ignored: the fetches it starts run with its own `fetch`,
   * `concurrency`, `timeout`, `retry`, `patience` and `quota` (its link carries them); what the
   * engine resumes from the store runs with the settings of the manager that made the engine.
   */
  static attach(settings: ManagerSettings, link: ManagerLink): Engine {
    let byScope = slots.get(settings.store);
    if (byScope === undefined) slots.set(settings.store, (byScope = new Map()));
    let slot = byScope.get(settings.scope);
    if (slot === undefined) byScope.set(settings.scope, (slot = { engine: undefined, closing: Promise.resolve(), firing: new Set(), lastStamp: 0 }));
    slot.engine ??= new Engine(settings, slot);
    slot.engine.#links.add(link);
    return slot.engine;
  }

  /**
   * Detaches a manager; the last one out stops every download (nothing is settled or lost) and
   * lets the next engine start once the results of fetches settling now are stored.
   */
  async detach(link: ManagerLink): Promise<void> {
    this.#links.delete(link);
    if (this.#links.size > 0) return;
    this.#closed = true;
    const stopped = this.ready
      .catch(() => undefined)
      .then(() => Promise.all(this.#registering))
      .then(() => Promise.all([...[...this.#jobs].map((job) => job.stop()), ...this.#storing]))
      .then(() => undefined);
    if (this.#slot.engine === this) {
      this.#slot.engine = undefined;
      this.#slot.closing = stopped;
    }
    await stopped;
  }

  /** Claims `id` for a `fetch()` in progress; `false` when it is active or claimed already. */
  reserve(id: string): boolean {
    if (this.#running().has(id) || this.#reserved.has(id)) return false;
    this.#reserved.add(id);
    return true;
  }

  release(id: string): void {
    this.#reserved.delete(id);
  }

  /** The active job with this id. */
  active(id: string): FetchJob | undefined {
    return this.#running().get(id);
  }

  /** Active ids, oldest first. */
  ids(): string[] {
    return [...this.#running().keys()];
  }

  /** The active jobs by id, oldest first: read from each job's last tally, never kept beside it. */
  #running(): Map<string, FetchJob> {
    const running = new Map<string, FetchJob>();
    for (const job of this.#jobs) if (job.tally.state.result === '') running.set(job.fetch.id, job);
    return running;
  }

  /** Tells `ids$` when the active ids changed. */
  #publishIds(): void {
    const ids = this.ids();
    const last = this.#ids.getValue();
    if (ids.length !== last.length || ids.some((id, index) => id !== last[index])) this.#ids.next(ids);
  }

  /** Active ids, oldest first: now, then on every change. */
  get ids$(): Observable<string[]> {
    return this.#ids;
  }

  /**
   * Stores and starts a new fetch. Refused with `InvalidStateError` once every manager closed;
   * a fetch whose storing began before that is stored but not started: the next engine of the
   * slot waits for the write, loads it and runs it, so exactly one engine ever downloads it.
   */
  async create(id: string, requests: StoredRequest[], options: Required<BackgroundFetchOptions>, settings: ManagerSettings = this.#settings): Promise<FetchJob> {
    if (this.#closed) throw invalidState(`close() was called while background fetch "${id}" was being registered, so it was not stored; call fetch() on a new BackgroundFetchManager.`);
    const fetch: StoredFetch = {
      key: crypto.randomUUID(),
      scope: this.#settings.scope,
      id,
      requests,
      downloadTotal: options.downloadTotal,
      uploadTotal: requests.reduce((sum, request) => sum + (request.body?.byteLength ?? 0), 0),
      title: options.title,
      icons: options.icons,
      created: creationStamp(this.#slot),
    };
    const stored = this.#settings.store.create(fetch).finally(() => this.#registering.delete(stored));
    this.#registering.add(stored);
    await stored;
    return this.#run(fetch, createTally(fetch, requests.length), settings);
  }

  async #resume(): Promise<void> {
    const loaded = await this.#settings.store.load(this.#settings.scope);
    for (const entry of loaded) if (!this.#slot.firing.has(entry.fetch.key)) this.#run(entry.fetch, seedOf(entry));
  }

  /** Runs a fetch with the settings of the manager that started it (resumed ones: those of the engine's first manager). */
  #run(fetch: StoredFetch, seed: FetchTally, settings: ManagerSettings = this.#settings): FetchJob {
    const job = new FetchJob(fetch, seed, {
      settings,
      transport: this.#transportFor(settings),
      release: (settled, final) => new Observable<TailStep>((subscriber) => this.#settle(settled, final, (step) => subscriber.next(step), () => subscriber.complete())),
    });
    this.#jobs.add(job);
    this.#publishIds();
    if (this.#closed) void job.stop();
    else job.start();
    return job;
  }

  /** One transport per distinct `fetch`, `retry` and `timeout`: the engine's own for its settings. */
  #transportFor(settings: ManagerSettings): Transport {
    const own = this.#settings;
    if (settings.fetch === own.fetch && settings.retry === own.retry && settings.timeout === own.timeout) return this.#transport;
    return transportOf(settings);
  }

  /** Settles a job: its completion event's steps go to `step` (UI changes, then the release), `ended` once it is gone from the store. */
  #settle(job: FetchJob, final: FetchTally, step: (step: TailStep) => void, ended: () => void): void {
    this.#publishIds();
    const stored: Promise<ManagerLink[]> = this.#storeResult(job, final.state.failureReason).finally(() => this.#storing.delete(stored));
    this.#storing.add(stored);
    void stored
      .then((links) => (links.length > 0 ? this.#complete(job, final, links, step, ended) : undefined))
      .finally(() => this.#jobs.delete(job));
  }

  /**
   * Lands the fetch's last writes and its result, then picks the managers whose events fire.
   * None when every manager closed first: the fetch then stays stored, settled, and the next
   * manager of the scope fires its event, so a close() never loses an event nor fires one twice.
   */
  async #storeResult(job: FetchJob, reason: BackgroundFetchFailureReason): Promise<ManagerLink[]> {
    const storeResult = () => this.#settings.store.settleFetch(job.fetch.key, reason).catch((error: unknown) => warn(job, 'could not store its result', error));
    // The store keeps the order of writes: with nothing to trim, the result goes right behind the
    // records' results (the IndexedDB store commits them together), not one commit after them.
    const early = job.endedWhole ? storeResult() : undefined;
    await job.stop();
    await (early ?? storeResult());
    const links = [...this.#links];
    if (links.length > 0) this.#slot.firing.add(job.fetch.key);
    return links;
  }

  async #complete(job: FetchJob, final: FetchTally, links: readonly ManagerLink[], step: (step: TailStep) => void, ended: () => void): Promise<void> {
    const { store } = this.#settings;
    const reason = final.state.failureReason;
    const type: CompletionType = reason === '' ? 'backgroundfetchsuccess' : reason === 'aborted' ? 'backgroundfetchabort' : 'backgroundfetchfail';
    const targets = new Set<EventTarget>();
    const dispatches: Promise<void>[] = [];
    for (const link of links) {
      if (targets.has(link.events)) continue;
      targets.add(link.events);
      dispatches.push(link.complete(job, type, (ui) => step({ type: 'ui', ui })));
    }
    await Promise.all(dispatches).catch((error: unknown) => warn(job, `a ${type} listener failed`, error));
    step({ type: 'released' });
    await store.remove(job.fetch.key).catch((error: unknown) => warn(job, 'could not be removed from the store', error));
    this.#slot.firing.delete(job.fetch.key);
    ended();
  }
}

/** Milliseconds since the epoch, strictly increasing in the slot, so fetches made in one millisecond keep their order. */
function creationStamp(slot: Slot): number {
  slot.lastStamp = Math.max(Date.now(), slot.lastStamp + 1);
  return slot.lastStamp;
}

function warn(job: FetchJob, what: string, error: unknown): void {
  console.warn(`rx-background-fetch: background fetch "${job.fetch.id}" ${what}:`, error);
}

/** The tally a stored fetch resumes from: its records' bytes and results as stored. */
function seedOf({ fetch, records, settled }: LoadedFetch): FetchTally {
  const tally = createTally(fetch, records.length);
  let downloaded = 0;
  let uploaded = 0;
  let count = 0;
  const statuses = records.map((record, index): RecordStatus => {
    downloaded += record.bytes;
    if (record.response !== null) uploaded += fetch.requests[index].body?.byteLength ?? 0;
    if (record.result !== '') count++;
    return { response: record.response, bytes: record.bytes, result: record.result, generation: 0 };
  });
  const seed: FetchTally = { ...tally, records: RecordTable.from(statuses), state: { ...tally.state, downloaded, uploaded }, settled: count };
  if (settled !== null) return settleTally(seed, settled.failureReason);
  return count === records.length ? settleTally(seed, firstFailure(seed.records)) : seed;
}

/** The transport of a manager's settings: a `fetch` of the user's own always gets `Request`s. */
function transportOf(settings: ManagerSettings): Transport {
  return createKyTransport({ fetch: settings.fetch, retry: settings.retry, timeout: settings.timeout, takesURLs: settings.platformFetch });
}
