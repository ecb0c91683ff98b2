import { completeLength, ifRangeFor, parseContentRange, unsatisfiedLength, validatePartial } from '../../operators/contentRange';
import type { StoredResponse } from '../../operators/types';

/** A stored response head with lower-cased header names, as `[...response.headers]` gives them. */
function head(status: number, headers: Record<string, string>): StoredResponse {
  return { url: 'http://server.test/file', status, statusText: status === 206 ? 'Partial Content' : 'OK', headers: Object.entries(headers) };
}

describe('parseContentRange', () => {
  it('parses the header as servers send it: `bytes first-last/complete`', () => {
    expect(parseContentRange('bytes 0-99/100')).toEqual({ first: 0, last: 99, complete: 100 });
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ first: 100, last: 199, complete: 1000 });
    expect(parseContentRange('bytes 7-7/8')).toEqual({ first: 7, last: 7, complete: 8 });
  });

  it('reads an unknown complete length `*` as null', () => {
    expect(parseContentRange('bytes 0-99/*')).toEqual({ first: 0, last: 99, complete: null });
  });

  it('accepts any case of the unit, a tab, and surrounding whitespace', () => {
    expect(parseContentRange('Bytes 5-9/10')).toEqual({ first: 5, last: 9, complete: 10 });
    expect(parseContentRange('bytes\t5-9/10')).toEqual({ first: 5, last: 9, complete: 10 });
    expect(parseContentRange('  bytes 5-9/10 ')).toEqual({ first: 5, last: 9, complete: 10 });
  });

  it("rejects the spec grammar's `bytes=` form (WICG/background-fetch#154)", () => {
    expect(parseContentRange('bytes=0-99/100')).toBeNull();
  });

  it('rejects comma-joined values, as a combined header would read (#153)', () => {
    expect(parseContentRange('bytes 0-99/100, bytes 0-99/100')).toBeNull();
    expect(parseContentRange('bytes 0-49/100,bytes 50-99/100')).toBeNull();
  });

  it('rejects last < first and last ≥ complete', () => {
    expect(parseContentRange('bytes 10-9/100')).toBeNull();
    expect(parseContentRange('bytes 0-100/100')).toBeNull();
    expect(parseContentRange('bytes 0-150/100')).toBeNull();
  });

  it('rejects null, other units, the 416 form and junk', () => {
    expect(parseContentRange(null)).toBeNull();
    expect(parseContentRange('')).toBeNull();
    expect(parseContentRange('items 0-9/10')).toBeNull();
    expect(parseContentRange('bytes */100')).toBeNull();
    expect(parseContentRange('bytes 0-/100')).toBeNull();
    expect(parseContentRange('bytes -5-9/10')).toBeNull();
    expect(parseContentRange('bytes 0-9')).toBeNull();
    expect(parseContentRange('nonsense')).toBeNull();
  });
});

