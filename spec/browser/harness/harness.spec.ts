import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { available, launch, requiredEngines, type BrowserSession, type EngineName, type PageHandle } from './engines';
import { waitWhileProgressing } from './progressWait';
import { startStaticServer, type StaticServer } from './staticServer';

const ENGINES: EngineName[] = ['firefox', 'chromium', 'webkit'];
// Above launch()'s own limit (120 s), so that its error, not Jest's, reports a slow launch.
const LAUNCH_MS = 180_000;
// The waits are bounded by progress (progressWait.ts); Jest's limit only backs them up.
jest.setTimeout(300_000);

/** False for pids that are gone or zombies. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Node-side poll, for things the page cannot tell (webkit's console log arrives a few ms late). */
function eventually(what: string, check: () => boolean): Promise<void> {
  return waitWhileProgressing(what, async () => ({ done: check(), progress: null }));
}

let server: StaticServer;
beforeAll(async () => {
  server = await startStaticServer({ root: path.join(__dirname, 'fixtures') });
});
afterAll(() => server.close());

describe.each(ENGINES)('%s', (engine) => {
  if (!requiredEngines().includes(engine)) {
    const why = `${engine} is not installed here and neither CI nor RXBF_REQUIRE_BROWSERS=1 is set`;
    console.log(`harness.spec: skipping ${engine}: ${why}`);
    test.skip(`(skipped: ${why})`, () => undefined);
    return;
  }

  let browser: BrowserSession;
  let page: PageHandle;
  const pageUrl = () => `${server.url}/index.html`;

  beforeAll(async () => {
    browser = await launch(engine);
  }, LAUNCH_MS);
  afterAll(() => browser?.close());

  test('launches and opens the fixture page', async () => {
    expect(available(engine)).toBe(true);
    expect(browser.version).toMatch(/\d+\.\d+/);
    page = await browser.open(pageUrl());
    expect(await page.evaluate(() => document.title)).toBe('harness fixture');
    expect(await page.evaluate((a: number, b: string) => `${b}${a + 1}`, 41, 'n=')).toBe('n=42');
    expect(await page.evaluate('isSecureContext')).toBe(true);
    await eventually('the page logged that it loaded', () => page.consoleMessages().includes('fixture page loaded'));
  });

  test('rejects with the engine and step when the page throws', async () => {
    await expect(page.evaluate(() => Promise.reject(new Error('boom in page')))).rejects.toThrow(
      new RegExp(`^\\[${engine}\\] evaluate \\(.*\\): .*boom in page`),
    );
    await expect(page.waitFor('false', 300)).rejects.toThrow(`[${engine}] waitFor`);
  });

  test('registers the service worker, which then controls the page', async () => {
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/sw.js');
      await navigator.serviceWorker.ready;
    });
    await page.waitFor(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
    await page.waitFor(() => navigator.serviceWorker.controller !== null);
    expect(await page.evaluate(() => fetch('/sw-echo').then((response) => response.text()))).toBe(
      'answered by the service worker',
    );
  });

  test(`reports 'backgroundFetch' in registration as ${engine === 'chromium'}`, async () => {
    const native = await page.evaluate(async () => 'backgroundFetch' in (await navigator.serviceWorker.ready));
    expect(native).toBe(engine === 'chromium');
  });

  test('stores and reads an ArrayBuffer in IndexedDB', async () => {
    expect(await page.evaluate('idbPutBytes("bytes", [0, 1, 254, 255])')).toBe(true);
    expect(await page.evaluate('idbGetBytes("bytes")')).toEqual({ type: '[object ArrayBuffer]', bytes: [0, 1, 254, 255] });
  });

  test('passes a BroadcastChannel message between two pages, then reloads and screenshots', async () => {
    const second = await browser.open(pageUrl());
    await second.evaluate(() => {
      const channel = new BroadcastChannel('harness');
      channel.onmessage = (event) => {
        Object.assign(window, { received: event.data });
      };
    });
    await page.evaluate(() => new BroadcastChannel('harness').postMessage({ hello: 'from the first page' }));
    await second.waitFor(() => 'received' in window);
    expect(await second.evaluate(() => (window as unknown as { received: unknown }).received)).toEqual({
      hello: 'from the first page',
    });
    await second.close();

    await page.evaluate(() => {
      Object.assign(window, { marker: 1 });
    });
    await page.reload();
    expect(await page.evaluate(() => 'marker' in window)).toBe(false);
    await page.waitFor(() => navigator.serviceWorker.controller !== null);

    const shot = path.join(os.tmpdir(), `rxbf-harness-${engine}-${process.pid}.png`);
    await page.screenshot(shot);
    const png = await fsp.readFile(shot);
    await fsp.rm(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  test(
    'kill() + restart() on a persistent profile keeps an IndexedDB value',
    async () => {
      const persistent = await launch(engine, { persistent: true });
      try {
        const before = await persistent.open(pageUrl());
        expect(await before.evaluate('idbPutBytes("survivor", [7, 8, 9])')).toBe(true);
        const pids = persistent.processIds();
        await persistent.kill();
        expect(pids.filter(isAlive)).toEqual([]);
        expect(existsSync(persistent.profileDir)).toBe(true);
        await persistent.restart();
        const after = await persistent.open(pageUrl());
        expect(await after.evaluate('idbGetBytes("survivor")')).toEqual({
          type: '[object ArrayBuffer]',
          bytes: [7, 8, 9],
        });
      } finally {
        await persistent.close();
      }
    },
    LAUNCH_MS,
  );

  test('close() leaves no browser process and no profile dir', async () => {
    const pids = browser.processIds();
    expect(pids.length).toBeGreaterThan(0);
    await browser.close();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(browser.profileDir)).toBe(false);
  });
});
