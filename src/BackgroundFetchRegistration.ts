import type { Observable } from 'rxjs';
import type { BackgroundFetchFailureReason, BackgroundFetchResult, BackgroundFetchState } from '../operators/types';
import type { BackgroundFetchRecord } from './BackgroundFetchRecord';
import type { BackgroundFetchRegistrationEventMap } from './eventMaps';
import { invalidState } from './errors';
import { idlMembers } from './idlMembers';
import { toMatchOptions, toRequestInfo } from './matchArguments';

/** Cache-API matching options of `match()` and `matchAll()`. */
export interface MatchOptions {
  /** Ignore the URLs' query strings. */
  ignoreSearch?: boolean;
  /** Match records whatever their method: without it, only GET records match. */
  ignoreMethod?: boolean;
  /** Ignore the responses' `Vary` headers. */
  ignoreVary?: boolean;
}

/**
 * What a registration object is a view of: one state stream and the commands. The engine that
 * runs a fetch provides one; so does the polyfill's page side, which mirrors a service worker.
 */
export interface RegistrationSource {
  /** Emits the current state at once, each change after (already throttled), completes after the last. */
  readonly state$: Observable<BackgroundFetchState>;
  /** Whether the fetch waits for the network: now, then each change; completes with `state$`. */
  readonly waiting$: Observable<boolean>;
  /** Aborts the fetch; resolves `true` if it was active. */
  abort(): Promise<boolean>;
  /** Arguments already converted as Web IDL does; the request string is still to be parsed as a URL. */
  matchAll(request: Request | string | undefined, options: Required<MatchOptions>): Promise<BackgroundFetchRecord[]>;
}

/** Lets the library make registrations; `new BackgroundFetchRegistration()` from script throws. */
export const registrationToken = Symbol('BackgroundFetchRegistration');

/**
 * One background fetch, as the page or worker sees it. Every attribute, every `progress` event
 * and `recordsAvailable` are read from one stream, `state$`; `match()`/`matchAll()` reject
 * `InvalidStateError` once the records are gone.
 *
 * @example
 * const registration = await manager.fetch('album', ['/a.jpg', '/b.jpg']);
 * registration.addEventListener('progress', () => console.log(registration.downloaded));
 */
export class BackgroundFetchRegistration extends EventTarget {
  // @ts-expect-error TS6133: never read; it runs once, for its effect (see idlMembers).
  static #idl = /* @__PURE__ */ idlMembers(this);
  readonly #source: RegistrationSource;
  #state!: BackgroundFetchState;
  #onprogress: ((this: BackgroundFetchRegistration, event: Event) => unknown) | null = null;

  constructor(token: typeof registrationToken, source: RegistrationSource) {
    if (token !== registrationToken) throw new TypeError('Illegal constructor: registrations come from BackgroundFetchManager.fetch() and get().');
    super();
    this.#source = source;
    let first = true;
    source.state$.subscribe((state) => {
      const before = this.#state;
      this.#state = state;
      if (first) {
        first = false;
        return;
      }
      if (before.result === '' && progressed(before, state)) this.dispatchEvent(new Event('progress'));
    });
    if (first) throw new TypeError('A registration source must emit its current state on subscription.');
  }

  /** The id given to `fetch()`. */
  get id(): string {
    return this.#state.id;
  }
  /** Bytes of all request bodies. */
  get uploadTotal(): number {
    return this.#state.uploadTotal;
  }
  /** Request-body bytes sent so far. */
  get uploaded(): number {
    return this.#state.uploaded;
  }
  /** The `downloadTotal` given to `fetch()`; 0 is no limit. */
  get downloadTotal(): number {
    return this.#state.downloadTotal;
  }
  /** Response-body bytes stored so far. */
  get downloaded(): number {
    return this.#state.downloaded;
  }
  /** `""` while the fetch runs, then `"success"` or `"failure"`. */
  get result(): BackgroundFetchResult {
    return this.#state.result;
  }
  /** Why the fetch failed; `""` while it runs or when it succeeded. */
  get failureReason(): BackgroundFetchFailureReason {
    return this.#state.failureReason;
  }
  /** Whether `match()` and `matchAll()` still work: false once the completion event is over. */
  get recordsAvailable(): boolean {
    return this.#state.recordsAvailable;
  }

  /** The state as a stream: the current state at once, each change after, completes after the last. */
  get state$(): Observable<BackgroundFetchState> {
    return this.#source.state$;
  }

