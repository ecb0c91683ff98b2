import { BackgroundFetchRegistration, registrationToken } from './BackgroundFetchRegistration';
import { Engine, type ManagerLink } from './engine/Engine';
import type { FetchJob } from './engine/FetchJob';
import { invalidState, quotaExceeded } from './errors';
import { checkId, normalizeFetchOptions, type BackgroundFetchOptions } from './fetchOptions';
import { resolveManagerOptions, type BackgroundFetchManagerOptions, type ManagerSettings } from './managerOptions';
import { storeRequest, toRequests } from './normalizeRequests';
import { sharedIndexedDBStore } from './store/indexedDBStore';

/**
 * The Background Fetch API as a ponyfill: works in a page, a worker, a service worker and
 * Node 20+, changes no global. Completion events (`backgroundfetchsuccess`, `…fail`, `…abort`)
 * fire on `options.events`, by default the manager itself (or the service worker global).
 *
 * @example
 * const manager = new BackgroundFetchManager({ baseURL: 'https://media.example/' });
 * const registration = await manager.fetch('episode-1', ['/ep1.mp3'], { downloadTotal: 60e6 });
 */
export class BackgroundFetchManager extends EventTarget {
  readonly #settings: ManagerSettings;
  readonly #engine: Engine;
  readonly #views = new WeakMap<FetchJob, BackgroundFetchRegistration>();
  readonly #link: ManagerLink;
  #closed = false;

  constructor(options?: BackgroundFetchManagerOptions) {
    super();
    this.#settings = resolveManagerOptions(options, globalThis as never, sharedIndexedDBStore);
    this.#link = { events: this.#settings.events ?? this, view: (job) => this.#view(job) };
    this.#engine = Engine.attach(this.#settings, this.#link);
  }

  /**
   * Starts a background fetch and resolves with its registration as soon as it is stored,
   * before any download ends. Rejects `TypeError` for bad input or an id already active in this
   * scope, `QuotaExceededError` when `downloadTotal` exceeds the free quota; nothing is stored then.
   */
  async fetch(id: string, requests: RequestInfo | URL | ReadonlyArray<RequestInfo | URL>, options: BackgroundFetchOptions = {}): Promise<BackgroundFetchRegistration> {
    this.#checkOpen('fetch');
    checkId(id);
    const engine = this.#engine;
    // Claimed before any await, so two fetch() calls with one id in the same tick collide.
    if (!engine.reserve(id)) throw new TypeError(`A background fetch with id "${id}" is already active in scope "${this.#settings.scope}"; pick another id or abort it first.`);
    try {
      const settings = normalizeFetchOptions(options);
      const list = toRequests(requests, this.#settings.baseURL);
      const stored = await Promise.all(list.map(storeRequest));
      await engine.ready;
      this.#checkOpen('fetch');
      if (engine.active(id) !== undefined) throw new TypeError(`A background fetch with id "${id}" is already active in scope "${this.#settings.scope}".`);
      if (settings.downloadTotal > 0 && this.#settings.quota !== undefined) {
        const { usage, quota } = await this.#settings.quota();
        if (settings.downloadTotal > quota - usage) {
          throw quotaExceeded(`downloadTotal (${settings.downloadTotal} bytes) is more than the ${Math.max(0, quota - usage)} bytes of storage quota free.`);
        }
      }
      return this.#view(await engine.create(id, stored, settings));
    } finally {
      engine.release(id);
    }
  }

  /** The registration of the active fetch `id`, the same object `fetch()` gave; `undefined` when none is active. */
  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    this.#checkOpen('get');
    checkId(id, 'get');
    await this.#engine.ready;
    const job = this.#engine.active(id);
    return job === undefined ? undefined : this.#view(job);
  }

  /** The ids of the active fetches of this scope, oldest first. */
  async getIds(): Promise<string[]> {
    this.#checkOpen('getIds');
    await this.#engine.ready;
    return this.#engine.ids();
  }

  /**
   * Stops this manager's work as a page unload would: its requests are cancelled and their
   * connections closed; nothing is aborted or lost, and a later manager of the same scope and
   * store resumes every unfinished fetch.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#engine.detach(this.#link);
  }

  #view(job: FetchJob): BackgroundFetchRegistration {
    let view = this.#views.get(job);
    if (view === undefined) this.#views.set(job, (view = new BackgroundFetchRegistration(registrationToken, job.source())));
    return view;
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw invalidState(`${method}() was called on a closed BackgroundFetchManager; make a new one.`);
  }

  get [Symbol.toStringTag](): string {
    return 'BackgroundFetchManager';
  }
}

for (const name of ['fetch', 'get', 'getIds', 'close']) {
  Object.defineProperty(BackgroundFetchManager.prototype, name, { enumerable: true });
}
