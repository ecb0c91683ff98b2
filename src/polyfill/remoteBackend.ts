import { BehaviorSubject, Observable, type Subscription } from 'rxjs';
import type { BackgroundFetchState, RecordStatus, StoredRequest } from '../../operators/types';
import { BackgroundFetchRecord, recordToken } from '../BackgroundFetchRecord';
import { BackgroundFetchRegistration, registrationToken, type MatchOptions } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import { streamedRecordResponse } from '../engine/recordResponse';
import type { BackgroundFetchOptions } from '../fetchOptions';
import { matchingRecords } from '../matchRequest';
import { toLiveRequest, toQuery } from '../normalizeRequests';
import { MirroredRecords } from './mirroredRecords';
import type { Answers, Call, RemoteFetch } from './protocol';

/** Sends one call to the host and resolves with its answer; `cancel` stops resending it (the call is then left unanswered). */
export type Caller = <C extends Call>(call: C, cancel?: AbortSignal) => Promise<Answers[C['method']]>;

interface Mirror {
  readonly registration: BackgroundFetchRegistration;
  readonly state: BehaviorSubject<BackgroundFetchState>;
  readonly waiting: BehaviorSubject<boolean>;
  readonly records: MirroredRecords;
  seq: number;
  ended: boolean;
}

// States that arrive before the reply that names their fetch; a few suffice.
const earlyLimit = 64;

/** The states of a fetch heard before its mirror exists: the latest, and each record's latest status with the seq that brought it. */
interface Early {
  latest: RemoteFetch;
  readonly records: Map<number, { readonly seq: number; readonly status: RecordStatus }>;
}

/**
 * The page side of the polyfill: a manager backend whose fetches run in the host (the service
 * worker, or the page that holds the scope's lock). Registration objects here mirror the host's
 * state as it is published, `progress` events included, and its records (requests, response
 * heads, bytes): `match()` matches here and calls the host only to read a body's stored chunks.
 *
 * @example
 * const backend = new RemoteBackend(scope, location.href, caller);
 * channel.onmessage = (event) => backend.receive(event.data.fetch);
 */
export class RemoteBackend implements ManagerBackend {
  readonly scope: string;
  readonly baseURL: string | undefined;
  readonly #call: Caller;
  readonly #pending = new Set<string>();
  readonly #mirrors = new Map<string, Mirror>();
  readonly #early = new Map<string, Early>();
  /** The scope's active ids as the published states tell them, seeded once from the host. */
  readonly #ids = new BehaviorSubject<string[]>([]);
  #seeded: Promise<void> | undefined;

  constructor(scope: string, baseURL: string | undefined, call: Caller) {
    this.scope = scope;
    this.baseURL = baseURL;
    this.#call = call;
  }

