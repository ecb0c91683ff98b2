/**
 * Issue 12 §3: the worker resumes unfinished fetches at every start, whatever woke it, and
 * registers for Background Sync where the browser has it, so the browser can wake it. Chromium
 * (polyfill forced) only: it alone has Background Sync, and its DevTools protocol can stop a
 * service worker and deliver it a `sync` event or a push message as the browser would.
 * And: a notification the browser refuses to show is reported to pages (Firefox ESR, which
 * refuses every notification when headless, even with permission granted).
 *
 * Pages come from spec/browser/polyfill/fixtures. Run `npm run build` first.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { connect, type Browser, type CDPSession } from 'puppeteer-core';
import { launch, requiredEngines, type BrowserSession, type EngineName, type PageHandle } from './harness/engines';
import { waitWhileProgressing } from './harness/progressWait';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

const FIXTURES = '/spec/browser/polyfill/fixtures';
const TEST_MS = 600_000;
const LAUNCH_MS = 180_000;
const SIZE = 4_000_000;
const PAGE_PROGRESS = '[window.swEvents.length, Object.values(window.progress).map((events) => events.length)]';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ files: path.resolve(__dirname, '../..') });
});
afterAll(() => server?.close());

const origin = () => server.url.replace('127.0.0.1', 'localhost');
const serverProgress = () => [server.bytesSent, server.requests.length];

/** Skips the describe where the engine is not installed (and not required). */
function needs(engine: EngineName): boolean {
  if (requiredEngines().includes(engine)) return true;
  console.log(`lifetime.spec: skipping ${engine}: not installed here and neither CI nor RXBF_REQUIRE_BROWSERS=1 is set`);
  test.skip(`(skipped: ${engine} is not installed)`, () => undefined);
  return false;
}

/** A DevTools connection to a Chromium the harness launched (it writes its port to the profile). */
async function devtoolsOf(browser: BrowserSession): Promise<Browser> {
  const [port, wsPath] = readFileSync(path.join(browser.profileDir, 'DevToolsActivePort'), 'utf8').split('\n');
  return connect({ browserWSEndpoint: `ws://127.0.0.1:${port}${wsPath}` });
}

/** The ServiceWorker domain of a page session: registrations and versions as DevTools reports them. */
async function serviceWorkers(cdp: CDPSession): Promise<{ registrationOf: (scopeEnd: string) => string | undefined; running: (registrationId: string) => string[] }> {
  const registrations = new Map<string, string>(); // id → scope URL
  const versions = new Map<string, { registrationId: string; runningStatus: string }>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }: { registrations: Array<{ registrationId: string; scopeURL: string }> }) => {
    for (const { registrationId, scopeURL } of list) registrations.set(registrationId, scopeURL);
  });
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: list }: { versions: Array<{ versionId: string; registrationId: string; runningStatus: string }> }) => {
    for (const { versionId, registrationId, runningStatus } of list) versions.set(versionId, { registrationId, runningStatus });
  });
  await cdp.send('ServiceWorker.enable');
  return {
    registrationOf: (scopeEnd) => [...registrations].find(([, scope]) => scope.endsWith(scopeEnd))?.[0],
    running: (registrationId) =>
      [...versions].filter(([, v]) => v.registrationId === registrationId && v.runningStatus !== 'stopped').map(([versionId]) => versionId),
  };
}

