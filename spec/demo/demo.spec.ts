import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { available, launch, type BrowserSession, type PageHandle, type WaitOptions } from '../browser/harness/engines';
import { waitWhileProgressing } from '../browser/harness/progressWait';
import { startDemoServer, type DemoServer } from './demoServer';

// `npm start`'s server and page in headless Firefox ESR: the scenarios from issues 5 and 12.
// Small throttled episodes (1.5 to 4 MB at 0.5 MB/s per connection) take a few seconds each,
// long enough for the bars to move, for a reload in the middle of one, for a second tab and for
// the server to go away in the middle of one.
const sizes = [1.5, 2, 4, 3, 2.5, 4];
const rate = 0.5;
const artifacts = path.resolve(__dirname, '../artifacts/demo');
// Waits are bounded by progress (bars moving, the server logging requests): a loaded machine
// slows the test, never fails it. Jest's limits only back them up.
const TEST_MS = 600_000;
const SETUP_MS = 180_000;

interface Row {
  id: string;
  state: string;
  value: number;
  max: number;
  status: string;
}

const demoEnv = { DEMO_RATE: String(rate), DEMO_SIZES: sizes.join(','), DEMO_LOG: '1' };
let demo: DemoServer;
let browser: BrowserSession;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  demo = await startDemoServer(demoEnv);
  browser = await launch('firefox');
}, SETUP_MS);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
}, SETUP_MS);

/** For page.waitFor: the bars' values and the demo server's log are what moves. */
const watch: WaitOptions = {
  progress: `[...document.querySelectorAll('progress')].map((bar) => bar.value).join()`,
  alsoProgress: () => demo.output.length,
};

/** The rows' state, progress and status text, read from the page. */
function readRows(page: PageHandle, ids: string[]): Promise<Row[]> {
  return page.evaluate(
    (wanted: string[]) =>
      wanted.map((id) => {
        const row = document.querySelector(`[data-id="${id}"]`) as HTMLElement;
        const bar = row.querySelector('progress') as HTMLProgressElement;
        return { id, state: row.dataset.state ?? '', value: bar.value, max: bar.max, status: row.querySelector('.status')?.textContent ?? '' };
      }),
    ids,
  );
}

/** Samples the rows every 100 ms until every one is `ready`, for as long as they keep changing; returns the samples per row. */
async function sampleUntilReady(page: PageHandle, ids: string[]): Promise<Row[][]> {
  const series: Row[][] = ids.map(() => []);
  await waitWhileProgressing(`rows ${ids.join(', ')} ready`, async () => {
    const rows = await readRows(page, ids);
    rows.forEach((row, i) => series[i].push(row));
    return { done: rows.every((row) => row.state === 'ready'), progress: [rows, demo.output.length] };
  }, {}, 100);
  return series;
}

/** Samples of an idle row with a note: the row showed the user a message (an error, an abort). */
const complaints = (samples: Row[]) => samples.filter((row) => row.state === 'idle' && row.status !== '');

/** The demo server's log lines for GETs of `url`. */
const gets = (url: string) => demo.output.filter((line) => line.startsWith(`GET ${url} `));

/** Downloading samples strictly between empty and full: the bar visibly in motion. */
const midway = (samples: Row[]) => samples.filter((row) => row.state === 'downloading' && row.value > 0 && row.value < row.max);

function click(page: PageHandle, id: string, action: string): Promise<void> {
  return page.evaluate(
    (rowId: string, name: string) => (document.querySelector(`[data-id="${rowId}"] [data-action="${name}"]`) as HTMLButtonElement).click(),
    id,
    action,
  );
}

