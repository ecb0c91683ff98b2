/**
 * The self-contained ES module build (issue 14): a module service worker
 * (`register('sw.js', { type: 'module' })`) that imports dist/polyfill.esm.min.js runs the
 * downloads and receives backgroundfetchsuccess, in Firefox, where the polyfill is what provides
 * Background Fetch. The page imports the same file with `<script type="module">`.
 * Pages come from spec/browser/esmWorker/fixtures; run `npm run build` first (`npm test` does).
 */
import path from 'node:path';
import { launch, requiredEngines, type BrowserSession, type PageHandle } from './harness/engines';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

const FIXTURES = '/spec/browser/esmWorker/fixtures';
const TEST_MS = 60_000;

/** What sw.js posts for a completion event. */
interface WorkerReport {
  type: string;
  id: string;
  isUpdateUIEvent: boolean;
  updateUI: string;
  records: Array<{ url: string; size: number }>;
  seen: { updateUIEvent: string; successHandler: boolean; scriptGlobal: string; secondInstall: boolean };
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ files: path.resolve(__dirname, '../..') });
});
afterAll(() => server?.close());

const firefox = requiredEngines().includes('firefox');
if (!firefox) console.log('esmWorker.spec: skipping: firefox is not installed here and neither CI nor RXBF_REQUIRE_BROWSERS=1 is set');

(firefox ? describe : describe.skip)('firefox: a module service worker importing dist/polyfill.esm.min.js', () => {
  let browser: BrowserSession;
  let page: PageHandle;
  const origin = () => server.url.replace('127.0.0.1', 'localhost');

  beforeAll(async () => {
    browser = await launch('firefox');
    page = await browser.open(`${origin()}${FIXTURES}/index.html`);
    await page.waitFor('window.ready !== undefined');
    await page.evaluate('window.ready');
  }, TEST_MS);
  afterAll(() => browser?.close(), TEST_MS);

  test('the worker runs the downloads and receives backgroundfetchsuccess with every record', async () => {
    const urls = ['/bytes?size=300000&chunk=32768&delay=20&seed=esm-a', '/bytes?size=1000&seed=esm-b'];
    const final = await page.evaluate(`window.download('esm-one', ${JSON.stringify(urls)})`);
    expect(final).toEqual({ result: 'success', downloaded: 301_000 });

    await page.waitFor("window.workerEvents.some((event) => event.id === 'esm-one')", 20_000);
    const report = await page.evaluate<WorkerReport>("window.workerEvents.find((event) => event.id === 'esm-one')");
    expect(report).toEqual({
      type: 'backgroundfetchsuccess',
      id: 'esm-one',
      isUpdateUIEvent: true,
      updateUI: 'resolved',
      records: [
        { url: urls[0], size: bodyOf(300_000, 'esm-a').length },
        { url: urls[1], size: bodyOf(1000, 'esm-b').length },
      ],
      // The module defines the worker's globals and handlers and no RxBackgroundFetch; install() again is harmless.
      seen: { updateUIEvent: 'function', successHandler: true, scriptGlobal: 'undefined', secondInstall: true },
    });
    // The worker fetched them: its script is the referrer (a page's fetch would name the page).
    const referrers = server.requests.filter((request) => urls.includes(request.url)).map((request) => request.headers.referer);
    expect(referrers.length).toBeGreaterThanOrEqual(2);
    expect(referrers.every((referrer) => String(referrer).endsWith(`${FIXTURES}/sw.js`))).toBe(true);
    expect(await page.evaluate('window.pageSaw')).toEqual({ exportIsTheGlobal: true, scriptGlobal: 'undefined' });
  }, TEST_MS);
});
