/**
 * match() with a query parses no stored URL: their keys (without fragment, without query for
 * `ignoreSearch`) are cut from the serialized URLs, once per fetch, and kept on the fetch's job;
 * only the query is made a URL.
 */
import { BackgroundFetchManager } from '../../src';

// Accepts every request and never answers (until aborted: ky puts the signal on the Request), so only matching is at work.
const hang = (input: RequestInfo | URL) =>
  new Promise<Response>((_, reject) => {
    const signal = (input as Request).signal;
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

test('match() parses no stored URL, on the first call or later ones, and ignoreSearch still gets its own keys', async () => {
  const manager = new BackgroundFetchManager({ store: 'memory', scope: `match-keys-${process.pid}`, baseURL: 'https://a.test/', fetch: hang });
  const urls = Array.from({ length: 200 }, (_, i) => `/f/${i}?v=${i}#frag`);
  const registration = await manager.fetch('keys', urls);
  const RealURL = globalThis.URL;
  let parsed = 0;
  globalThis.URL = new Proxy(RealURL, {
    construct(target, args: ConstructorParameters<typeof URL>) {
      parsed++;
      return new target(...args);
    },
  });
  try {
    expect((await registration.match('/f/199?v=199'))?.request.url).toBe('https://a.test/f/199?v=199#frag');
    expect(parsed).toBeLessThan(5);
    parsed = 0;
    expect((await registration.match('/f/7?v=7#other'))?.request.url).toBe('https://a.test/f/7?v=7#frag');
    expect(parsed).toBeLessThan(5);
    expect(await registration.match('/f/7?v=8')).toBeUndefined();
    expect((await registration.matchAll('/f/7?v=8', { ignoreSearch: true })).map((r) => r.request.url)).toEqual(['https://a.test/f/7?v=7#frag']);
    parsed = 0;
    expect(await registration.matchAll('/f/8', { ignoreSearch: true })).toHaveLength(1);
    expect(parsed).toBeLessThan(5);
  } finally {
    globalThis.URL = RealURL;
    await manager.close();
  }
});