describe('chromium (polyfill forced)', () => {
  if (!needs('chromium')) return;
  const slug = 'chromium-forced';
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await launch('chromium');
  }, LAUNCH_MS);
  afterAll(() => browser?.close(), LAUNCH_MS);

  test.each(['sync', 'push'])('stopped with a download unfinished and no page open, the worker woken by a %s event resumes it with Range and finishes it', async (wake) => {
    const id = `wake-${wake}-${slug}`;
    const key = JSON.stringify(id);
    const scope = `scopes/wake-${wake}-${slug}/`;
    const url = `/bytes?size=${SIZE}&chunk=65536&delay=150&seed=${id}`;
    // An about:blank tab keeps the browser (and a DevTools page session) while the origin has no page.
    const blank = await browser.open('about:blank');
    const page = await browser.open(`${origin()}${FIXTURES}/index.html?engine=forced&scope=wake-${wake}-${slug}`);
    await page.evaluate('window.ready');
    await page.evaluate(`window.startFetch(${key}, [${JSON.stringify(url)}])`);
    await page.waitFor(`(window.progress[${key}] || []).some((entry) => entry.downloaded >= ${SIZE / 8})`, { progress: PAGE_PROGRESS, alsoProgress: serverProgress });
    // While the fetch runs, the worker asked the browser for a sync (Chromium has Background Sync).
    expect(await page.evaluate('window.registration.sync.getTags()')).toContain('rx-background-fetch');

    const devtools = await devtoolsOf(browser);
    try {
      // DevTools lists the service workers of the page session's own browser context (incognito here).
      const fixture = await devtools.waitForTarget((t) => t.type() === 'page' && t.url().includes(`scope=wake-${wake}-`));
      const target = await devtools.waitForTarget((t) => t.type() === 'page' && t.url() === 'about:blank' && t.browserContext() === fixture.browserContext());
      await page.close();
      const cdp = await target.createCDPSession();
      const workers = await serviceWorkers(cdp);
      let registrationId: string | undefined;
      await waitWhileProgressing('DevTools lists the registration', async () => ({ done: (registrationId = workers.registrationOf(scope)) !== undefined, progress: serverProgress() }));
      const stopAt = server.requests.length;
      await cdp.send('ServiceWorker.stopAllWorkers');
      await waitWhileProgressing('the worker stopped', async () => ({ done: workers.running(registrationId as string).length === 0 && server.inFlight === 0, progress: serverProgress() }));
      expect(server.requests.length).toBe(stopAt);

      // What the browser does when it is willing to run the worker again, with no page open.
      if (wake === 'sync') {
        await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: origin(), registrationId: registrationId as string, tag: 'rx-background-fetch', lastChance: false });
      } else {
        await cdp.send('ServiceWorker.deliverPushMessage', { origin: origin(), registrationId: registrationId as string, data: 'wake' });
      }
      await waitWhileProgressing('the woken worker finished the download', async () => {
        const ranges = server.requests.filter((request) => request.url === url).map((request) => request.range);
        return { done: ranges.length > 1 && server.inFlight === 0, progress: serverProgress() };
      });
      const ranges = server.requests.filter((request) => request.url === url).map((request) => request.range);
      expect(ranges[0]).toBeUndefined();
      expect(ranges.slice(1)).toEqual(ranges.slice(1).map(() => expect.stringMatching(/^bytes=[1-9]\d*-$/)));
      await cdp.detach();
    } finally {
      await devtools.disconnect();
    }

    // The worker's report of its backgroundfetchsuccess, read from Cache Storage by a new page.
    const again = await browser.open(`${origin()}${FIXTURES}/index.html?engine=forced&scope=wake-${wake}-${slug}`);
    await again.evaluate('window.ready');
    await again.waitFor(`window.resultFor(${key})`, { progress: PAGE_PROGRESS, alsoProgress: serverProgress });
    const report = await again.evaluate<{ type: string; downloaded: number; records: unknown[] }>(`window.resultFor(${key})`);
    expect(report).toMatchObject({ type: 'backgroundfetchsuccess', downloaded: SIZE });
    expect(report.records).toEqual([{ url: `${origin()}${url}`, status: 200, size: SIZE, sha256: sha256(bodyOf(SIZE, id)) }]);
    await again.close();
    await blank.close();
  }, TEST_MS);
});

describe('firefox (polyfill)', () => {
  if (!needs('firefox')) return;
  let browser: BrowserSession;
  beforeAll(async () => {
    // Allowed for every site, as a user's Allow would allow this one.
    browser = await launch('firefox', { firefoxPrefs: { 'permissions.default.desktop-notification': 1 } });
  }, LAUNCH_MS);
  afterAll(() => browser?.close(), LAUNCH_MS);

  test('a notification the browser refuses to show fires notificationerror on the pages\' manager', async () => {
    let page: PageHandle | undefined;
    try {
      page = await browser.open(`${origin()}${FIXTURES}/index.html?engine=polyfill`);
      await page.evaluate(`void (window.notified = (async () => {
        const registration = await navigator.serviceWorker.register('sw-notify.js', { scope: './scopes/notify-firefox/' });
        const worker = registration.installing || registration.waiting || registration.active;
        if (worker.state !== 'activated') await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
        window.notificationErrors = [];
        registration.backgroundFetch.addEventListener('notificationerror', (event) => window.notificationErrors.push(event.message));
        await registration.backgroundFetch.fetch('notify-firefox', ['/bytes?size=200000&chunk=16384&delay=50&seed=notify']);
        return Notification.permission;
      })())`);
      expect(await page.evaluate('window.notified')).toBe('granted');
      await page.waitFor('window.notificationErrors.length > 0', { progress: 'window.notificationErrors.length', alsoProgress: serverProgress });
      expect(await page.evaluate('window.notificationErrors[0]')).toMatch(/^The browser refused to show a download notification: /);
    } finally {
      await page?.close();
    }
  }, TEST_MS);
});
