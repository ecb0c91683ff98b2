import { heldSpan, requestedSpan, resumeRange, spanEnd } from '../../operators/byteSpan';
import type { StoredRequest, StoredResponse } from '../../operators/types';

const request = (method: string, range?: string): StoredRequest => ({ url: 'http://server.test/file', method, headers: range === undefined ? [] : [['Range', range]], body: null });
const head = (status: number): StoredResponse => ({ url: 'http://server.test/file', status, statusText: '', headers: [] });

describe('requestedSpan', () => {
  it('is the whole resource for a GET without Range', () => {
    expect(requestedSpan(request('GET'))).toEqual({ first: 0, last: null });
  });

  it('is the range of a GET asking for one `bytes=first-last` or `bytes=first-` (any case, outer spaces)', () => {
    expect(requestedSpan(request('GET', 'bytes=100-199'))).toEqual({ first: 100, last: 199 });
    expect(requestedSpan(request('GET', 'bytes=1000-'))).toEqual({ first: 1000, last: null });
    expect(requestedSpan(request('GET', ' Bytes=0-0 '))).toEqual({ first: 0, last: 0 });
  });

  it('is null, never resumed, for other methods and for ranges that cannot be continued', () => {
    expect(requestedSpan(request('POST'))).toBeNull();
    expect(requestedSpan(request('HEAD', 'bytes=0-9'))).toBeNull();
    for (const range of ['bytes=-500', 'bytes=0-9,20-29', 'bytes=10-9', 'items=0-9', 'bytes=', 'bytes=99999999999999999999-']) {
      expect(requestedSpan(request('GET', range))).toBeNull();
    }
  });
});

describe('heldSpan', () => {
  const asked = { first: 100, last: 199 };

  it('stays the span asked for while nothing is held or the bytes held came from a 206', () => {
    expect(heldSpan(asked, 0, head(200))).toBe(asked);
    expect(heldSpan(asked, 40, head(206))).toBe(asked);
    expect(heldSpan(asked, 0, null)).toBe(asked);
  });

  it('is the whole resource once bytes held came from another answer (the server ignored Range)', () => {
    expect(heldSpan(asked, 40, head(200))).toEqual({ first: 0, last: null });
    expect(heldSpan(asked, 40, head(404))).toEqual({ first: 0, last: null });
  });
});

describe('spanEnd', () => {
  it('is the position after the last byte wanted, within the complete length', () => {
    expect(spanEnd({ first: 100, last: 199 }, 3000)).toBe(200);
    expect(spanEnd({ first: 2900, last: 9999 }, 3000)).toBe(3000);
    expect(spanEnd({ first: 100, last: 199 }, null)).toBe(200);
    expect(spanEnd({ first: 1000, last: null }, 3000)).toBe(3000);
  });

  it('is null when neither the span nor the resource says', () => {
    expect(spanEnd({ first: 1000, last: null }, null)).toBeNull();
  });
});

describe('resumeRange', () => {
  it('continues inside the span from its first byte plus the bytes held', () => {
    expect(resumeRange({ first: 100, last: 199 }, 40)).toBe('bytes=140-199');
    expect(resumeRange({ first: 0, last: null }, 4096)).toBe('bytes=4096-');
  });
});
