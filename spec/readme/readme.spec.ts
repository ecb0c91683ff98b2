import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { launch, type BrowserSession } from '../browser/harness/engines';
import { startStaticServer, type StaticServer } from '../browser/harness/staticServer';
import { startDemoServer, type DemoServer } from '../demo/demoServer';
import { codeBlocks, type CodeBlock } from './readmeBlocks';

// Runs every example of README.md as written: the Node ones against the demo server, the page
// and its service worker in headless Firefox. Only the demo server's origin is replaced.

const root = path.resolve(__dirname, '../..');
const blocks = codeBlocks(path.join(root, 'README.md'));
// example-types is type-checked by spec/package/types.spec.ts, in a project with the packed tarball.
const tested = ['example-page', 'example-worker', 'example-node', 'example-rxjs', 'example-types'];
// Node examples are written inside the package so that `import 'rx-background-fetch'` resolves
// to this package's dist/ (a package may import itself by name).
const runDir = path.join(root, 'spec/artifacts/readme');
const exampleOrigin = 'http://localhost:8080';

function example(tag: string): string {
  const found = blocks.filter((block) => block.tag === tag);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} blocks tagged ${tag}, expected 1`);
  return found[0].code;
}

/** Runs a Node example against `origin`; resolves with its stdout lines (rejects on a non-zero exit or after 30 s). */
function runNodeExample(tag: string, origin: string): Promise<string[]> {
  const code = example(tag);
  expect(code).toContain(exampleOrigin);
  const file = path.join(runDir, `${tag}.mjs`);
  writeFileSync(file, code.replaceAll(exampleOrigin, origin));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${tag} failed: ${error.message}\n${stderr}`));
      else resolve(stdout.trim().split('\n'));
    });
  });
}

/** True when `values` never go down and do go up. */
const rising = (values: number[]) => values.every((value, i) => i === 0 || value >= values[i - 1]) && values.at(-1)! > values[0];

describe('README.md', () => {
  test('starts with the two commands', () => {
    expect(blocks.slice(0, 2)).toEqual<CodeBlock[]>([
      { language: 'sh', tag: '', code: 'npm install && npm start' },
      { language: 'sh', tag: '', code: 'npm test' },
    ]);
  });

  test('tags every code example with a test below', () => {
    const code = blocks.filter((block) => /^(js|mjs|ts|html|javascript|typescript)$/.test(block.language));
    expect(code.map((block) => block.tag).sort()).toEqual([...tested].sort());
  });
});

describe('README.md examples in Node, against the demo server', () => {
  let demo: DemoServer;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    mkdirSync(runDir, { recursive: true });
    // The demo's default first two sizes (5 and 12 MB), the second smaller, at 4 MB/s: about a second each.
    demo = await startDemoServer({ DEMO_SIZES: '5,3', DEMO_RATE: '4' });
  }, 30_000);

  afterAll(() => demo?.stop());

  test('the ponyfill example downloads an episode with progress events and a success event', async () => {
    const lines = await runNodeExample('example-node', demo.url);
    const progress = lines.filter((line) => line.startsWith('episode-1: '));
    expect(progress.length).toBeGreaterThan(3);
    expect(rising(progress.map((line) => Number(/(\d+)%/.exec(line)![1])))).toBe(true);
    expect(progress.at(-1)).toBe('episode-1: 100% success');
    expect(lines.at(-1)).toBe(`saved ${demo.url}/media/episode-1.wav: 5000000 bytes`);
  });

  test('the RxJS example downloads a playlist into a memory sink', async () => {
    const lines = await runNodeExample('example-rxjs', demo.url);
    const progress = lines.filter((line) => / bytes (downloading|success)$/.test(line));
    expect(progress.length).toBeGreaterThan(3);
    expect(rising(progress.map((line) => Number(line.split(' ')[0])))).toBe(true);
    expect(progress.at(-1)).toBe('8000000 bytes success');
    expect(lines.slice(-2)).toEqual([
      `${demo.url}/media/episode-1.wav: 5000000 bytes in memory`,
      `${demo.url}/media/episode-2.wav: 3000000 bytes in memory`,
    ]);
  });
});

describe('README.md drop-in example in Firefox', () => {
  const size = 5_000_000;
  // Deterministic bytes, sent at about 1.3 MB/s so that a reload lands in the middle.
  const body = Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff));
  let site: string;
  let server: StaticServer;
  let browser: BrowserSession;

  function sendSlowly(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': size, 'Cache-Control': 'no-store' });
    let at = 0;
    const timer = setInterval(() => {
      res.write(body.subarray(at, (at += 64 * 1024)));
      if (at >= size) {
        clearInterval(timer);
        res.end();
      }
    }, 50);
    res.on('close', () => clearInterval(timer));
  }

  beforeAll(async () => {
    site = mkdtempSync(path.join(os.tmpdir(), 'rxbf-readme-'));
    writeFileSync(path.join(site, 'index.html'), example('example-page'));
    writeFileSync(path.join(site, 'sw.js'), example('example-worker'));
    const files: Record<string, string> = {
      '/dist/polyfill.min.js': path.join(root, 'dist/polyfill.min.js'),
      '/icon.svg': path.join(root, 'demo/public/icon.svg'),
    };
    server = await startStaticServer({
      root: site,
      routes(req, res) {
        if (req.url === '/media/episode-1.wav') {
          sendSlowly(res);
          return true;
        }
        const file = files[req.url ?? ''];
        if (file === undefined) return false;
        res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
        createReadStream(file).pipe(res);
        return true;
      },
    });
    browser = await launch('firefox');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  }, 30_000);

  test('downloads, follows the download again after a reload, and the worker files it in Cache Storage', async () => {
    const page = await browser.open(`${server.url}/index.html`);
    await page.waitFor(() => !(document.querySelector('#download') as HTMLButtonElement).disabled, 15_000);
    await page.evaluate(() => (document.querySelector('#download') as HTMLButtonElement).click());
    await page.waitFor(() => (document.querySelector('#progress') as HTMLProgressElement).value > 0, 10_000);
    const before = await page.evaluate(() => (document.querySelector('#progress') as HTMLProgressElement).value);
    expect(before).toBeLessThan(size / 2);

    await page.reload();
    await page.waitFor(() => !(document.querySelector('#download') as HTMLButtonElement).disabled, 15_000);
    const after = await page.evaluate(() => {
      const bar = document.querySelector('#progress') as HTMLProgressElement;
      return { value: bar.value, max: bar.max };
    });
    expect(after.max).toBe(size);
    expect(after.value).toBeGreaterThanOrEqual(before);
    expect(after.value).toBeLessThan(size);

    await page.waitFor(() => (document.querySelector('#progress') as HTMLProgressElement).value === 5_000_000, 20_000);
    await page.waitFor('caches.open("episodes").then((cache) => cache.match("/media/episode-1.wav")).then(Boolean)', 10_000);
    const stored = await page.evaluate(async () => {
      const response = await (await caches.open('episodes')).match('/media/episode-1.wav');
      const bytes = new Uint8Array(await response!.arrayBuffer());
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      return { size: bytes.byteLength, sha256: [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('') };
    });
    expect(stored).toEqual({ size, sha256: createHash('sha256').update(body).digest('hex') });
    expect(page.consoleMessages().filter((message) => /^Uncaught|rx-background-fetch:/.test(message))).toEqual([]);
  }, 60_000);
});
