import { createHash } from 'node:crypto';
import { lastValueFrom, toArray } from 'rxjs';
import { httpRecord } from '../../operators/httpRecord';
import { memorySink } from '../../operators/memorySink';
import { normalizeRetry } from '../../operators/retryOptions';
import { plainURL, requestProperties, storeRequest, toLiveRequest } from '../../operators/requestCodec';
import { requestDefaults } from '../../operators/requestDefaults';
import type { RecordEvent, StoredRequest, Transport } from '../../operators/types';
import { createKyTransport } from '../../src/transport/kyTransport';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { until } from '../helpers/until';

// A value other than the default for every kept member, so a member dropped on either way shows.
const unusual = {
  mode: 'same-origin',
  credentials: 'omit',
  cache: 'no-store',
  redirect: 'manual',
  referrer: 'https://app.test/page',
  referrerPolicy: 'no-referrer',
  integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
} as const satisfies Record<(typeof requestProperties)[number], string>;

const fromRequest = (request: Request) => Object.fromEntries(requestProperties.map((name) => [name, request[name]]));

describe('requestCodec', () => {
  it('keeps the url, method, headers, body and every listed member through storeRequest and back', async () => {
    const original = new Request('https://app.test/up?q=1', { method: 'PUT', headers: { 'x-one': '1', 'content-type': 'text/plain' }, body: 'hello', ...unusual });
    const stored = await storeRequest(original);
    // The stored form crosses realms as a structured clone: nothing in it may be live.
    const again = toLiveRequest(structuredClone(stored));
    expect(fromRequest(again)).toEqual(unusual);
    expect(fromRequest(again)).toEqual(fromRequest(original));
    expect(again.url).toBe('https://app.test/up?q=1');
    expect(again.method).toBe('PUT');
    expect([...again.headers]).toEqual([...original.headers]);
    expect(await again.text()).toBe('hello');
    expect(await original.text()).toBe('hello');
  });

  it('stores each listed member under its own name, and nothing live', async () => {
    const stored = await storeRequest(new Request('https://app.test/a', unusual));
    expect(stored).toEqual({ url: 'https://app.test/a', method: 'GET', headers: [], body: null, ...unusual });
  });

  it('leaves members a stored request lacks to the platform defaults', () => {
    const request = toLiveRequest({ url: 'https://app.test/a', method: 'GET', headers: [], body: null });
    const defaults = new Request('https://app.test/a');
    expect(fromRequest(request)).toEqual(fromRequest(defaults));
  });

  it('sends a navigation request again as same-origin, which the constructor accepts', () => {
    const request = toLiveRequest({ url: 'https://app.test/', method: 'GET', headers: [], body: null, mode: 'navigate' });
    expect(request.mode).toBe('same-origin');
  });

  it('lets init override what was stored (the pipeline adds Range and its signal)', () => {
    const controller = new AbortController();
    const stored: StoredRequest = { url: 'https://app.test/a', method: 'GET', headers: [['x-a', '1']], body: null, cache: 'reload' };
    const request = toLiveRequest(stored, { headers: { range: 'bytes=5-' }, signal: controller.signal });
    controller.abort();
    expect([...request.headers]).toEqual([['range', 'bytes=5-']]);
    expect(request.cache).toBe('reload');
    expect(request.signal.aborted).toBe(true);
  });

  it('rejects a TypeError that names the request when its body cannot be read', async () => {
    const broken = new Request('https://app.test/up', {
      method: 'POST',
      body: new ReadableStream({ pull: (controller) => controller.error(new Error('disk gone')) }),
      duplex: 'half',
    } as RequestInit);
    await expect(storeRequest(broken)).rejects.toThrow(/body of the request for "https:\/\/app\.test\/up" could not be read/);
  });
});

describe('plainURL', () => {
  const plain: StoredRequest = { url: 'https://app.test/a', method: 'GET', headers: [], body: null };

  it('gives the URL of a GET that new Request(url) would make again: no headers, members absent or the defaults', () => {
    expect(plainURL(plain, requestDefaults)).toBe('https://app.test/a');
    expect(plainURL({ ...plain, ...requestDefaults } as StoredRequest, requestDefaults)).toBe('https://app.test/a');
    // What the defaults are: a stored request that has them is sent as its URL alone.
    expect(fromRequest(new Request(plain.url))).toEqual({ ...requestDefaults, referrer: 'about:client' });
  });

  it.each(requestProperties.map((name) => [name]))('gives null when %s is not the default', (name) => {
    expect(plainURL({ ...plain, [name]: unusual[name] }, requestDefaults)).toBeNull();
  });

  it('gives null for a request with headers, or any method but GET', () => {
    expect(plainURL({ ...plain, headers: [['accept', 'text/plain']] }, requestDefaults)).toBeNull();
    expect(plainURL({ ...plain, method: 'HEAD' }, requestDefaults)).toBeNull();
    expect(plainURL({ ...plain, method: 'POST', body: new ArrayBuffer(1) }, requestDefaults)).toBeNull();
  });
});