  /**
   * Non-standard: `true` while the fetch waits for the network (the platform is offline, or a
   * request is retrying after a network failure, keeping its bytes to resume with `Range`),
   * `false` while it downloads. Emits now, then each change; completes when the fetch ends.
   *
   * @example
   * registration.waiting$.subscribe((waiting) => (label.textContent = waiting ? 'Waiting for the network…' : ''));
   */
  get waiting$(): Observable<boolean> {
    return this.#source.waiting$;
  }

  /** The `progress` event handler (like `addEventListener('progress', …)`); `null` for none. */
  get onprogress(): ((this: BackgroundFetchRegistration, event: Event) => unknown) | null {
    return this.#onprogress;
  }
  /** Replaces the `progress` event handler; anything but a function clears it. */
  set onprogress(handler: ((this: BackgroundFetchRegistration, event: Event) => unknown) | null) {
    if (this.#onprogress !== null) this.removeEventListener('progress', this.#onprogress);
    this.#onprogress = typeof handler === 'function' ? handler : null;
    if (this.#onprogress !== null) this.addEventListener('progress', this.#onprogress);
  }

  /** Aborts the fetch: `true` if it was active (it then ends `"aborted"`), else `false`. */
  // async: called on an object that is not a registration, it rejects (Web IDL) rather than throws.
  async abort(): Promise<boolean> {
    return this.#source.abort();
  }

  /** The first record whose request matches, like `Cache.match()`; `undefined` when none does. */
  async match(request: Request | string | URL, options: MatchOptions | null | undefined = undefined): Promise<BackgroundFetchRecord | undefined> {
    // Web IDL: the request is required (an explicit undefined is the string "undefined").
    if (arguments.length === 0) throw new TypeError('match() needs a request or URL to match.');
    const records = await this.#matching(toRequestInfo(request, 'match'), toMatchOptions(options, 'match'));
    return records[0];
  }

  /** Every record whose request matches (all of them without a request), in request order. */
  async matchAll(request: Request | string | URL | undefined = undefined, options: MatchOptions | null | undefined = undefined): Promise<BackgroundFetchRecord[]> {
    const query = request === undefined ? undefined : toRequestInfo(request, 'matchAll');
    return this.#matching(query, toMatchOptions(options, 'matchAll'));
  }

  /** The method steps, once the arguments are converted (as a binding converts them first). */
  async #matching(request: RequestInfo | undefined, options: Required<MatchOptions>): Promise<BackgroundFetchRecord[]> {
    if (!this.#state.recordsAvailable) {
      throw invalidState(`The records of background fetch "${this.id}" are no longer available: read them in its completion event.`);
    }
    return this.#source.matchAll(request, options);
  }

  /** `"BackgroundFetchRegistration"`, as `Object.prototype.toString` shows it. */
  get [Symbol.toStringTag](): string {
    return 'BackgroundFetchRegistration';
  }
}

function progressed(before: BackgroundFetchState, after: BackgroundFetchState): boolean {
  return (
    before.downloaded !== after.downloaded ||
    before.uploaded !== after.uploaded ||
    before.result !== after.result ||
    before.failureReason !== after.failureReason
  );
}

// The platform's own listener and options types: lib.dom's and Node's (@types/node) differ in name.
type Listener = Parameters<EventTarget['addEventListener']>[1];
type AddOptions = Parameters<EventTarget['addEventListener']>[2];
type RemoveOptions = Parameters<EventTarget['removeEventListener']>[2];

/** The registration's `addEventListener` and `removeEventListener`, typed by {@link BackgroundFetchRegistrationEventMap}. */
export interface BackgroundFetchRegistration {
  /** Listens to one of the registration's events, typed by {@link BackgroundFetchRegistrationEventMap}. */
  addEventListener<K extends keyof BackgroundFetchRegistrationEventMap>(
    type: K,
    listener: (this: BackgroundFetchRegistration, event: BackgroundFetchRegistrationEventMap[K]) => unknown,
    options?: AddOptions,
  ): void;
  /** Listens to any event, as `EventTarget` does. */
  addEventListener(type: string, listener: Listener, options?: AddOptions): void;
  /** Removes a listener added for one of the registration's events. */
  removeEventListener<K extends keyof BackgroundFetchRegistrationEventMap>(
    type: K,
    listener: (this: BackgroundFetchRegistration, event: BackgroundFetchRegistrationEventMap[K]) => unknown,
    options?: RemoveOptions,
  ): void;
  /** Removes a listener, as `EventTarget` does. */
  removeEventListener(type: string, listener: Listener, options?: RemoveOptions): void;
}
