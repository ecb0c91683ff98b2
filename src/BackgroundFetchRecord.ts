import { idlMembers } from './idlMembers';

/** Lets the library make records; `new BackgroundFetchRecord()` from script throws, as in browsers. */
export const recordToken = Symbol('BackgroundFetchRecord');

/**
 * One request of a background fetch and its response. Made by `match()`/`matchAll()`, a new
 * object each call. `responseReady` resolves once the response headers have arrived, with a
 * body that streams the stored bytes as they arrive; it rejects `AbortError` for a record cut
 * off by `abort()` and `TypeError` for a failed one.
 *
 * @example
 * const record = await registration.match('/episodes/1.mp3');
 * const audio = await (await record.responseReady).blob();
 */
export class BackgroundFetchRecord {
  // @ts-expect-error TS6133: never read; it runs once, for its effect (see idlMembers).
  static #idl = /* @__PURE__ */ idlMembers(this, 'BackgroundFetchRecord');
  // Made on first read: matchAll() over 2,000 records spent most of its time building Requests
  // that a read-back of the responses never looks at.
  readonly #makeRequest: () => Request;
  #request: Request | undefined;
  readonly #ready: () => Promise<Response>;
  #promise: Promise<Response> | undefined;

  constructor(token: typeof recordToken, request: () => Request, responseReady: () => Promise<Response>) {
    if (token !== recordToken) throw new TypeError('Illegal constructor: records come from registration.match() and matchAll().');
    this.#makeRequest = request;
    this.#ready = responseReady;
  }

  /** The request, body included (created on first read, then the same object). */
  get request(): Request {
    this.#request ??= this.#makeRequest();
    return this.#request;
  }

  /** The response, once its headers have arrived (created on first read, then the same promise). */
  get responseReady(): Promise<Response> {
    this.#promise ??= this.#ready();
    return this.#promise;
  }
}