/** SHA-256 of the offline copy in Cache Storage and of a fresh download from the server. */
function digests(page: PageHandle, url: string): Promise<{ stored: string; served: string; size: number }> {
  return page.evaluate(async (mediaUrl: string) => {
    const hex = async (buffer: ArrayBuffer) =>
      [...new Uint8Array(await crypto.subtle.digest('SHA-256', buffer))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    const cached = await (await (await caches.open('episodes-v1')).match(mediaUrl))!.arrayBuffer();
    const served = await (await fetch(mediaUrl, { cache: 'no-store' })).arrayBuffer();
    return { stored: await hex(cached), served: await hex(served), size: cached.byteLength };
  }, url);
}

test('two downloads show moving progress and finish; a third survives a reload and plays', async () => {
  const page = await browser.open(`${demo.url}/`);
  await page.waitFor(() => document.body.dataset.ready === 'true', watch);
  expect(await page.evaluate(() => document.body.dataset.engine)).toBe('polyfill');
  expect(await page.evaluate(() => document.querySelector('#engine-host')?.textContent)).toMatch(/service worker/i);

  // Two at once: both bars move, both finish and land in the offline library.
  await click(page, 'episode-1', 'download');
  await click(page, 'episode-2', 'download');
  await page.waitFor(() => [...document.querySelectorAll('progress')].filter((bar) => bar.value > bar.max / 5).length >= 2, watch);
  await page.screenshot(path.join(artifacts, 'demo-two-downloads.png'));
  const [first, second] = await sampleUntilReady(page, ['episode-1', 'episode-2']);
  for (const samples of [first, second]) {
    const moving = midway(samples);
    expect(moving.length).toBeGreaterThanOrEqual(2);
    expect(moving.at(-1)!.value).toBeGreaterThan(moving[0].value);
    expect(samples.at(-1)).toMatchObject({ state: 'ready', status: 'Available offline' });
  }
  // The status line shows bytes, percent, speed and time left while downloading.
  expect(midway(second).map((row) => row.status)).toContainEqual(expect.stringMatching(/^[\d.]+ [kM]B of 2\.0 MB · \d+% · [\d.]+ [kM]B\/s · \d+ s left$/));

  // A third, reloaded in the middle: the worker kept downloading, the new page picks it up.
  await click(page, 'episode-3', 'download');
  await page.waitFor(() => {
    const bar = document.querySelector('[data-id="episode-3"] progress') as HTMLProgressElement;
    return bar.value > bar.max / 4;
  }, watch);
  const [before] = await readRows(page, ['episode-3']);
  await page.screenshot(path.join(artifacts, 'demo-downloading.png'));
  await page.reload();
  await page.waitFor(() => document.body.dataset.ready === 'true', watch);
  const [third] = await sampleUntilReady(page, ['episode-3']);
  expect(third[0].state).toBe('downloading');
  expect(third[0].value).toBeGreaterThanOrEqual(before.value);
  expect(third[0].value).toBeLessThan(third[0].max);
  expect(midway(third).at(-1)!.value).toBeGreaterThan(third[0].value);

  // The background fetch asked for the file once, or resumed it with Range; it never restarted.
  const fetched = demo.output.filter((line) => line.startsWith('GET /media/episode-3.wav'));
  expect(fetched[0]).toContain('range=-');
  for (const resumed of fetched.slice(1)) expect(resumed).toMatch(/range=bytes=[1-9]\d*- if-range="episode-3-/);

  // The offline copy is the server's file, byte for byte, and a valid WAV that plays.
  const { stored, served, size } = await digests(page, '/media/episode-3.wav');
  expect(size).toBe(4_000_000);
  expect(stored).toBe(served);
  await click(page, 'episode-3', 'play');
  await page.waitFor(() => (document.querySelector('[data-id="episode-3"] audio') as HTMLAudioElement).duration > 0, watch);
  const duration = await page.evaluate(() => (document.querySelector('[data-id="episode-3"] audio') as HTMLAudioElement).duration);
  expect(duration).toBeCloseTo((4_000_000 - 44) / 44_100, 0);
  await page.screenshot(path.join(artifacts, 'demo.png'));

  expect(page.consoleMessages().filter((message) => message.startsWith('Uncaught'))).toEqual([]);
}, TEST_MS);

// Issue 12: every tab shows every download of the app. A second tab that was open before a
// download started shows it and its progress, and a Download click in it joins the download
// that is already running instead of showing an error.
test('a second tab, open before a download starts, shows it; two tabs asking at once share one download', async () => {
  const first = await browser.open(`${demo.url}/`);
  const second = await browser.open(`${demo.url}/`);
  try {
    for (const page of [first, second]) await page.waitFor(() => document.body.dataset.ready === 'true');
    const live = await second.evaluate(async () => {
      const registration = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { backgroundFetch: object };
      return 'ids$' in registration.backgroundFetch;
    });
    if (live) expect(await second.evaluate(() => document.body.dataset.activeIds)).toBe('live');
    else {
      // Written for the library's backgroundFetch.ids$; until dist/ has it, the demo polls getIds().
      expect(await second.evaluate(() => document.body.dataset.activeIds)).toBe('polling');
      console.warn('demo.spec: backgroundFetch.ids$ is not in dist/ yet, so the "live" assertion was skipped; the second tab learnt of the download by polling getIds() every 2 s.');
    }

    // Started in the first tab only: the second one shows it moving, then ready.
    await click(first, 'episode-4', 'download');
    const [inSecond] = await sampleUntilReady(second, ['episode-4']);
    expect(midway(inSecond).length).toBeGreaterThanOrEqual(2);
    expect(midway(inSecond).at(-1)!.value).toBeGreaterThan(midway(inSecond)[0].value);
    expect(inSecond.at(-1)).toMatchObject({ state: 'ready', status: 'Available offline' });
    expect(complaints(inSecond)).toEqual([]);

    // Both tabs ask for the same episode at once: one starts it, the other joins it, nobody sees an error.
    await Promise.all([click(first, 'episode-5', 'download'), click(second, 'episode-5', 'download')]);
    const [[fromFirst], [fromSecond]] = await Promise.all([
      sampleUntilReady(first, ['episode-5']),
      sampleUntilReady(second, ['episode-5']),
    ]);
    for (const samples of [fromFirst, fromSecond]) {
      expect(complaints(samples)).toEqual([]);
      expect(midway(samples).length).toBeGreaterThanOrEqual(1);
    }
    // One download: a single request from byte 0 (any other would be a Range resume of it).
    expect(gets('/media/episode-5.wav').filter((line) => line.includes('range=-'))).toHaveLength(1);
    await second.screenshot(path.join(artifacts, 'demo-second-tab.png'));
    for (const page of [first, second]) expect(page.consoleMessages().filter((message) => message.startsWith('Uncaught'))).toEqual([]);
  } finally {
    await second.close();
    await first.close();
  }
}, TEST_MS);

// Issue 12: "Notifications fail silently". Allowed for every site (as a user's Allow would allow
// this one), headless Firefox still cannot show a notification: the panel must say so.
test('when notifications are allowed but the browser cannot show them, the panel says so', async () => {
  const firefox = await launch('firefox', { firefoxPrefs: { 'permissions.default.desktop-notification': 1 } });
  try {
    const page = await firefox.open(`${demo.url}/`);
    await page.waitFor(() => document.body.dataset.ready === 'true');
    const browserSays = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const shown = await registration.showNotification('Test').then(() => true, () => false);
      return { permission: Notification.permission, shown };
    });
    // What this test stands on: permission granted, and showNotification() rejecting all the same.
    expect(browserSays).toEqual({ permission: 'granted', shown: false });

    const readPanel = () =>
      page.evaluate(() => ({
        state: (document.querySelector('.engine') as HTMLElement).dataset.notifications,
        text: document.querySelector('#notify-state')?.textContent,
        note: (document.querySelector('#notify-note') as HTMLElement).hidden ? '' : document.querySelector('#notify-note')?.textContent,
        button: (document.querySelector('#notify') as HTMLElement).hidden ? '' : document.querySelector('#notify')?.textContent,
      }));
    await page.waitFor(() => (document.querySelector('.engine') as HTMLElement).dataset.notifications === 'failing');
    const panel = await readPanel();
    expect(panel).toMatchObject({ state: 'failing', text: 'Not working', button: 'Try again' });
    expect(panel.note).toMatch(/allowed, but the browser could not show one/);
    // The technical detail is for developers: in the console, not on the screen.
    expect(page.consoleMessages()).toContainEqual(expect.stringContaining('showNotification() failed'));
    await page.screenshot(path.join(artifacts, 'demo-notifications-failing.png'));

    // Try again checks once more, and still tells the truth.
    await page.evaluate(() => (document.querySelector('#notify') as HTMLButtonElement).click());
    await page.waitFor(() => (document.querySelector('.engine') as HTMLElement).dataset.notifications === 'failing');
    expect(await readPanel()).toEqual(panel);
  } finally {
    await firefox.close();
  }
}, TEST_MS);

