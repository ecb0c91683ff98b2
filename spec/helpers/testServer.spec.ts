import { bodyOf, startTestServer, type TestServer } from './testServer';
import { until } from './until';

/** Reads a whole response body as a Buffer. */
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('bodyOf', () => {
  it('is deterministic: byte i = (i * 31 + hash(seed)) & 0xff', () => {
    expect([...bodyOf(4)]).toEqual([0, 31, 62, 93]);
    expect(bodyOf(1000, 'a').equals(bodyOf(1000, 'a'))).toBe(true);
    expect(bodyOf(1000, 'a').equals(bodyOf(1000, 'b'))).toBe(false);
    expect(bodyOf(0).length).toBe(0);
  });
});

describe('startTestServer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('listens on 127.0.0.1 with a random port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.origin).toBe(server.url);
    expect(server.port).toBeGreaterThan(0);
  });

  describe('/bytes', () => {
    it('serves bodyOf(size, seed) with length, type, Accept-Ranges and a default ETag', async () => {
      const res = await fetch(`${server.url}/bytes?size=100000&seed=abc`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBe('100000');
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('etag')).toBe('"abc-100000"');
      expect(res.headers.get('last-modified')).toBeNull();
      expect((await bytes(res)).equals(bodyOf(100000, 'abc'))).toBe(true);
    });

    it('honours etag, lastModified, type, and chunk + delay', async () => {
      const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
      const started = Date.now();
      const res = await fetch(`${server.url}/bytes?size=1000&chunk=100&delay=10&etag=E1&type=image/png&lastModified=${encodeURIComponent(lastModified)}`);
      expect(res.headers.get('etag')).toBe('"E1"');
      expect(res.headers.get('last-modified')).toBe(lastModified);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect((await bytes(res)).equals(bodyOf(1000))).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(80); // 9 pauses of 10 ms
    });

    it('answers a single range with 206, Content-Range and the slice', async () => {
      const res = await fetch(`${server.url}/bytes?size=100&seed=s`, { headers: { Range: 'bytes=10-19' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe('bytes 10-19/100');
      expect(res.headers.get('content-length')).toBe('10');
      expect((await bytes(res)).equals(bodyOf(100, 's').subarray(10, 20))).toBe(true);

      const open = await fetch(`${server.url}/bytes?size=100&seed=s`, { headers: { Range: 'bytes=90-' } });
      expect(open.status).toBe(206);
      expect(open.headers.get('content-range')).toBe('bytes 90-99/100');
      expect((await bytes(open)).equals(bodyOf(100, 's').subarray(90))).toBe(true);
      expect(server.requests.map((r) => r.range)).toEqual(['bytes=10-19', 'bytes=90-']);
    });

    it('answers a suffix range with the last bytes, and ignores multiple ranges', async () => {
      const tail = await fetch(`${server.url}/bytes?size=100&seed=s`, { headers: { Range: 'bytes=-30' } });
      expect(tail.status).toBe(206);
      expect(tail.headers.get('content-range')).toBe('bytes 70-99/100');
      expect((await bytes(tail)).equals(bodyOf(100, 's').subarray(70))).toBe(true);

      const longer = await fetch(`${server.url}/bytes?size=100&seed=s`, { headers: { Range: 'bytes=-500' } });
      expect(longer.headers.get('content-range')).toBe('bytes 0-99/100');
      await bytes(longer);

      const many = await fetch(`${server.url}/bytes?size=100&seed=s`, { headers: { Range: 'bytes=0-9,20-29' } });
      expect(many.status).toBe(200);
      expect((await bytes(many)).equals(bodyOf(100, 's'))).toBe(true);
    });

    it('answers 416 to a range starting at or past the end', async () => {
      const res = await fetch(`${server.url}/bytes?size=100`, { headers: { Range: 'bytes=100-' } });
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe('bytes */100');
      expect((await bytes(res)).length).toBe(0);
    });

    it('ignores Range with ranges=0', async () => {
      const res = await fetch(`${server.url}/bytes?size=100&ranges=0`, { headers: { Range: 'bytes=10-' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('accept-ranges')).toBeNull();
      expect((await bytes(res)).equals(bodyOf(100))).toBe(true);
    });

    it('honours If-Range: a match gives 206, a mismatch the full 200', async () => {
      const url = `${server.url}/bytes?size=100&etag=E&lastModified=${encodeURIComponent('Wed, 21 Oct 2015 07:28:00 GMT')}`;
      const match = await fetch(url, { headers: { Range: 'bytes=50-', 'If-Range': '"E"' } });
      expect(match.status).toBe(206);
      expect((await bytes(match)).equals(bodyOf(100).subarray(50))).toBe(true);

      const byDate = await fetch(url, { headers: { Range: 'bytes=50-', 'If-Range': 'Wed, 21 Oct 2015 07:28:00 GMT' } });
      expect(byDate.status).toBe(206);
      await bytes(byDate);

      const stale = await fetch(url, { headers: { Range: 'bytes=50-', 'If-Range': '"other"' } });
      expect(stale.status).toBe(200);
      expect(stale.headers.get('content-range')).toBeNull();
      expect((await bytes(stale)).equals(bodyOf(100))).toBe(true);
    });
  });

  describe('small routes', () => {
    it('/text returns the decoded body; /feature-name.txt answers any method', async () => {
      const text = await fetch(`${server.url}/text?body=${encodeURIComponent('héllo & bye')}`);
      expect(text.headers.get('content-type')).toBe('text/plain');
      expect(await text.text()).toBe('héllo & bye');

      for (const method of ['GET', 'PUT', 'POST']) {
        const res = await fetch(`${server.url}/feature-name.txt?x=1`, { method, ...(method === 'GET' ? {} : { body: 'x' }) });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-length')).toBe('16');
        expect(await res.text()).toBe('Background Fetch');
      }
    });

    it('/status/:code answers that code and body; unknown paths are 404', async () => {
      const teapot = await fetch(`${server.url}/status/418?body=short`);
      expect(teapot.status).toBe(418);
      expect(await teapot.text()).toBe('short');
      const missing = await fetch(`${server.url}/status/404`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('');
      const unknown = await fetch(`${server.url}/nope`);
      expect(unknown.status).toBe(404);
      expect(await unknown.text()).toBe('');
    });

    it('/vary sets Vary: X-Variant', async () => {
      const res = await fetch(`${server.url}/vary?v=1`);
      expect(res.headers.get('vary')).toBe('X-Variant');
      expect(await res.text()).toBe('vary');
    });

    it('/stall-headers waits before answering', async () => {
      const started = Date.now();
      const res = await fetch(`${server.url}/stall-headers?delay=100`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(await res.text()).toBe('Background Fetch');
    });

    it('/echo returns the request body and content type, and records the request', async () => {
      const payload = bodyOf(5000, 'echo');
      const res = await fetch(`${server.url}/echo?q=1`, { method: 'PUT', body: new Uint8Array(payload), headers: { 'Content-Type': 'application/x-test', 'X-Custom': 'yes' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-test');
      expect((await bytes(res)).equals(payload)).toBe(true);

      const [seen] = server.requests;
      expect(seen).toMatchObject({ method: 'PUT', path: '/echo', url: '/echo?q=1' });
      expect(seen.headers['x-custom']).toBe('yes');
      expect(seen.body.equals(payload)).toBe(true);
      expect(seen.range).toBeUndefined();

      const plain = await fetch(`${server.url}/echo`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
      expect(plain.headers.get('content-type')).toBe('application/octet-stream');
      expect([...(await bytes(plain))]).toEqual([1, 2, 3]);
    });

    it('/redirect answers `status` with Location `to`, the redirect a client follows', async () => {
      const res = await fetch(`${server.url}/redirect?status=308&to=/echo`, { method: 'PUT', body: 'hi', redirect: 'manual' });
      expect(res.status).toBe(308);
      expect(res.headers.get('location')).toBe('/echo');
      const followed = await fetch(`${server.url}/redirect?to=/text%3Fbody%3Dthere`);
      expect(await followed.text()).toBe('there');
      expect(server.requests.map((request) => request.path)).toEqual(['/redirect', '/redirect', '/text']);
    });
  });

  describe('failures', () => {
    it('/reset drops the first request mid-body; the next one succeeds', async () => {
      const url = `${server.url}/reset?size=200000&after=1000&seed=r`;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"r-200000"');
      await expect(first.arrayBuffer()).rejects.toThrow();

      const second = await fetch(url);
      expect((await bytes(second)).equals(bodyOf(200000, 'r'))).toBe(true);
      expect(server.requests).toHaveLength(2);
    });

    it('/reset counts per url, honours times, and drops ranges after M bytes of the slice', async () => {
      const url = `${server.url}/reset?size=1000&after=100&times=2`;
      const chunks: Buffer[] = [];
      const first = await fetch(url);
      const reader = first.body!.getReader();
      await expect(
        (async () => {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            chunks.push(Buffer.from(value));
          }
        })(),
      ).rejects.toThrow();
      expect(Buffer.concat(chunks).equals(bodyOf(1000).subarray(0, 100))).toBe(true);

      const second = await fetch(url, { headers: { Range: 'bytes=100-' } });
      expect(second.status).toBe(206);
      expect(second.headers.get('content-range')).toBe('bytes 100-999/1000');
      await expect(second.arrayBuffer()).rejects.toThrow();

      const third = await fetch(url, { headers: { Range: 'bytes=100-', 'If-Range': '"-1000"' } });
      expect(third.status).toBe(206);
      expect((await bytes(third)).equals(bodyOf(1000).subarray(100))).toBe(true);
    });

    it('/short declares more than it sends', async () => {
      const res = await fetch(`${server.url}/short?size=1000&send=300`);
      expect(res.headers.get('content-length')).toBe('1000');
      await expect(res.arrayBuffer()).rejects.toThrow();
    });

    it('drops right after the headers when after=0 / send=0', async () => {
      const reset = await fetch(`${server.url}/reset?size=100&after=0`);
      expect(reset.status).toBe(200);
      await expect(reset.arrayBuffer()).rejects.toThrow();
      const short = await fetch(`${server.url}/short?size=100&send=0`);
      expect(short.status).toBe(200);
      await expect(short.arrayBuffer()).rejects.toThrow();
    });

    it('/flaky fails `times` times with Retry-After, then succeeds', async () => {
      const url = `${server.url}/flaky?status=503&times=2&retryAfter=3&size=32`;
      for (let i = 0; i < 2; i++) {
        const res = await fetch(url);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('3');
        expect(await res.text()).toBe('');
      }
      const ok = await fetch(url);
      expect(ok.status).toBe(200);
      expect((await bytes(ok)).equals(bodyOf(32))).toBe(true);
      server.reset();
      expect((await fetch(url)).status).toBe(503); // reset() clears the counters
    });

    it('/changing drops the first request and changes ETag and content every time', async () => {
      const url = `${server.url}/changing?size=1000`;
      const first = await fetch(url);
      expect(first.headers.get('etag')).toBe('"v1"');
      await expect(first.arrayBuffer()).rejects.toThrow();

      const resume = await fetch(url, { headers: { Range: 'bytes=500-', 'If-Range': '"v1"' } });
      expect(resume.status).toBe(200);
      expect(resume.headers.get('etag')).toBe('"v2"');
      expect((await bytes(resume)).equals(bodyOf(1000, 'v2'))).toBe(true);

      const blind = await fetch(url, { headers: { Range: 'bytes=500-' } });
      expect(blind.status).toBe(206);
      expect((await bytes(blind)).equals(bodyOf(1000, 'v3').subarray(500))).toBe(true);
    });

    it('/changing?validators=0 sends neither ETag nor Last-Modified, and a blind Range gets the new version', async () => {
      const url = `${server.url}/changing?size=1000&validators=0`;
      const first = await fetch(url);
      expect([first.headers.get('etag'), first.headers.get('last-modified')]).toEqual([null, null]);
      await expect(first.arrayBuffer()).rejects.toThrow();
      const blind = await fetch(url, { headers: { Range: 'bytes=500-' } });
      expect(blind.status).toBe(206);
      expect((await bytes(blind)).equals(bodyOf(1000, 'v2').subarray(500))).toBe(true);
    });

    it('/bytes?chunked=1&holdEnd=1 sends every byte with no Content-Length and holds the end back; a Range past it gets 416', async () => {
      const url = `${server.url}/bytes?size=1000&chunked=1&holdEnd=1&seed=h`;
      const controller = new AbortController();
      const held = await fetch(url, { signal: controller.signal });
      expect(held.headers.get('content-length')).toBeNull();
      const reader = held.body!.getReader();
      let got = 0;
      while (got < 1000) got += (await reader.read()).value!.byteLength;
      const next = reader.read();
      // The end never comes: only the client going away ends the response.
      expect(await Promise.race([next.then(() => 'ended'), new Promise((resolve) => setTimeout(resolve, 50, 'held'))])).toBe('held');
      controller.abort();
      await next.catch(() => undefined);
      const past = await fetch(url, { headers: { Range: 'bytes=1000-' } });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe('bytes */1000');
    });

    it('/bad-range misreports ranges in each mode', async () => {
      const ranged = (mode: string) => fetch(`${server.url}/bad-range?size=100&mode=${mode}`, { headers: { Range: 'bytes=10-' } });

      const wrong = await ranged('wrong-start');
      expect(wrong.status).toBe(206);
      expect(wrong.headers.get('content-range')).toBe('bytes 9-99/100');
      expect((await bytes(wrong)).equals(bodyOf(100).subarray(9))).toBe(true);

      const noHeader = await ranged('no-header');
      expect(noHeader.status).toBe(206);
      expect(noHeader.headers.get('content-range')).toBeNull();
      expect((await bytes(noHeader)).equals(bodyOf(100).subarray(10))).toBe(true);

      const garbage = await ranged('garbage');
      expect(garbage.status).toBe(206);
      expect(garbage.headers.get('content-range')).toBe('nonsense');
      await bytes(garbage);

      const junk = await ranged('trailing-junk');
      expect(junk.status).toBe(206);
      expect(junk.headers.get('content-range')).toBe('bytes 10-99/100');
      expect((await bytes(junk)).equals(Buffer.concat([bodyOf(100).subarray(10), Buffer.alloc(13, 0xee)]))).toBe(true);

      const cut = await fetch(`${server.url}/bad-range?size=100&mode=trailing-junk&after=40`);
      expect(cut.status).toBe(200);
      await expect(cut.arrayBuffer()).rejects.toThrow();

      const overlong = await fetch(`${server.url}/bad-range?size=100&mode=overlong`, { headers: { Range: 'bytes=10-19' } });
      expect(overlong.status).toBe(206);
      expect(overlong.headers.get('content-range')).toBe('bytes 10-99/100');
      expect((await bytes(overlong)).equals(bodyOf(100).subarray(10))).toBe(true);

      const unsolicited = await fetch(`${server.url}/bad-range?size=100&mode=unsolicited`);
      expect(unsolicited.status).toBe(206);
      expect(unsolicited.headers.get('content-range')).toBe('bytes 0-99/100');
      expect((await bytes(unsolicited)).equals(bodyOf(100))).toBe(true);

      const plain = await fetch(`${server.url}/bad-range?size=100&mode=garbage`);
      expect(plain.status).toBe(200);
      await bytes(plain);
    });
  });

  describe('/cors', () => {
    it('answers preflights and adds CORS headers to the routed response', async () => {
      const preflight = await fetch(`${server.url}/cors/bytes?size=10`, { method: 'OPTIONS' });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,PUT,POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,range,if-range');

      const res = await fetch(`${server.url}/cors/bytes?size=10`, { headers: { Range: 'bytes=2-' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toBe('*');
      expect((await bytes(res)).equals(bodyOf(10).subarray(2))).toBe(true);
      expect(server.requests.map((r) => r.path)).toEqual(['/cors/bytes', '/cors/bytes']);

      const plain = await fetch(`${server.url}/bytes?size=10`);
      expect(plain.headers.get('access-control-allow-origin')).toBeNull();
      await bytes(plain);
    });
  });

  describe('/slow and in-flight accounting', () => {
    it('tracks inFlight and maxInFlight across concurrent requests', async () => {
      const all = Promise.all([1, 2, 3].map(() => fetch(`${server.url}/slow?delay=150&size=10`).then(bytes)));
      await until(() => server.inFlight === 3, '3 requests in flight');
      const bodies = await all;
      bodies.forEach((body) => expect(body.equals(bodyOf(10))).toBe(true));
      expect(server.maxInFlight).toBe(3);
      await until(() => server.inFlight === 0, '0 requests in flight');
      server.reset();
      expect(server.maxInFlight).toBe(0);
      expect(server.requests).toHaveLength(0);
    });

    it('cancels the wait when the client goes away', async () => {
      const controller = new AbortController();
      const pending = fetch(`${server.url}/slow?delay=60000`, { signal: controller.signal });
      await until(() => server.inFlight === 1, '1 request in flight');
      controller.abort();
      await expect(pending).rejects.toThrow();
      await until(() => server.inFlight === 0, '0 requests in flight');
    });
  });
});

describe('server lifecycle', () => {
  it('close() returns promptly with /hang and /slow in flight', async () => {
    const server = await startTestServer();
    const hang = await fetch(`${server.url}/hang`);
    expect(hang.headers.get('content-length')).toBe('100');
    const slow = fetch(`${server.url}/slow?delay=60000`);
    slow.catch(() => {}); // asserted below
    await until(() => server.inFlight === 2, '2 requests in flight');

    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(hang.arrayBuffer()).rejects.toThrow();
    await expect(slow).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('restart() drops open requests and listens again on the same port', async () => {
    const server = await startTestServer();
    try {
      const { port, url } = server;
      const hang = await fetch(`${url}/hang`);
      await server.restart();
      await expect(hang.arrayBuffer()).rejects.toThrow();
      expect(server.port).toBe(port);
      const res = await fetch(`${url}/feature-name.txt`);
      expect(await res.text()).toBe('Background Fetch');
      expect(server.requests.map((r) => r.path)).toEqual(['/hang', '/feature-name.txt']);
    } finally {
      await server.close();
    }
  });

  it('accepts another host', async () => {
    const server = await startTestServer({ host: 'localhost' });
    try {
      expect(server.url).toBe(`http://localhost:${server.port}`);
      expect(await (await fetch(`${server.url}/text?body=hi`)).text()).toBe('hi');
    } finally {
      await server.close();
    }
  });
});