describe('httpRecord sends what the codec kept', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterAll(() => server.close());

  /** Runs one record over Node's own fetch and keeps every Request it was handed. */
  async function send(request: StoredRequest): Promise<{ sent: Request[]; events: RecordEvent[] }> {
    const sent: Request[] = [];
    const transport: Transport = (live, { signal }) => {
      sent.push(live);
      return fetch(live, { signal });
    };
    const events = await lastValueFrom(httpRecord({ transport, sink: memorySink(), retry: 0 })({ index: 0, request }).pipe(toArray()));
    return { sent, events };
  }
  const result = (events: RecordEvent[]) => events.flatMap((event) => (event.type === 'settled' ? [event.result] : []));

  it('puts cache, referrerPolicy, credentials and redirect on the request it sends', async () => {
    const stored: StoredRequest = { url: `${server.url}/bytes?size=10`, method: 'GET', headers: [], body: null, cache: 'no-store', referrerPolicy: 'origin', credentials: 'omit', redirect: 'error' };
    const { sent, events } = await send(stored);
    expect(result(events)).toEqual(['success']);
    expect(sent.map((request) => [request.cache, request.referrerPolicy, request.credentials, request.redirect])).toEqual([['no-store', 'origin', 'omit', 'error']]);
  });

  it('sends the integrity metadata, which the network checks: matching bytes succeed, others fail', async () => {
    const url = `${server.url}/bytes?size=1000`;
    const digest = `sha256-${createHash('sha256').update(bodyOf(1000)).digest('base64')}`;
    const good = await send({ url, method: 'GET', headers: [], body: null, integrity: digest });
    expect(good.sent[0].integrity).toBe(digest);
    expect(result(good.events)).toEqual(['success']);
    const bad = await send({ url, method: 'GET', headers: [], body: null, integrity: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' });
    // After one more whole attempt, not the default ten minutes of patience: the server answers.
    expect(result(bad.events)).toEqual(['fetch-error']);
    expect(bad.sent).toHaveLength(2);
  });

  it('never resumes a request with integrity with Range: a part of the body could never match', async () => {
    const url = `${server.url}/reset?size=100000&times=1`;
    const digest = `sha256-${createHash('sha256').update(bodyOf(100_000)).digest('base64')}`;
    const { sent, events } = await send({ url, method: 'GET', headers: [], body: null, integrity: digest });
    expect(sent.map((request) => request.headers.get('range'))).toEqual([null, null]);
    expect(result(events)).toEqual(['success']);
  });

  it('keeps them through the ky transport, whose own Request would reset the referrer and its policy', async () => {
    const handed: Request[] = [];
    const transport = createKyTransport({
      retry: normalizeRetry(0),
      timeout: 5000,
      fetch: (input, init) => {
        handed.push(input as Request);
        return fetch(input, init);
      },
    });
    const stored: StoredRequest = { url: `${server.url}/bytes?size=10`, method: 'GET', headers: [], body: null, cache: 'no-store', referrerPolicy: 'no-referrer', referrer: '', integrity: '' };
    const response = await transport(toLiveRequest(stored), { signal: new AbortController().signal });
    expect(response.status).toBe(200);
    expect(handed.map((request) => [request.cache, request.referrerPolicy, request.referrer])).toEqual([['no-store', 'no-referrer', '']]);
  });
});

describe('a transport that takes URLs', () => {
  let server: TestServer;
  beforeAll(async () => (server = await startTestServer()));
  afterEach(() => server.reset());
  afterAll(() => server.close());

  /** Runs one record through `transport` and keeps what it was handed: a URL or a Request's method and Range. */
  async function handedFor(request: StoredRequest, takesURLs: boolean): Promise<{ handed: unknown[]; events: RecordEvent[] }> {
    const handed: unknown[] = [];
    const transport: Transport = Object.assign(
      (input: Request | string, { signal }: { signal: AbortSignal }) => {
        handed.push(typeof input === 'string' ? input : [input.method, input.headers.get('range')]);
        return fetch(input, { signal });
      },
      { takesURLs },
    );
    const events = await lastValueFrom(httpRecord({ transport, sink: memorySink(), retry: { limit: 2, delay: () => 10 } })({ index: 0, request }).pipe(toArray()));
    return { handed, events };
  }
  const result = (events: RecordEvent[]) => events.flatMap((event) => (event.type === 'settled' ? [event.result] : []));

  it('is handed a plain GET as its URL alone, and a resume of it as a Request with Range', async () => {
    const url = `${server.url}/reset?size=100000&after=40000&seed=u`;
    const { handed, events } = await handedFor({ url, method: 'GET', headers: [], body: null }, true);
    expect(result(events)).toEqual(['success']);
    expect(handed).toEqual([url, ['GET', 'bytes=40000-']]);
  });

  it('is handed a Request for a GET with headers or a member of its own, and for a POST', async () => {
    const url = `${server.url}/bytes?size=10`;
    const requests: StoredRequest[] = [
      { url, method: 'GET', headers: [['accept', 'application/octet-stream']], body: null },
      { url, method: 'GET', headers: [], body: null, cache: 'no-store' },
      { url: `${server.url}/echo`, method: 'POST', headers: [], body: new ArrayBuffer(3) },
    ];
    for (const request of requests) {
      const { handed, events } = await handedFor(request, true);
      expect(result(events)).toEqual(['success']);
      expect(handed).toEqual([[request.method, null]]);
    }
  });

  it('is not handed URLs unless it says it takes them', async () => {
    const { handed } = await handedFor({ url: `${server.url}/bytes?size=10`, method: 'GET', headers: [], body: null }, false);
    expect(handed).toEqual([['GET', null]]);
  });

  describe('the ky transport with takesURLs', () => {
    const through = (fetchFn: typeof fetch, timeout = 5000) => createKyTransport({ retry: normalizeRetry({ limit: 2, delay: () => 10 }), timeout, fetch: fetchFn, takesURLs: true });

    it('says so, and hands fetch the URL as it came', async () => {
      const handed: unknown[] = [];
      const transport = through((input, init) => (handed.push(input), fetch(input, init)));
      const url = `${server.url}/bytes?size=10`;
      const response = await transport(url as unknown as Request, { signal: new AbortController().signal });
      expect(transport.takesURLs).toBe(true);
      expect(createKyTransport({ retry: normalizeRetry(0), timeout: 5000 }).takesURLs).toBeUndefined();
      expect(response.status).toBe(200);
      expect(handed).toEqual([url]);
    });

    it('retries a URL answered with a retried status, as it retries a Request', async () => {
      const transport = through(fetch);
      const budget = { left: 2, spend() { this.left--; } };
      const response = await transport(`${server.url}/flaky?times=2&status=503&size=16` as unknown as Request, { signal: new AbortController().signal, budget });
      expect(response.status).toBe(200);
      expect(server.requests.map((seen) => [seen.method, seen.path])).toEqual([['GET', '/flaky'], ['GET', '/flaky'], ['GET', '/flaky']]);
      expect(budget.left).toBe(0);
    });

    it('rejects a URL whose headers are late with the TimeoutError a Request gets, naming it', async () => {
      const url = `${server.url}/stall-headers?delay=5000`;
      const attempt = through(fetch, 100)(url as unknown as Request, { signal: new AbortController().signal });
      await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError', request: { url, method: 'GET' } });
    });
  });

  describe("the ky transport given the caller's abort", () => {
    const sentSignals = (timeout = 5000) => {
      const signals: (AbortSignal | null | undefined)[] = [];
      const transport = createKyTransport({ retry: normalizeRetry(0), timeout, fetch: (input, init) => (signals.push(init?.signal), fetch(input, init)), takesURLs: true });
      return { signals, transport };
    };

    it("hands fetch the caller's signal itself, not a controller of its own following it", async () => {
      const { signals, transport } = sentSignals();
      const caller = new AbortController();
      const response = await transport(`${server.url}/bytes?size=10` as unknown as Request, { signal: caller.signal, abort: (reason) => caller.abort(reason) });
      expect(response.status).toBe(200);
      expect(signals).toEqual([caller.signal]);
    });

    it('on a header timeout aborts through `abort` with the TimeoutError it rejects with, and the request leaves the server', async () => {
      const { signals, transport } = sentSignals(100);
      const caller = new AbortController();
      const aborted: unknown[] = [];
      const url = `${server.url}/stall-headers?delay=600000`;
      const attempt = transport(url as unknown as Request, { signal: caller.signal, abort: (reason) => (aborted.push(reason), caller.abort(reason)) });
      const error = await attempt.then(() => undefined, (rejected: unknown) => rejected);
      expect(error).toMatchObject({ name: 'TimeoutError', request: { url, method: 'GET' } });
      expect(aborted).toEqual([error]);
      expect([signals[0]?.aborted, signals[0]?.reason]).toEqual([true, error]);
      // The server's ten-minute wait ends early only when the client goes away.
      await until(() => server.inFlight === 0, 'the request to leave the server');
    });

    it('without `abort`, sends a signal of its own that follows the caller and aborts on a header timeout', async () => {
      const { signals, transport } = sentSignals(100);
      const caller = new AbortController();
      const attempt = transport(`${server.url}/stall-headers?delay=600000` as unknown as Request, { signal: caller.signal });
      await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(signals[0]).not.toBe(caller.signal);
      expect([signals[0]?.aborted, caller.signal.aborted]).toEqual([true, false]);
      await until(() => server.inFlight === 0, 'the request to leave the server');
    });

    it('without `abort`, aborts the sent request when the caller aborts', async () => {
      const { signals, transport } = sentSignals();
      const caller = new AbortController();
      const attempt = transport(`${server.url}/stall-headers?delay=600000` as unknown as Request, { signal: caller.signal });
      await until(() => server.requests.length === 1, 'the request to reach the server');
      caller.abort(new Error('stopped'));
      await expect(attempt).rejects.toThrow('stopped');
      expect(signals[0]?.aborted).toBe(true);
    });
  });
});