describe('validatePartial', () => {
  const first200 = head(200, { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-length': '100' });

  it('accepts a 206 that continues the previous response, and returns its range', () => {
    const partial = head(206, { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-range': 'bytes 40-99/100' });
    expect(validatePartial(partial, 40, first200)).toEqual({ first: 40, last: 99, complete: 100 });
  });

  it('accepts a 206 without a previous response when it starts at the offset', () => {
    expect(validatePartial(head(206, { 'content-range': 'bytes 0-99/100' }), 0, null)).toEqual({ first: 0, last: 99, complete: 100 });
  });

  it('rejects a missing or malformed Content-Range', () => {
    expect(validatePartial(head(206, { etag: '"v1"' }), 40, first200)).toBeNull();
    expect(validatePartial(head(206, { etag: '"v1"', 'content-range': 'bytes=40-99/100' }), 40, first200)).toBeNull();
  });

  it('rejects a range that does not start at the offset asked for', () => {
    const partial = head(206, { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-range': 'bytes 39-99/100' });
    expect(validatePartial(partial, 40, first200)).toBeNull();
    expect(validatePartial(partial, 39, first200)).toEqual({ first: 39, last: 99, complete: 100 });
  });

  it('rejects a range ending past the last byte asked for, and accepts one ending at or before it', () => {
    const partial = head(206, { 'content-range': 'bytes 40-99/100' });
    expect(validatePartial(partial, 40, null, 59)).toBeNull();
    expect(validatePartial(partial, 40, null, 99)).toEqual({ first: 40, last: 99, complete: 100 });
    expect(validatePartial(partial, 40, null, 149)).toEqual({ first: 40, last: 99, complete: 100 });
  });

  it('rejects a changed or missing ETag', () => {
    const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
    expect(validatePartial(head(206, { etag: '"v2"', 'last-modified': lastModified, 'content-range': 'bytes 40-99/100' }), 40, first200)).toBeNull();
    expect(validatePartial(head(206, { 'last-modified': lastModified, 'content-range': 'bytes 40-99/100' }), 40, first200)).toBeNull();
  });

  it('rejects a changed Last-Modified', () => {
    const partial = head(206, { etag: '"v1"', 'last-modified': 'Thu, 22 Oct 2015 07:28:00 GMT', 'content-range': 'bytes 40-99/100' });
    expect(validatePartial(partial, 40, first200)).toBeNull();
  });

  it('ignores validators the previous response did not have', () => {
    const partial = head(206, { etag: '"new"', 'last-modified': 'Thu, 22 Oct 2015 07:28:00 GMT', 'content-range': 'bytes 40-99/100' });
    expect(validatePartial(partial, 40, head(200, {}))).toEqual({ first: 40, last: 99, complete: 100 });
  });

  it('rejects a complete length that differs from a previous 206', () => {
    const previous = head(206, { etag: '"v1"', 'content-range': 'bytes 0-39/100' });
    expect(validatePartial(head(206, { etag: '"v1"', 'content-range': 'bytes 40-119/120' }), 40, previous)).toBeNull();
    expect(validatePartial(head(206, { etag: '"v1"', 'content-range': 'bytes 40-99/100' }), 40, previous)).toEqual({ first: 40, last: 99, complete: 100 });
  });

  it("rejects a complete length that differs from a previous 200's Content-Length", () => {
    expect(validatePartial(head(206, { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-range': 'bytes 40-119/120' }), 40, first200)).toBeNull();
  });

  it("does not compare with an encoded 200's Content-Length (it counts encoded bytes)", () => {
    const gzipped = head(200, { etag: '"v1"', 'content-encoding': 'gzip', 'content-length': '30' });
    expect(validatePartial(head(206, { etag: '"v1"', 'content-range': 'bytes 40-99/100' }), 40, gzipped)).toEqual({ first: 40, last: 99, complete: 100 });
  });
});

describe('completeLength', () => {
  it("reads a 206's Content-Range total and an unencoded 200's Content-Length", () => {
    expect(completeLength(head(206, { 'content-range': 'bytes 0-99/1000' }))).toBe(1000);
    expect(completeLength(head(200, { 'content-length': '1000' }))).toBe(1000);
  });

  it('is null when the response did not say', () => {
    expect(completeLength(head(206, { 'content-range': 'bytes 0-99/*' }))).toBeNull();
    expect(completeLength(head(206, { 'content-length': '100' }))).toBeNull();
    expect(completeLength(head(200, {}))).toBeNull();
    expect(completeLength(head(200, { 'content-length': '30', 'content-encoding': 'br' }))).toBeNull();
  });
});

describe('unsatisfiedLength', () => {
  it("reads a 416's complete length, with a space or a tab, in any case", () => {
    expect(unsatisfiedLength(head(416, { 'content-range': 'bytes */50000' }))).toBe(50000);
    expect(unsatisfiedLength(head(416, { 'content-range': 'Bytes\t*/0 ' }))).toBe(0);
  });

  it('is null for another status, a missing or malformed header, or a satisfied range', () => {
    expect(unsatisfiedLength(head(206, { 'content-range': 'bytes */50000' }))).toBeNull();
    expect(unsatisfiedLength(head(416, {}))).toBeNull();
    expect(unsatisfiedLength(head(416, { 'content-range': 'bytes 0-9/50000' }))).toBeNull();
    expect(unsatisfiedLength(head(416, { 'content-range': 'bytes */*' }))).toBeNull();
  });
});

describe('ifRangeFor', () => {
  it('sends a strong ETag', () => {
    expect(ifRangeFor(head(200, { etag: '"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }))).toBe('"v1"');
  });

  it('falls back to Last-Modified for a weak ETag (If-Range needs a strong validator)', () => {
    expect(ifRangeFor(head(200, { etag: 'W/"v1"', 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }))).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(ifRangeFor(head(200, { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }))).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
  });

  it('sends nothing without a usable validator or without a previous response', () => {
    expect(ifRangeFor(head(200, { etag: 'W/"v1"' }))).toBeNull();
    expect(ifRangeFor(head(200, {}))).toBeNull();
    expect(ifRangeFor(null)).toBeNull();
  });

  it('finds headers whatever the case of their stored names', () => {
    expect(ifRangeFor({ ...head(200, {}), headers: [['ETag', '"v9"']] })).toBe('"v9"');
  });
});
