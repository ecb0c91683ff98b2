import type { StoredRequest, StoredResponse } from '../operators/types';
import type { MatchOptions } from './BackgroundFetchRegistration';

/**
 * What matching compares of a URL: without its fragment, and without its query with
 * `ignoreSearch`. `url` is a serialized URL, as `Request.url` and `StoredRequest.url` are: there a
 * `#` only starts the fragment and a `?` before it only the query (the serializer
 * percent-encodes them elsewhere), so this is string slicing, not a parse.
 *
 * @example
 * matchKey('https://a.test/x?q#f', true); // 'https://a.test/x'
 * matchKey('https://a.test/x?q#f', false); // 'https://a.test/x?q'
 */
export function matchKey(url: string, ignoreSearch: boolean): string {
  const fragment = url.indexOf('#');
  const withoutFragment = fragment < 0 ? url : url.slice(0, fragment);
  const query = ignoreSearch ? withoutFragment.indexOf('?') : -1;
  return query < 0 ? withoutFragment : withoutFragment.slice(0, query);
}

function headerOf(headers: ReadonlyArray<readonly [string, string]>, name: string): string | null {
  const values = headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
  return values.length === 0 ? null : values.join(', ');
}

/**
 * The Service Worker spec's "request matches cached item" for a stored record: methods (only GET
 * unless `ignoreMethod`), URLs without fragments (and queries with `ignoreSearch`: both keys are
 * {@link matchKey}s made with the same `ignoreSearch`), then the stored response's `Vary`
 * headers unless `ignoreVary`.
 *
 * @example
 * const query = new Request('https://a.test/x?q');
 * requestMatches(query, matchKey(query.url, true), stored, matchKey(stored.url, true), response, { ignoreSearch: true }); // true
 */
export function requestMatches(
  query: Request,
  queryKey: string,
  stored: StoredRequest,
  storedKey: string,
  response: StoredResponse | null,
  options: MatchOptions,
): boolean {
  if (!options.ignoreMethod && (stored.method !== 'GET' || query.method !== 'GET')) return false;
  if (queryKey !== storedKey) return false;
  if (response === null || options.ignoreVary) return true;
  const vary = headerOf(response.headers, 'vary');
  if (vary === null) return true;
  for (const field of vary.split(',').map((name) => name.trim().toLowerCase())) {
    if (field === '') continue;
    if (field === '*') return false;
    if (query.headers.get(field) !== headerOf(stored.headers, field)) return false;
  }
  return true;
}

/**
 * The indices of the records a `match()`/`matchAll()` query finds, in request order: all of
 * them without a query. `keys(ignoreSearch)` gives the stored requests' {@link matchKey}s (kept
 * by the caller: parsing every URL on every call is what makes matching slow) and `responseOf`
 * each record's response head, `null` while it has none.
 *
 * @example
 * matchingRecords(new Request('https://a.test/x'), requests, (ignore) => keys[ignore ? 1 : 0], (i) => heads[i], {}); // [0]
 * matchingRecords(undefined, requests, keysOf, headOf, {}); // every index
 */
export function matchingRecords(
  query: Request | undefined,
  requests: readonly StoredRequest[],
  keys: (ignoreSearch: boolean) => readonly string[],
  responseOf: (index: number) => StoredResponse | null,
  options: MatchOptions,
): number[] {
  if (query === undefined) return requests.map((_, index) => index);
  const ignoreSearch = options.ignoreSearch === true;
  const queryKey = matchKey(query.url, ignoreSearch);
  const stored = keys(ignoreSearch);
  const found: number[] = [];
  requests.forEach((request, index) => {
    if (requestMatches(query, queryKey, request, stored[index], responseOf(index), options)) found.push(index);
  });
  return found;
}
