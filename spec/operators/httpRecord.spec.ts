import { filter, firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import { fetchRecords } from '../../operators/fetchRecords';
import { httpRecord, type HttpRecordOptions } from '../../operators/httpRecord';
import { normalizeRetry } from '../../operators/retryOptions';
import type { BodySink, RecordEvent, RecordResult, StoredRequest, StoredResponse, Transport } from '../../operators/types';
import { createKyTransport } from '../../src/transport/kyTransport';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { until } from '../helpers/until';

/** Node's own fetch, as a transport: no retries, no timeout of its own. */
const transport: Transport = (request, { signal }) => fetch(request, { signal });

/** A BodySink in memory: chunk arrays per record, plus what it was asked to do. */
class MemorySink implements BodySink {
  readonly chunks = new Map<number, Uint8Array[]>();
  readonly heads = new Map<number, StoredResponse>();
  readonly begins: Array<{ index: number; offset: number; status: number }> = [];

  /** A sink that already holds `bytes` for record `index`, as a store would after a restart. */
  static holding(index: number, bytes: Uint8Array, response: StoredResponse): MemorySink {
    const sink = new MemorySink();
    sink.chunks.set(index, [bytes]);
    sink.heads.set(index, response);
    return sink;
  }

  async resumePoint(index: number) {
    return { offset: this.body(index).length, response: this.heads.get(index) ?? null };
  }

  async begin(index: number, response: StoredResponse, offset: number) {
    this.begins.push({ index, offset, status: response.status });
    this.heads.set(index, response);
    this.chunks.set(index, [this.body(index).subarray(0, offset)]);
  }

  async write(index: number, chunk: Uint8Array) {
    this.chunks.get(index)?.push(chunk);
  }

  body(index: number): Buffer {
    return Buffer.concat(this.chunks.get(index) ?? []);
  }
}

const get = (url: string): StoredRequest => ({ url, method: 'GET', headers: [], body: null });

/** Runs one record to its end and returns every event it emitted. */
function run(request: StoredRequest, options: Partial<HttpRecordOptions> & { sink: BodySink }): Promise<RecordEvent[]> {
  const fetchOne = httpRecord({ transport, retry: { limit: 2, delay: () => 10 }, ...options });
  return lastValueFrom(fetchOne({ index: 0, request }).pipe(toArray()));
}

const chunkBytes = (events: RecordEvent[]) => events.reduce((sum, e) => sum + (e.type === 'chunk' ? e.bytes : 0), 0);
const responses = (events: RecordEvent[]) => events.flatMap((e) => (e.type === 'response' ? [{ status: e.response.status, offset: e.offset }] : []));
const results = (events: RecordEvent[]): RecordResult[] => events.flatMap((e) => (e.type === 'settled' ? [e.result] : []));

describe('httpRecord against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('stores a sized body byte-identical, with chunk events summing to its size', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/bytes?size=300000&seed=s&chunk=16384`), { sink });

    expect(sink.body(0).equals(bodyOf(300000, 's'))).toBe(true);
    expect(chunkBytes(events)).toBe(300000);
    expect(events.filter((e) => e.type === 'chunk').length).toBeGreaterThan(1);
    expect(responses(events)).toEqual([{ status: 200, offset: 0 }]);
    expect(events[0]).toMatchObject({ type: 'response', index: 0, response: { status: 200, url: `${server.url}/bytes?size=300000&seed=s&chunk=16384` } });
    expect(events.at(-1)).toEqual({ type: 'settled', index: 0, result: 'success' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].range).toBeUndefined();
  });

  it('resumes a body cut mid-way with Range: bytes=N- and If-Range, and completes byte-identical', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/reset?size=200000&after=60000&chunk=16384&delay=2&seed=r&times=2`), { sink });

    expect(results(events)).toEqual(['success']);
    expect(sink.body(0).equals(bodyOf(200000, 'r'))).toBe(true);
    expect(server.requests).toHaveLength(3);
    const [first, second, third] = responses(events);
    expect(first).toEqual({ status: 200, offset: 0 });
    // The stored head stays the 200 the bytes came from; the resume offsets are what was kept.
    expect(second.status).toBe(200);
    expect(second.offset).toBeGreaterThan(0);
    expect(third.offset).toBeGreaterThan(second.offset);
    expect(server.requests[0].range).toBeUndefined();
    expect(server.requests[1].range).toBe(`bytes=${second.offset}-`);
    expect(server.requests[2].range).toBe(`bytes=${third.offset}-`);
    expect(server.requests[1].headers['if-range']).toBe('"r-200000"');
    // Nothing downloaded twice: the chunks add up to the size exactly.
    expect(chunkBytes(events)).toBe(200000);
    expect(sink.begins.map((b) => b.offset)).toEqual([0, second.offset, third.offset]);
  });

  it('gives up with fetch-error once its network patience is used up without getting further', async () => {
    const sink = new MemorySink();
    const started = Date.now();
    const events = await run(get(`${server.url}/reset?size=100000&after=20000&times=999&ranges=0`), { sink, patience: 300 });

    expect(results(events)).toEqual(['fetch-error']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    // Every attempt restarts at 0 (no Range support) and breaks at the same byte: no progress.
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)?.type).toBe('settled');
    expect(events.filter((e) => e.type === 'waiting').map((e) => e.type === 'waiting' && e.waiting).at(-1)).toBe(false);
  });

  it('keeps resuming a connection that breaks on every attempt as long as each gets further: success', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/reset?size=100000&after=20000&times=10&seed=p`), { sink, patience: 300 });

    expect(results(events)).toEqual(['success']);
    expect(sink.body(0).equals(bodyOf(100000, 'p'))).toBe(true);
    expect(server.requests).toHaveLength(5);
    expect(chunkBytes(events)).toBe(100000);
  });

  it('waits the retry delay between attempts', async () => {
    const sink = new MemorySink();
    const started = Date.now();
    const events = await run(get(`${server.url}/reset?size=100000&after=20000&times=1`), { sink, retry: { limit: 1, delay: () => 250 } });

    expect(results(events)).toEqual(['success']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('counts a body that stalls longer than `timeout` as broken: fetch-error with no patience', async () => {
    const sink = new MemorySink();
    const started = Date.now();
    const events = await run(get(`${server.url}/hang`), { sink, timeout: 300, retry: 0, patience: 0 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(results(events)).toEqual(['fetch-error']);
    expect(chunkBytes(events)).toBe(10);
    expect(server.requests).toHaveLength(1);
    await until(() => server.inFlight === 0, '0 requests in flight');
  });

  it('restarts at offset 0 when a Range request gets a 200 (a server without Range support)', async () => {
    const url = `${server.url}/bytes?size=1000&seed=n&ranges=0`;
    const previous: StoredResponse = { url, status: 200, statusText: 'OK', headers: [['etag', '"n-1000"'], ['content-length', '1000']] };
    const sink = MemorySink.holding(0, new Uint8Array(400).fill(0xee), previous);
    const events = await run(get(url), { sink });

    expect(server.requests[0].range).toBe('bytes=400-');
    expect(server.requests[0].headers['if-range']).toBe('"n-1000"');
    expect(responses(events)).toEqual([{ status: 200, offset: 0 }]);
    expect(results(events)).toEqual(['success']);
    expect(sink.body(0).equals(bodyOf(1000, 'n'))).toBe(true);
    expect(chunkBytes(events)).toBe(1000);
  });

  it('settles a record whose whole body is already stored without asking for more (no 416)', async () => {
    const url = `${server.url}/bytes?size=1000&seed=f`;
    const previous: StoredResponse = { url, status: 200, statusText: 'OK', headers: [['etag', '"f-1000"'], ['content-length', '1000']] };
    const sink = MemorySink.holding(0, bodyOf(1000, 'f'), previous);
    const events = await run(get(url), { sink });

    expect(results(events)).toEqual(['success']);
    expect(responses(events)).toEqual([{ status: 200, offset: 1000 }]);
    expect(sink.body(0).equals(bodyOf(1000, 'f'))).toBe(true);
    expect(server.requests.filter((r) => r.range === 'bytes=1000-')).toEqual([]);
  });

  it('settles a fully stored error body as bad-status, keeping it', async () => {
    const url = `${server.url}/status/404?body=missing`;
    const previous: StoredResponse = { url, status: 404, statusText: 'Not Found', headers: [['content-length', '7']] };
    const sink = MemorySink.holding(0, Buffer.from('missing'), previous);
    const events = await run(get(url), { sink });

    expect(results(events)).toEqual(['bad-status']);
    expect(sink.body(0).toString()).toBe('missing');
    expect(server.requests).toHaveLength(0);
  });

  it('completes from a server without Range support', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/bytes?size=70000&seed=q&ranges=0`), { sink });

    expect(results(events)).toEqual(['success']);
    expect(sink.body(0).equals(bodyOf(70000, 'q'))).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('restarts with the new content when the ETag changed between attempts (If-Range mismatch → 200)', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/changing?size=200000&after=100000&chunk=16384&delay=2`), { sink });

    expect(results(events)).toEqual(['success']);
    expect(server.requests).toHaveLength(2);
    const [first, second] = responses(events);
    expect(first).toEqual({ status: 200, offset: 0 });
    expect(second).toEqual({ status: 200, offset: 0 });
    expect(server.requests[1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(server.requests[1].headers['if-range']).toBe('"v1"');
    expect(sink.body(0).equals(bodyOf(200000, 'v2'))).toBe(true);
    expect(sink.heads.get(0)?.headers).toContainEqual(['etag', '"v2"']);
  });

  describe('an invalid 206 to a Range request is a fetch-error, not retried', () => {
    it.each(['wrong-start', 'no-header', 'garbage'])('/bad-range?mode=%s', async (mode) => {
      const url = `${server.url}/bad-range?size=1000&mode=${mode}`;
      const previous: StoredResponse = { url, status: 200, statusText: 'OK', headers: [['etag', '"-1000"'], ['content-length', '1000']] };
      const kept = bodyOf(1000).subarray(0, 400);
      const sink = MemorySink.holding(0, kept, previous);
      const events = await run(get(url), { sink });

      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].range).toBe('bytes=400-');
      expect(events).toEqual([{ type: 'settled', index: 0, result: 'fetch-error' }]);
      expect(sink.body(0).equals(kept)).toBe(true); // the partial answer never reached the sink
    });
  });

  it('accepts a valid 206 to a plain request (it starts at 0 and is complete)', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/bad-range?size=1000&mode=unsolicited`), { sink });

    expect(responses(events)).toEqual([{ status: 206, offset: 0 }]);
    expect(results(events)).toEqual(['success']);
    expect(sink.body(0).equals(bodyOf(1000))).toBe(true);
  });

  it('settles a 404 as bad-status and still stores its body', async () => {
    const sink = new MemorySink();
    const events = await run(get(`${server.url}/status/404?body=missing`), { sink });

    expect(results(events)).toEqual(['bad-status']);
    expect(responses(events)).toEqual([{ status: 404, offset: 0 }]);
    expect(sink.body(0).toString()).toBe('missing');
    expect(chunkBytes(events)).toBe(7);
    expect(server.requests).toHaveLength(1);
  });

  it('never resumes a POST: a cut body is a fetch-error after one request', async () => {
    const sink = new MemorySink();
    const request: StoredRequest = { url: `${server.url}/reset?size=100000&after=30000`, method: 'POST', headers: [['content-type', 'text/plain']], body: new TextEncoder().encode('hello').buffer as ArrayBuffer };
    const events = await run(request, { sink });

    expect(results(events)).toEqual(['fetch-error']);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].method).toBe('POST');
    expect(server.requests[0].body.toString()).toBe('hello');
    expect(events).toContainEqual({ type: 'uploaded', index: 0, bytes: 5 });
  });

  describe('a POST or PUT answered with 307 or 308 is followed with its body (issue 11 §5)', () => {
    const transports: Array<[string, Transport]> = [
      ['fetch', transport],
      ['the ky transport', createKyTransport({ retry: normalizeRetry({ limit: 2, delay: () => 10 }), timeout: 5000 })],
    ];
    describe.each(transports)('through %s', (_name, through) => {
      it.each([
        ['POST', 307],
        ['POST', 308],
        ['PUT', 307],
        ['PUT', 308],
      ])('%s redirected with %i reaches /echo byte-exact; the stored body is unchanged', async (method, status) => {
        const sent = bodyOf(100_000, 'upload');
        const body = new Uint8Array(sent).buffer;
        const request: StoredRequest = { url: `${server.url}/redirect?status=${status}&to=/echo`, method, headers: [['content-type', 'application/x-test']], body };
        const sink = new MemorySink();
        const events = await run(request, { sink, transport: through });

        expect(results(events)).toEqual(['success']);
        expect(server.requests.map((seen) => [seen.method, seen.path])).toEqual([[method, '/redirect'], [method, '/echo']]);
        expect(server.requests.every((seen) => seen.body.equals(sent))).toBe(true);
        expect(sink.body(0).equals(sent)).toBe(true);
        expect(sink.heads.get(0)?.headers).toContainEqual(['content-type', 'application/x-test']);
        expect(request.body).toBe(body);
        expect(Buffer.from(body).equals(sent)).toBe(true);
        expect(events).toContainEqual({ type: 'uploaded', index: 0, bytes: sent.length });
      });
    });
  });

  describe('a GET with a Range header of its own holds exactly its range (issue 11 §9)', () => {
    const ranged = (url: string, range: string): StoredRequest => ({ url, method: 'GET', headers: [['range', range]], body: null });
    const file = bodyOf(3000, 'rg');

    it.each([
      ['bytes=100-199', 100, 199],
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, 2999],
      ['bytes=2900-9999', 2900, 2999],
    ])('%s of a 3000-byte file stores its bytes %i..%i, byte-exact, in one request', async (range, first, last) => {
      const sink = new MemorySink();
      const events = await run(ranged(`${server.url}/bytes?size=3000&seed=rg`, range), { sink });

      expect(results(events)).toEqual(['success']);
      expect(sink.body(0).equals(file.subarray(first, last + 1))).toBe(true);
      expect(chunkBytes(events)).toBe(last + 1 - first);
      expect(responses(events)).toEqual([{ status: 206, offset: 0 }]);
      expect(server.requests.map((seen) => seen.range)).toEqual([range]);
    });

    it('a body cut mid-way resumes inside its range (Range from start + stored, If-Range) and ends byte-exact', async () => {
      const sink = new MemorySink();
      const url = `${server.url}/reset?size=200000&after=30000&times=2&chunk=16384&delay=2`;
      const events = await run(ranged(url, 'bytes=50000-149999'), { sink });

      expect(results(events)).toEqual(['success']);
      expect(sink.body(0).equals(bodyOf(200000).subarray(50000, 150000))).toBe(true);
      expect(chunkBytes(events)).toBe(100000);
      const [first, second, third] = responses(events);
      expect(first).toEqual({ status: 206, offset: 0 });
      expect(second.offset).toBeGreaterThan(0);
      expect(third.offset).toBeGreaterThan(second.offset);
      expect(server.requests.map((seen) => seen.range)).toEqual(['bytes=50000-149999', `bytes=${50000 + second.offset}-149999`, `bytes=${50000 + third.offset}-149999`]);
      expect(server.requests.slice(1).map((seen) => seen.headers['if-range'])).toEqual(['"-200000"', '"-200000"']);
      // The head kept is the first 206, so the record reads as the range it asked for.
      expect(sink.heads.get(0)?.headers).toContainEqual(['content-range', 'bytes 50000-149999/200000']);
    });

    it('a ranged record stored whole before a restart settles without another request', async () => {
      const url = `${server.url}/bytes?size=3000&seed=rg`;
      const previous: StoredResponse = { url, status: 206, statusText: 'Partial Content', headers: [['etag', '"rg-3000"'], ['content-range', 'bytes 100-199/3000']] };
      const sink = MemorySink.holding(0, file.subarray(100, 200), previous);
      const events = await run(ranged(url, 'bytes=100-199'), { sink });

      expect(results(events)).toEqual(['success']);
      expect(responses(events)).toEqual([{ status: 206, offset: 100 }]);
      expect(server.requests).toHaveLength(0);
    });

    it('a 206 reaching past the range asked for is an invalid partial response: fetch-error, nothing kept', async () => {
      const sink = new MemorySink();
      const events = await run(ranged(`${server.url}/bad-range?size=1000&mode=overlong`, 'bytes=0-99'), { sink });

      expect(server.requests).toHaveLength(1);
      expect(events).toEqual([{ type: 'settled', index: 0, result: 'fetch-error' }]);
    });

    it('a 200 to a ranged request (the server ignored Range) is stored whole, as a plain fetch gives it', async () => {
      const sink = new MemorySink();
      const events = await run(ranged(`${server.url}/bytes?size=3000&seed=rg&ranges=0`, 'bytes=100-199'), { sink });

      expect(results(events)).toEqual(['success']);
      expect(responses(events)).toEqual([{ status: 200, offset: 0 }]);
      expect(sink.body(0).equals(file)).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it('a suffix range is sent as given, and a break restarts it from zero with the same Range', async () => {
      const sink = new MemorySink();
      const events = await run(ranged(`${server.url}/reset?size=100000&after=20000&times=1&chunk=8192&delay=2`, 'bytes=-60000'), { sink });

      expect(results(events)).toEqual(['success']);
      expect(sink.body(0).equals(bodyOf(100000).subarray(40000))).toBe(true);
      expect(responses(events)).toEqual([{ status: 206, offset: 0 }, { status: 206, offset: 0 }]);
      expect(server.requests.map((seen) => [seen.range, seen.headers['if-range']])).toEqual([['bytes=-60000', undefined], ['bytes=-60000', undefined]]);
    });

    it('multiple ranges are sent as given and the answer is taken as it comes', async () => {
      const sink = new MemorySink();
      const events = await run(ranged(`${server.url}/bytes?size=3000&seed=rg`, 'bytes=0-9,20-29'), { sink });

      expect(results(events)).toEqual(['success']);
      expect(sink.body(0).equals(file)).toBe(true);
      expect(server.requests.map((seen) => seen.range)).toEqual(['bytes=0-9,20-29']);
    });
  });

  it('settles quota-exceeded when the sink rejects with QuotaExceededError, and closes the request', async () => {
    const sink = new MemorySink();
    sink.write = async () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const events = await run(get(`${server.url}/bytes?size=20000000&chunk=16384&delay=5`), { sink });

    expect(results(events)).toEqual(['quota-exceeded']);
    expect(chunkBytes(events)).toBe(0);
    expect(server.requests).toHaveLength(1); // a full store is not retried
    await until(() => server.inFlight === 0, '0 requests in flight');
  });

  it('settles fetch-error, without retrying, when the sink fails for another reason', async () => {
    const sink = new MemorySink();
    sink.write = async () => {
      throw new Error('disk on fire');
    };
    const events = await run(get(`${server.url}/bytes?size=1000`), { sink });

    expect(results(events)).toEqual(['fetch-error']);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['rejects', async () => Promise.reject(new Error('disk on fire'))],
    [
      'throws instead of rejecting',
      () => {
        throw new Error('disk on fire');
      },
    ],
  ])('settles fetch-error, without retrying, when the sink’s begin %s', async (_, begin) => {
    const sink = new MemorySink();
    sink.begin = begin as MemorySink['begin'];
    const events = await run(get(`${server.url}/bytes?size=1000`), { sink });

    expect(results(events)).toEqual(['fetch-error']);
    expect(server.requests).toHaveLength(1);
  });

  it('unsubscribing mid-body aborts the request and stops writing', async () => {
    const sink = new MemorySink();
    const fetchOne = httpRecord({ transport, sink });
    const first = await firstValueFrom(fetchOne({ index: 0, request: get(`${server.url}/bytes?size=5000000&chunk=16384&delay=5`) }).pipe(filter((e) => e.type === 'chunk')));

    expect(first.type).toBe('chunk');
    expect(server.inFlight).toBe(1);
    await until(() => server.inFlight === 0, '0 requests in flight');
    const stored = sink.body(0).length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.body(0).length).toBe(stored);
    expect(stored).toBeLessThan(5000000);
  });

  it('with fetchRecords: runs at most `concurrency` requests at once and stores each body', async () => {
    const sink = new MemorySink();
    const urls = ['a', 'b', 'c', 'd'].map((seed) => `${server.url}/bytes?size=50000&seed=${seed}&chunk=8192&delay=10`);
    const events = await lastValueFrom(
      from(urls.map((url, index) => ({ index, request: get(url) }))).pipe(
        fetchRecords(httpRecord({ transport, sink }), { concurrency: 2 }),
        toArray(),
      ),
    );

    expect(server.maxInFlight).toBe(2);
    expect(events.filter((e) => e.type === 'settled')).toHaveLength(4);
    for (const [index, seed] of ['a', 'b', 'c', 'd'].entries()) expect(sink.body(index).equals(bodyOf(50000, seed))).toBe(true);
  });
});

describe('httpRecord options', () => {
  // Timers hold at most 2 ** 31 - 1 ms: a longer timeout would fire at once and break every body.
  it.each([2 ** 31, Number.POSITIVE_INFINITY, 0, Number.NaN])('rejects the timeout %p with a TypeError naming it', (timeout) => {
    expect(() => httpRecord({ transport, sink: new MemorySink(), timeout })).toThrow(TypeError);
    expect(() => httpRecord({ transport, sink: new MemorySink(), timeout })).toThrow(`httpRecord: timeout must be a number of ms > 0 and ≤ 2147483647, got ${String(timeout)}.`);
  });

  it('accepts the longest timeout a timer holds, 2 ** 31 - 1 ms', () => {
    expect(() => httpRecord({ transport, sink: new MemorySink(), timeout: 2 ** 31 - 1 })).not.toThrow();
  });
});
