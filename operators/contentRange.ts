import type { StoredResponse } from './types';

/** A parsed `Content-Range: bytes first-last/complete` (`complete` null for `*`). */
export interface ContentRange {
  /** The first byte's position. */
  readonly first: number;
  /** The last byte's position (inclusive). */
  readonly last: number;
  /** The complete length; `null` when the server sent `*`. */
  readonly complete: number | null;
}

const pattern = /^bytes[ \t]+(\d+)-(\d+)\/(\d+|\*)$/i;

/**
 * Parses a `Content-Range` header as servers really send it (`bytes 0-99/100`, with a space:
 * the spec's grammar writes `=`, WICG/background-fetch#154); comma-joined values are invalid
 * (#153). Returns `null` for anything malformed.
 *
 * @example
 * parseContentRange('bytes 100-199/1000'); // { first: 100, last: 199, complete: 1000 }
 * parseContentRange('bytes=0-1/2');        // null
 */
export function parseContentRange(value: string | null): ContentRange | null {
  const match = value === null ? null : pattern.exec(value.trim());
  if (match === null) return null;
  const first = Number(match[1]);
  const last = Number(match[2]);
  const complete = match[3] === '*' ? null : Number(match[3]);
  if (last < first || (complete !== null && last >= complete)) return null;
  return { first, last, complete };
}

const unsatisfied = /^bytes[ \t]+\*\/(\d+)$/i;

/**
 * The complete length a `416 Range Not Satisfiable` gives in its `Content-Range` (`bytes`, an
 * asterisk, a slash and the length); null for any other answer or header.
 *
 * @example
 * unsatisfiedLength(head416); // 50000
 */
export function unsatisfiedLength(response: StoredResponse): number | null {
  if (response.status !== 416) return null;
  const match = unsatisfied.exec(header(response, 'content-range')?.trim() ?? '');
  return match === null ? null : Number(match[1]);
}

function header(response: StoredResponse, name: string): string | null {
  const found = response.headers.find(([key]) => key.toLowerCase() === name);
  return found === undefined ? null : found[1];
}

/**
 * The complete length a response announced: its `Content-Range` total, or an unencoded 200's
 * `Content-Length`; null when it did not say.
 *
 * @example
 * completeLength(head206); // 1000 for `Content-Range: bytes 0-99/1000`
 */
export function completeLength(response: StoredResponse): number | null {
  if (response.status === 206) return parseContentRange(header(response, 'content-range'))?.complete ?? null;
  if (header(response, 'content-encoding') !== null) return null;
  const length = header(response, 'content-length');
  return length === null ? null : Number(length);
}

/**
 * Validates a `206` against the request that asked for bytes `offset` to `last` (null: to the
 * end) and the response the stored bytes came from (the spec's "validate a partial response"):
 * the range must start at `offset` and end no later than `last`, `ETag` and `Last-Modified`
 * must be unchanged, and so must the complete length.
 * Returns the parsed range, or `null` when the partial response cannot be trusted.
 *
 * @example
 * validatePartial(head206, 4096, firstHead); // { first: 4096, last: 8191, complete: 8192 } or null
 */
export function validatePartial(
  partial: StoredResponse,
  offset: number,
  previous: StoredResponse | null,
  last: number | null = null,
): ContentRange | null {
  const range = parseContentRange(header(partial, 'content-range'));
  if (range === null || range.first !== offset || (last !== null && range.last > last)) return null;
  if (previous !== null) {
    for (const name of ['etag', 'last-modified']) {
      const before = header(previous, name);
      if (before !== null && header(partial, name) !== before) return null;
    }
    const total = completeLength(previous);
    if (total !== null && range.complete !== null && total !== range.complete) return null;
  }
  return range;
}

/**
 * The `If-Range` validator to send when resuming from `previous`: its strong `ETag`, else its
 * `Last-Modified`, else none.
 *
 * @example
 * ifRangeFor(head); // '"v1"'
 */
export function ifRangeFor(previous: StoredResponse | null): string | null {
  if (previous === null) return null;
  const etag = header(previous, 'etag');
  if (etag !== null && !etag.startsWith('W/')) return etag;
  return header(previous, 'last-modified');
}
