import { Observable, Subject } from 'rxjs';
import type { BackgroundFetchRegistration } from './BackgroundFetchRegistration';
import { backendOption, type ManagerBackend } from './backend';
import { defaultBackend } from './defaultBackend';
import { invalidState } from './errors';
import type { BackgroundFetchManagerEventMap } from './eventMaps';
import { checkId, normalizeFetchOptions, type BackgroundFetchOptions } from './fetchOptions';
import type { BackgroundFetchManagerOptions } from './managerOptions';
import { isRequest, storeRequest, toRequests } from './normalizeRequests';
import { idlMembers } from './idlMembers';

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
  // @ts-expect-error TS6133: never read; it runs once, for its effect (see idlMembers).
  static #idl = /* @__PURE__ */ idlMembers(this);
  readonly #backend: ManagerBackend;
  readonly #closing = new Subject<void>();
  #closed = false;

  constructor(options?: BackgroundFetchManagerOptions) {
    super();
    const given = (options as { [backendOption]?: ManagerBackend } | undefined)?.[backendOption];
    this.#backend = given ?? defaultBackend(options, this);
  }

  /**
   * Starts a background fetch and resolves with its registration as soon as it is stored,
   * before any download ends. Rejects `TypeError` for bad input or an id already active in this
   * scope, `QuotaExceededError` when `downloadTotal` exceeds the free quota; nothing is stored then.
   */
  async fetch(id: string, requests: Request | string | URL | ReadonlyArray<Request | string | URL>, options: BackgroundFetchOptions = {}): Promise<BackgroundFetchRegistration> {
    this.#checkOpen('fetch');
    checkId(id);
    const release = this.#backend.reserve(id);
    try {
      const settings = normalizeFetchOptions(options);
      const list = toRequests(requests, this.#backend.baseURL);
      const stored = await Promise.all(list.map((entry) => (isRequest(entry) ? storeRequest(entry) : entry)));
      this.#checkOpen('fetch');
      return await this.#backend.fetch(id, stored, settings);
    } finally {
      release();
    }
  }

  /** The registration of the active fetch `id`, the same object `fetch()` gave; `undefined` when none is active. */
  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    this.#checkOpen('get');
    checkId(id, 'get');
    return this.#backend.get(id);
  }

  /** The ids of the active fetches of this scope, oldest first. */
  async getIds(): Promise<string[]> {
    this.#checkOpen('getIds');
    return this.#backend.getIds();
  }

  /**
   * Non-standard: the active ids of this scope, oldest first, as a stream: the current list as
   * soon as it is known, then every change, including fetches started after this call in
   * another page, another manager or the service worker. It ends when the manager closes.
   *
   * @example
   * manager.ids$.subscribe((ids) => render(ids));
   * // [] … ['episode-1'] … ['episode-1', 'episode-2'] … ['episode-2']
   */
  get ids$(): Observable<string[]> {
    // By hand, not distinctUntilChanged + takeUntil: those bring rxjs's operator machinery and
    // innerFrom (with tslib) into the page build, which has no other use for them.
    return new Observable<string[]>((subscriber) => {
      if (this.#closed) return subscriber.complete();
      let last: string[] | undefined;
      subscriber.add(this.#closing.subscribe(() => subscriber.complete()));
      subscriber.add(
        this.#backend.ids$.subscribe({
          next: (ids) => {
            if (last !== undefined && sameIds(last, ids)) return;
            last = ids;
            subscriber.next(ids);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
    });
  }

  /**
   * Stops this manager's work as a page unload would: its requests are cancelled and their
   * connections closed; nothing is aborted or lost, and a later manager of the same scope and
   * store resumes every unfinished fetch.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.next();
    await this.#backend.close();
  }

  #checkOpen(method: string): void {
    if (this.#closed) throw invalidState(`${method}() was called on a closed BackgroundFetchManager; make a new one.`);
  }

  /** `"BackgroundFetchManager"`, as `Object.prototype.toString` shows it. */
  get [Symbol.toStringTag](): string {
    return 'BackgroundFetchManager';
  }
}

// The platform's own listener and options types: lib.dom's and Node's (@types/node) differ in name.
type Listener = Parameters<EventTarget['addEventListener']>[1];
type AddOptions = Parameters<EventTarget['addEventListener']>[2];
type RemoveOptions = Parameters<EventTarget['removeEventListener']>[2];

/** The manager's `addEventListener` and `removeEventListener`, typed by {@link BackgroundFetchManagerEventMap}. */
export interface BackgroundFetchManager {
  /** Listens to one of the manager's events, typed by {@link BackgroundFetchManagerEventMap}. */
  addEventListener<K extends keyof BackgroundFetchManagerEventMap>(
    type: K,
    listener: (this: BackgroundFetchManager, event: BackgroundFetchManagerEventMap[K]) => unknown,
    options?: AddOptions,
  ): void;
  /** Listens to any event, as `EventTarget` does. */
  addEventListener(type: string, listener: Listener, options?: AddOptions): void;
  /** Removes a listener added for one of the manager's events. */
  removeEventListener<K extends keyof BackgroundFetchManagerEventMap>(
    type: K,
    listener: (this: BackgroundFetchManager, event: BackgroundFetchManagerEventMap[K]) => unknown,
    options?: RemoveOptions,
  ): void;
  /** Removes a listener, as `EventTarget` does. */
  removeEventListener(type: string, listener: Listener, options?: RemoveOptions): void;
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
