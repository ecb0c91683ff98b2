import type { StoredRequest, StoredResponse } from './types';

/** The bytes of its resource a record holds: `first` to `last` inclusive, `last` null for "to the end". */
export interface ByteSpan {
  readonly first: number;
  readonly last: number | null;
}

const wholeResource: ByteSpan = { first: 0, last: null };
const singleRange = /^bytes=(\d+)-(\d*)$/i;

/**
 * The span of its resource a request asks for, which its record can be resumed inside: the
 * whole resource for a GET without `Range`, the range of a GET with one `bytes=first-last` or
 * `bytes=first-`. Null for a request that is sent as given and never resumed: any other method,
 * and ranges that cannot be continued safely (a suffix `bytes=-500`, several ranges, junk).
 *
 * @example
 * requestedSpan({ url, method: 'GET', headers: [['range', 'bytes=100-199']], body: null }); // { first: 100, last: 199 }
 * requestedSpan({ url, method: 'GET', headers: [['range', 'bytes=-500']], body: null });    // null
 */
export function requestedSpan(request: StoredRequest): ByteSpan | null {
  if (request.method !== 'GET') return null;
  const header = request.headers.find(([name]) => name.toLowerCase() === 'range');
  if (header === undefined) return wholeResource;
  const match = singleRange.exec(header[1].trim());
  if (match === null) return null;
  const first = Number(match[1]);
  const last = match[2] === '' ? null : Number(match[2]);
  if (!Number.isSafeInteger(first) || (last !== null && !(Number.isSafeInteger(last) && last >= first))) return null;
  return { first, last };
}

/**
 * The span a record continues once it holds `held` bytes stored from `response`: the one it
 * asked for, unless those bytes came from an answer other than a `206` — the server ignored
 * the Range and sent the resource whole, which the record then holds, as a plain fetch would.
 *
 * @example
 * heldSpan({ first: 100, last: 199 }, 40, head206); // { first: 100, last: 199 }
 * heldSpan({ first: 100, last: 199 }, 40, head200); // { first: 0, last: null }
 */
export function heldSpan(asked: ByteSpan, held: number, response: StoredResponse | null): ByteSpan {
  return held > 0 && response !== null && response.status !== 206 ? wholeResource : asked;
}

/**
 * Where a record of `span` is complete (the position after its last byte), given the complete
 * length of the resource; null when neither says.
 *
 * @example
 * spanEnd({ first: 100, last: 199 }, 3000); // 200
 * spanEnd({ first: 1000, last: null }, 3000); // 3000
 */
export function spanEnd(span: ByteSpan, complete: number | null): number | null {
  if (span.last === null) return complete;
  return complete === null ? span.last + 1 : Math.min(span.last + 1, complete);
}

/**
 * The `Range` header that continues a record of `span` holding `held` bytes.
 *
 * @example
 * resumeRange({ first: 100, last: 199 }, 40); // 'bytes=140-199'
 * resumeRange({ first: 0, last: null }, 4096); // 'bytes=4096-'
 */
export function resumeRange(span: ByteSpan, held: number): string {
  return `bytes=${span.first + held}-${span.last ?? ''}`;
}
