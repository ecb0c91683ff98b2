import type { StoredRequest } from './types';

/**
 * The `Request` members a {@link StoredRequest} keeps besides `url`, `method`, `headers` and
 * `body`: one list, read by {@link storeRequest} and written back by {@link toLiveRequest}, so
 * both directions keep the same fields (as workbox's `StorableRequest` keeps one list).
 * Left out on purpose: `signal` (it cannot outlive the realm that made it), `keepalive` (it caps
 * a request body at 64 KB, and a background fetch outlives its page anyway), `duplex` (bodies are
 * stored whole) and `destination`, `isHistoryNavigation` and the like (set by the browser only).
 *
 * @example
 * requestProperties.includes('referrerPolicy'); // true
 * requestProperties.includes('keepalive');      // false
 */
export const requestProperties = ['mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity'] as const;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A value for some of the {@link requestProperties}. */
export type RequestMembers = Partial<Readonly<Record<(typeof requestProperties)[number], string>>>;

/**
 * A `Request` as plain, structured-cloneable data, its body read into an `ArrayBuffer` (from a
 * clone, so the caller's request stays usable). Rejects `TypeError` when the body cannot be read.
 *
 * @example
 * const stored = await storeRequest(new Request('https://a.test/up', { method: 'POST', body: 'hi', cache: 'no-store' }));
 * stored.body?.byteLength; // 2, and stored.cache is 'no-store'
 */
export async function storeRequest(request: Request): Promise<StoredRequest> {
  let body: ArrayBuffer | null = null;
  if (request.body !== null) {
    try {
      body = await request.clone().arrayBuffer();
    } catch (error) {
      throw new TypeError(`The body of the request for "${request.url}" could not be read (${String(error)}); pass a Request whose body can be read.`);
    }
  }
  const stored: Writable<StoredRequest> = { url: request.url, method: request.method, headers: [...request.headers], body };
  for (const name of requestProperties) {
    // Some platforms lack a member (Node's Request has no real `cache`, old WebKit no `integrity`).
    const value = request[name] as never;
    if (value !== undefined) stored[name] = value;
  }
  return stored;
}

/**
 * The URL alone of a stored request that `fetch(url)` sends exactly as it was stored: a GET with
 * no headers whose every kept member is the one in `unchanged` (give it `requestDefaults`);
 * `null` for any other request. Sending the URL saves making a `Request` that `fetch` would
 * only copy into its own.
 *
 * @example
 * plainURL({ url: 'https://a.test/x', method: 'GET', headers: [], body: null }, requestDefaults); // 'https://a.test/x'
 * plainURL({ url: 'https://a.test/x', method: 'GET', headers: [['accept', 'text/plain']], body: null }, requestDefaults); // null
 */
export function plainURL(stored: StoredRequest, unchanged: RequestMembers): string | null {
  if (stored.method !== 'GET' || stored.headers.length > 0) return null;
  for (const name of requestProperties) {
    const value = stored[name];
    if (value !== undefined && value !== unchanged[name]) return null;
  }
  return stored.url;
}

/**
 * A live `Request` again from stored data, body included, every kept member as it was stored;
 * `init` overrides them (the pipeline adds `Range` headers and its abort signal). Members whose
 * value is the one in `unchanged` are left out of the constructor's init: give it what
 * `new Request(url)` has anyway (`requestDefaults`), and they are not checked again.
 *
 * @example
 * const request = toLiveRequest(stored, { signal });
 * request.referrerPolicy === stored.referrerPolicy; // true
 */
export function toLiveRequest(stored: StoredRequest, init: RequestInit = {}, unchanged: RequestMembers = {}): Request {
  const kept: Writable<RequestInit> = { method: stored.method, headers: stored.headers as [string, string][] };
  // A Blob, not the ArrayBuffer: Node's fetch (undici) keeps a copy of a buffer body as the
  // source it re-sends on a 307/308, and its byte stream detaches that copy on the first send,
  // so the redirect fails ("Cannot perform ArrayBuffer.prototype.slice on a detached
  // ArrayBuffer"). A Blob is re-read for every send, by ky's clones and browsers alike, and
  // `new Blob` copies the bytes, so `stored.body` stays intact for later attempts.
  if (stored.body !== null && stored.method !== 'GET' && stored.method !== 'HEAD') kept.body = new Blob([stored.body]);
  for (const name of requestProperties) {
    const value = stored[name];
    if (value !== undefined && value !== unchanged[name]) kept[name] = value as never;
  }
  // The constructor refuses `navigate` (only the browser makes those); fetch's own answer is to
  // send such a request again as `same-origin` (the `Request` constructor's steps, fetch.spec.whatwg.org/#dom-request).
  if (kept.mode === 'navigate') kept.mode = 'same-origin';
  return new Request(stored.url, { ...kept, ...init });
}
