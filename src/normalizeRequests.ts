import type { StoredRequest } from '../operators/types';

/** The most requests one background fetch may hold. */
export const maxRequests = 50_000;

// Fetch's "bad port" list (fetch.spec.whatwg.org/#bad-port): requests to these fail everywhere.
const badPorts = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111,
  113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548,
  554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
  6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/**
 * Whether a value is a `Request`, from this realm or another (an iframe's, a worker's structured
 * clone fails `instanceof`).
 *
 * @example
 * isRequest(new Request('https://a.test/')); // true
 * isRequest('https://a.test/');              // false
 */
export function isRequest(value: unknown): value is Request {
  if (typeof Request !== 'undefined' && value instanceof Request) return true;
  // A Request from another realm (an iframe, a worker's structured clone) fails instanceof.
  return typeof value === 'object' && value !== null && typeof (value as Request).url === 'string' && typeof (value as Request).clone === 'function';
}

/** The URL as messages show it: its password, which must not end up in logs, as `***`. */
function withoutPassword(url: URL): string {
  const redacted = new URL(url.href);
  if (redacted.password !== '') redacted.password = '***';
  return redacted.href;
}

function checkURL(url: URL, shown: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Background fetch only downloads http: and https: URLs, not "${shown}".`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`The URL "${withoutPassword(url)}" has credentials in it; send them in an Authorization header instead.`);
  }
  const port = url.port === '' ? null : Number(url.port);
  if (port !== null && badPorts.has(port)) {
    throw new TypeError(`Port ${port} of "${shown}" is a bad port that fetch refuses to use.`);
  }
}

function fromString(raw: string, baseURL: string | undefined): string {
  // The URL parser strips \n, \r and \t, so the dangling-markup check must see the raw string.
  if (/[\n\r\t]/.test(raw) && raw.includes('<')) {
    throw new TypeError('A URL with both a newline or tab and "<" is refused as dangling markup.');
  }
  let url: URL;
  try {
    url = new URL(raw, baseURL);
  } catch {
    throw new TypeError(
      baseURL === undefined
        ? `"${raw}" is not an absolute URL; give the manager a baseURL option to resolve relative ones.`
        : `"${raw}" is not a valid URL (relative to ${baseURL}).`,
    );
  }
  checkURL(url, raw);
  return url.href;
}

function fromRequest(request: Request): Request {
  if (request.mode === 'no-cors') {
    throw new TypeError(`The request for "${request.url}" is no-cors: background fetch needs CORS so failures can be seen.`);
  }
  if (request.bodyUsed) {
    throw new TypeError(`The body of the request for "${request.url}" was already read; pass a fresh Request.`);
  }
  checkURL(new URL(request.url), request.url);
  return request;
}

/**
 * The synchronous part of `fetch()`'s checks: turns its `requests` argument (a URL, a `Request`,
 * or a list of them) into the `Request`s given and, for each URL, the {@link StoredRequest}
 * that `new Request(url)` would be stored as, throwing a `TypeError` that says what is wrong
 * with the first bad one. Relative URLs resolve against `baseURL`.
 *
 * @example
 * toRequests(['a.mp3', new Request('/b.mp3')], 'https://app.test/'); // a StoredRequest, a Request
 * toRequests([], undefined); // throws TypeError
 */
export function toRequests(requests: unknown, baseURL: string | undefined): Array<Request | StoredRequest> {
  const list: unknown[] = Array.isArray(requests) ? requests : [requests];
  if (requests === undefined || requests === null) throw new TypeError('fetch() needs a request, a URL, or a list of them.');
  if (list.length === 0) throw new TypeError('fetch() needs at least one request: the list is empty.');
  if (list.length > maxRequests) {
    throw new TypeError(`fetch() takes at most ${maxRequests} requests, got ${list.length}; split them into several fetches.`);
  }
  // A URL is stored as `new Request(url)` would be, without making one (that was 4 % of the CPU
  // time of 2,000 small downloads in Node): the members left out are the constructor's defaults.
  const stored = (url: string): StoredRequest => ({ url, method: 'GET', headers: [], body: null });
  return list.map((entry, index) => {
    if (typeof entry === 'string' || entry instanceof URL) return stored(fromString(String(entry), baseURL));
    if (isRequest(entry)) return fromRequest(entry);
    throw new TypeError(`Request ${index} is a ${entry === null ? 'null' : typeof entry}; pass a URL string or a Request.`);
  });
}

// The asynchronous part, storing each checked Request as plain data (and making it live again
// for records), is the request codec's: one list of kept members for both directions.
export { storeRequest, toLiveRequest } from '../operators/requestCodec';

/**
 * The request `match()`/`matchAll()` look for, as the Cache API's `new Request(request)` makes
 * it: a `Request` as given, else its string as a URL resolved against `baseURL`; a `TypeError`
 * for a string that is not a URL, or a URL with credentials (which `new Request()` refuses).
 *
 * @example
 * toQuery('ep1.mp3', 'https://app.test/media/').url; // 'https://app.test/media/ep1.mp3'
 * toQuery('http://[', 'https://app.test/');           // throws TypeError
 */
export function toQuery(request: RequestInfo | URL, baseURL: string | undefined): Request {
  if (isRequest(request)) return request;
  const raw = String(request);
  let url: URL;
  try {
    url = new URL(raw, baseURL);
  } catch {
    throw new TypeError(`Cannot match "${raw}": it is not a URL${baseURL === undefined ? ' (relative URLs need the baseURL option)' : ''}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`Cannot match "${withoutPassword(url)}": a URL with credentials cannot be requested; match it without them.`);
  }
  return new Request(url.href);
}
