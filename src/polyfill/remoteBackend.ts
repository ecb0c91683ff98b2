import { BehaviorSubject, defer, distinctUntilChanged, from, of, switchMap, type Observable } from 'rxjs';
import type { BackgroundFetchState, StoredRequest } from '../../operators/types';
import { BackgroundFetchRecord, recordToken } from '../BackgroundFetchRecord';
import { BackgroundFetchRegistration, registrationToken, type MatchOptions } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import { toResponse } from '../engine/recordResponse';
import type { BackgroundFetchOptions } from '../fetchOptions';
import { storeRequest, toLiveRequest, toQuery } from '../normalizeRequests';
import { fromWire, type Answers, type BodyMessage, type Call, type RemoteFetch } from './protocol';

/** Sends one call to the host and resolves with its answer. */
export type Caller = <C extends Call>(call: C) => Promise<Answers[C['method']]>;

interface Mirror {
  readonly registration: BackgroundFetchRegistration;
  readonly state: BehaviorSubject<BackgroundFetchState>;
  readonly waiting: BehaviorSubject<boolean>;
  seq: number;
  ended: boolean;
}

// States that arrive before the reply that names their fetch; a few suffice.
const earlyLimit = 64;

/**
 * The page side of the polyfill: a manager backend whose fetches run in the host (the service
 * worker, or the page that holds the scope's lock). Registration objects here mirror the host's
 * state as it is published, `progress` events included; `match()` reads records through calls.
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
  readonly #early = new Map<string, RemoteFetch>();
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
    return this.#mirror(await this.#call({ method: 'fetch', id, requests, options }));
  }

  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    const found = await this.#call({ method: 'get', id });
    return found === null ? undefined : this.#mirror(found);
  }

  getIds(): Promise<string[]> {
    return this.#call({ method: 'getIds' });
  }

  get ids$(): Observable<string[]> {
    const seed = () => (this.#seeded ??= this.getIds().then((ids) => this.#ids.next([...ids, ...this.#ids.getValue().filter((id) => !ids.includes(id))])));
    return defer(() => from(seed())).pipe(switchMap(() => this.#ids));
  }

  async close(): Promise<void> {
    for (const mirror of this.#mirrors.values()) {
      mirror.state.complete();
      mirror.waiting.complete();
    }
    this.#mirrors.clear();
    this.#ids.complete();
  }

  /** Applies a state the host published. */
  receive(fetch: RemoteFetch): void {
    this.#follow(fetch.state);
    const mirror = this.#mirrors.get(fetch.key);
    if (mirror === undefined) {
      const known = this.#early.get(fetch.key);
      if (known === undefined || known.seq < fetch.seq) this.#early.set(fetch.key, fetch);
      if (this.#early.size > earlyLimit) this.#early.delete(this.#early.keys().next().value as string);
      return;
    }
    this.#apply(fetch.key, mirror, fetch);
  }

  #apply(key: string, mirror: Mirror, fetch: RemoteFetch): void {
    if (mirror.ended || fetch.seq <= mirror.seq) return;
    mirror.seq = fetch.seq;
    mirror.state.next(fetch.state);
    mirror.waiting.next(fetch.waiting && fetch.state.result === '');
    if (!fetch.state.recordsAvailable) {
      mirror.ended = true;
      mirror.state.complete();
      mirror.waiting.complete();
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

  #mirror(fetch: RemoteFetch): BackgroundFetchRegistration {
    const existing = this.#mirrors.get(fetch.key);
    if (existing !== undefined) {
      this.#apply(fetch.key, existing, fetch);
      return existing.registration;
    }
    this.#follow(fetch.state);
    const state = new BehaviorSubject(fetch.state);
    const waiting = new BehaviorSubject(fetch.waiting && fetch.state.result === '');
    const { key } = fetch;
    let mirror: Mirror | undefined;
    const registration = new BackgroundFetchRegistration(registrationToken, {
      state$: defer(() => (mirror?.ended ? of(state.getValue()) : state)),
      waiting$: defer(() => (mirror?.ended ? of(false) : waiting.pipe(distinctUntilChanged()))),
      abort: () => this.#call({ method: 'abort', key }),
      matchAll: (request, options) => this.#matchAll(key, request, options),
    });
    mirror = { registration, state, waiting, seq: fetch.seq, ended: false };
    this.#mirrors.set(key, mirror);
    const early = this.#early.get(key);
    this.#early.delete(key);
    if (early !== undefined) this.#apply(key, mirror, early);
    if (!fetch.state.recordsAvailable) this.#apply(key, mirror, { ...fetch, seq: Infinity });
    return registration;
  }

  async #matchAll(key: string, request: RequestInfo | URL | undefined, options: MatchOptions): Promise<BackgroundFetchRecord[]> {
    const query = request === undefined ? null : await storeRequest(toQuery(request, this.baseURL));
    const plain = { ignoreSearch: options.ignoreSearch, ignoreMethod: options.ignoreMethod, ignoreVary: options.ignoreVary };
    const requests = await this.#call({ method: 'matchAll', key, query, options: plain });
    return requests.map(
      (stored, position) =>
        new BackgroundFetchRecord(recordToken, toLiveRequest(stored), async () => {
          const { head, body, port } = await this.#call({ method: 'response', key, query, options: plain, position });
          return toResponse(head, port === null ? body : streamFrom(port));
        }),
    );
  }
}

/** A body streamed from the host over a port, chunk by chunk as the host reads it. */
function streamFrom(port: MessagePort): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      port.onmessage = (event: MessageEvent<BodyMessage>) => {
        const message = event.data;
        if ('chunk' in message) controller.enqueue(message.chunk);
        else {
          port.close();
          if ('done' in message) controller.close();
          else controller.error(fromWire(message.error));
        }
      };
    },
    cancel: () => port.close(),
  });
}