  /** Whether any mirrored fetch is still running (the host should be kept alive). */
  get running(): boolean {
    for (const mirror of this.#mirrors.values()) if (mirror.state.getValue().result === '') return true;
    return false;
  }

  reserve(id: string): () => void {
    if (this.#pending.has(id)) throw new TypeError(`A background fetch with id "${id}" is already being started in scope "${this.scope}".`);
    this.#pending.add(id);
    return () => this.#pending.delete(id);
  }

  async fetch(id: string, requests: StoredRequest[], options: Required<BackgroundFetchOptions>): Promise<BackgroundFetchRegistration> {
    // The host stores these requests as they are sent, so they are the mirror's too.
    return this.#mirror(await this.#call({ method: 'fetch', id, requests, options }), requests);
  }

  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    const found = await this.#call({ method: 'get', id });
    return found === null ? undefined : this.#mirror(found, found.requests);
  }

  getIds(): Promise<string[]> {
    return this.#call({ method: 'getIds' });
  }

  get ids$(): Observable<string[]> {
    const seed = () => (this.#seeded ??= this.getIds().then((ids) => this.#ids.next([...ids, ...this.#ids.getValue().filter((id) => !ids.includes(id))])));
    // Promise and Observable by hand: defer/from/switchMap would bring rxjs's innerFrom (and
    // tslib) into the page build.
    return new Observable<string[]>((subscriber) => {
      let ids: Subscription | undefined;
      seed().then(
        () => {
          if (!subscriber.closed) ids = this.#ids.subscribe(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => ids?.unsubscribe();
    });
  }

  async close(): Promise<void> {
    for (const mirror of this.#mirrors.values()) {
      mirror.state.complete();
      mirror.waiting.complete();
      mirror.records.end();
    }
    this.#mirrors.clear();
    this.#ids.complete();
  }

  /** Applies a state the host published. */
  receive(fetch: RemoteFetch): void {
    this.#follow(fetch.state);
    const mirror = this.#mirrors.get(fetch.key);
    if (mirror === undefined) {
      let early = this.#early.get(fetch.key);
      if (early === undefined) this.#early.set(fetch.key, (early = { latest: fetch, records: new Map() }));
      else if (early.latest.seq < fetch.seq) early.latest = fetch;
      // Each state carries only the records changed since the one before, so all are kept.
      for (const [index, status] of fetch.records) {
        if ((early.records.get(index)?.seq ?? -Infinity) < fetch.seq) early.records.set(index, { seq: fetch.seq, status });
      }
      if (this.#early.size > earlyLimit) this.#early.delete(this.#early.keys().next().value as string);
      return;
    }
    this.#apply(fetch.key, mirror, fetch);
  }

  #apply(key: string, mirror: Mirror, fetch: RemoteFetch): void {
    if (mirror.ended || fetch.seq <= mirror.seq) return;
    mirror.seq = fetch.seq;
    mirror.records.update(fetch.records);
    // A state sent for its records alone repeats the last one, which state$ must not emit again.
    if (!sameState(mirror.state.getValue(), fetch.state)) mirror.state.next(fetch.state);
    // Only changes: waiting$ repeats no value (and needs no distinctUntilChanged in the page build).
    const waiting = fetch.waiting && fetch.state.result === '';
    if (waiting !== mirror.waiting.getValue()) mirror.waiting.next(waiting);
    if (!fetch.state.recordsAvailable) {
      mirror.ended = true;
      mirror.state.complete();
      mirror.waiting.complete();
      mirror.records.end();
      this.#mirrors.delete(key);
    }
  }

  /** Keeps the active ids: a running state adds its id, a settled one removes it. */
  #follow(state: BackgroundFetchState): void {
    const ids = this.#ids.getValue();
    const listed = ids.includes(state.id);
    if (state.result === '' && !listed) this.#ids.next([...ids, state.id]);
    else if (state.result !== '' && listed) this.#ids.next(ids.filter((id) => id !== state.id));
  }

  #mirror(fetch: RemoteFetch, requests: readonly StoredRequest[]): BackgroundFetchRegistration {
    const existing = this.#mirrors.get(fetch.key);
    if (existing !== undefined) {
      this.#apply(fetch.key, existing, fetch);
      return existing.registration;
    }
    this.#follow(fetch.state);
    const state = new BehaviorSubject(fetch.state);
    const waiting = new BehaviorSubject(fetch.waiting && fetch.state.result === '');
    const { key } = fetch;
    const records = new MirroredRecords(requests, (index, from) => this.#call({ method: 'chunks', key, index, from }));
    records.update(fetch.records);
    let mirror: Mirror | undefined;
    const registration = new BackgroundFetchRegistration(registrationToken, {
      state$: lastOnceEnded(() => mirror?.ended === true, state, () => state.getValue()),
      waiting$: lastOnceEnded(() => mirror?.ended === true, waiting, () => false),
      abort: () => this.#call({ method: 'abort', key }),
      matchAll: async (request, options) => this.#matchAll(records, request, options),
    });
    mirror = { registration, state, waiting, records, seq: fetch.seq, ended: false };
    this.#mirrors.set(key, mirror);
    const early = this.#early.get(key);
    this.#early.delete(key);
    if (early !== undefined) {
      // Only what is newer than the reply: its records are complete as of its seq.
      const newer = [...early.records].flatMap(([index, { seq, status }]) => (seq > fetch.seq ? [[index, status] as const] : []));
      this.#apply(key, mirror, { ...early.latest, records: newer });
    }
    if (!fetch.state.recordsAvailable) this.#apply(key, mirror, { ...fetch, seq: Infinity });
    return registration;
  }

  #matchAll(records: MirroredRecords, request: RequestInfo | URL | undefined, options: MatchOptions): BackgroundFetchRecord[] {
    const query = request === undefined ? undefined : toQuery(request, this.baseURL);
    const found = matchingRecords(query, records.requests, (ignoreSearch) => records.keys(ignoreSearch), (index) => records.current(index).response, options);
    return found.map((index) => new BackgroundFetchRecord(recordToken, () => toLiveRequest(records.requests[index]), () => streamedRecordResponse(records, index)));
  }
}

function sameState(a: BackgroundFetchState, b: BackgroundFetchState): boolean {
  return (Object.keys(a) as (keyof BackgroundFetchState)[]).every((name) => a[name] === b[name]);
}

/**
 * `live` while the mirror runs; once it ended, `last()` at once and complete, as
 * `defer(() => (isEnded() ? of(last()) : live))` would, without rxjs's `of` machinery.
 */
function lastOnceEnded<T>(isEnded: () => boolean, live: Observable<T>, last: () => T): Observable<T> {
  return new Observable<T>((subscriber) => {
    if (!isEnded()) return live.subscribe(subscriber);
    subscriber.next(last());
    subscriber.complete();
  });
}