// Issue 12: "A network drop of 3 s or more kills the download". The demo server goes away in the
// middle of a download and comes back on the same port: the row says it waits for the network,
// with no speed or time left, then carries on by itself from where it was and finishes.
test('while the server is away, the row waits for the network, then the download carries on by itself', async () => {
  const page = await browser.open(`${demo.url}/`);
  try {
    await page.waitFor(() => document.body.dataset.ready === 'true');
    await click(page, 'episode-6', 'download');
    await page.waitFor(() => {
      const bar = document.querySelector('[data-id="episode-6"] progress') as HTMLProgressElement;
      return bar.value > bar.max / 5;
    });
    const hasWaiting = await page.evaluate(async () => {
      const { backgroundFetch } = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { backgroundFetch: { get(id: string): Promise<object | undefined> } };
      return 'waiting$' in ((await backgroundFetch.get('episode-6')) ?? {});
    });
    const port = new URL(demo.url).port;
    await demo.stop();
    if (hasWaiting) {
      await page.waitFor(() => document.querySelector('[data-id="episode-6"]')?.hasAttribute('data-waiting'));
      const [waiting] = await readRows(page, ['episode-6']);
      expect(waiting.state).toBe('downloading');
      expect(waiting.status).toMatch(/^[\d.]+ [kM]B of 4\.0 MB · \d+% · Waiting for the network…$/);
      await page.evaluate(() => document.querySelector('[data-id="episode-6"]')?.scrollIntoView());
      await page.screenshot(path.join(artifacts, 'demo-waiting.png'));
    } else {
      console.warn('demo.spec: registration.waiting$ is not in dist/ yet, so the "Waiting for the network…" assertions were skipped.');
    }
    demo = await startDemoServer({ ...demoEnv, PORT: port });
    const [samples] = await sampleUntilReady(page, ['episode-6']);
    expect(complaints(samples)).toEqual([]);
    expect(samples.at(-1)).toMatchObject({ state: 'ready', status: 'Available offline' });
    // It went on from the bytes it had, and the offline copy is the server's file.
    expect(gets('/media/episode-6.wav')[0]).toMatch(/range=bytes=[1-9]\d*- if-range="episode-6-/);
    const { stored, served } = await digests(page, '/media/episode-6.wav');
    expect(stored).toBe(served);
  } finally {
    await page.close();
  }
}, TEST_MS);

// The engine switch: Chromium keeps its native Background Fetch until the switch forces the
// polyfill, which then runs the downloads in the service worker.
(available('chromium') ? test : test.skip)('in Chromium, the switch replaces the native engine with the polyfill', async () => {
  const chromium = await launch('chromium');
  try {
    const page = await chromium.open(`${demo.url}/`);
    await page.waitFor(() => document.body.dataset.ready === 'true', watch);
    expect(await page.evaluate(() => document.body.dataset.engine)).toBe('native');
    // Headless Chromium answers every permission request with "denied": the panel says Blocked.
    await page.evaluate(() => (document.querySelector('#notify') as HTMLButtonElement).click());
    await page.waitFor(() => (document.querySelector('.engine') as HTMLElement).dataset.notifications === 'denied');
    expect(await page.evaluate(() => document.querySelector('#notify-state')?.textContent)).toBe('Blocked');
    await page.evaluate(() => (document.querySelector('#force-polyfill') as HTMLInputElement).click());
    await page.waitFor(() => document.body.dataset.engine === 'polyfill' && document.body.dataset.ready === 'true', watch);
    expect(await page.evaluate(() => document.querySelector('#engine-host')?.textContent)).toBe('Service worker');
    await click(page, 'episode-1', 'download');
    const [samples] = await sampleUntilReady(page, ['episode-1']);
    expect(midway(samples).length).toBeGreaterThanOrEqual(1);
    await page.screenshot(path.join(artifacts, 'demo-chromium-forced.png'));

    // Abort stops a download and leaves nothing playable; Delete drops an offline copy.
    await click(page, 'episode-2', 'download');
    await page.waitFor(() => (document.querySelector('[data-id="episode-2"] progress') as HTMLProgressElement).value > 0, watch);
    await click(page, 'episode-2', 'abort');
    await page.waitFor(() => document.querySelector('[data-id="episode-2"]')?.getAttribute('data-state') === 'idle', watch);
    expect((await readRows(page, ['episode-2']))[0].status).toBe('Download aborted');
    await click(page, 'episode-1', 'delete');
    await page.waitFor(() => document.querySelector('[data-id="episode-1"]')?.getAttribute('data-state') === 'idle', watch);
    expect(await page.evaluate(() => caches.open('episodes-v1').then((cache) => cache.keys()).then((keys) => keys.length))).toBe(0);
  } finally {
    await chromium.close();
  }
}, TEST_MS);
