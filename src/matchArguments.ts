import type { MatchOptions } from './BackgroundFetchRegistration';
import { isRequest } from './normalizeRequests';

/**
 * `match()`/`matchAll()`'s request as Web IDL converts a `RequestInfo` (`Request or USVString`):
 * a `Request` stays one, any other value becomes `String(value)` (so `null` is `"null"` and an
 * options object passed as the request is `"[object Object]"`, as in the native API). Whatever its
 * `toString()` throws is thrown; a Symbol has no string form and is a `TypeError`.
 *
 * @example
 * toRequestInfo(null, 'match');                   // 'null'
 * toRequestInfo(new URL('https://a.test/x'), 'match'); // 'https://a.test/x'
 */
export function toRequestInfo(value: unknown, method: string): RequestInfo {
  if (isRequest(value)) return value;
  if (typeof value === 'symbol') throw new TypeError(`${method}() cannot convert a Symbol to a URL string; pass a URL or a Request.`);
  return String(value);
}

/**
 * `match()`/`matchAll()`'s options as Web IDL converts a `CacheQueryOptions` dictionary:
 * `undefined` and `null` are the defaults, any object (a function too) is read member by member
 * as booleans, anything else is a `TypeError`.
 *
 * @example
 * toMatchOptions({ ignoreSearch: 1 }, 'match'); // { ignoreMethod: false, ignoreSearch: true, ignoreVary: false }
 * toMatchOptions('x', 'match');                 // throws TypeError
 */
export function toMatchOptions(value: unknown, method: string): Required<MatchOptions> {
  if (value === undefined || value === null) return { ignoreMethod: false, ignoreSearch: false, ignoreVary: false };
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${method}() options must be an object with ignoreSearch, ignoreMethod or ignoreVary, got ${typeof value}.`);
  }
  // Read once each, in the dictionary's (lexicographic) member order, as a binding would.
  const { ignoreMethod, ignoreSearch, ignoreVary } = value as MatchOptions;
  return { ignoreMethod: Boolean(ignoreMethod), ignoreSearch: Boolean(ignoreSearch), ignoreVary: Boolean(ignoreVary) };
}
