/*
 * One driver interface over three engines, for running the same browser scenario everywhere.
 * - firefox: puppeteer-core over WebDriver BiDi, /usr/bin/firefox-esr headless. Service workers work on
 *   http://localhost with Firefox's defaults (no extra prefs). About 2 s to launch, 2–8 s to restart after kill().
 * - chromium: puppeteer-core over CDP, /usr/bin/chromium headless; incognito pages unless `persistent`.
 *   Native Background Fetch is present (`native: false` hides it). About 0.3 s to launch.
 * - webkit: WebKitGTK 2.50 through WebKitWebDriver + selenium-webdriver under its own `xvfb-run` (no headless
 *   mode exists). The browser is wkbrowser.py (Python GI, Debian's /usr/bin/python3) rather than MiniBrowser,
 *   because MiniBrowser's automation store is ephemeral: with wkbrowser.py storage persists across restart()
 *   and Blobs can be stored in IndexedDB. About 0.4 s to launch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launch as launchPuppeteer, type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { Builder, Capabilities, type WebDriver } from 'selenium-webdriver';
import { STALL_MS, waitWhileProgressing, type WaitLimits } from './progressWait';

/**
 * The three engines the browser tests run in: Gecko (Firefox ESR), Blink (Chromium) and WebKit (WebKitGTK).
 * @example
 *   const engine: EngineName = 'webkit';
 *   const browser = await launch(engine);
 */
export type EngineName = 'firefox' | 'chromium' | 'webkit';

/**
 * Options of {@link launch}.
 * - `timeoutMs` (default 120 000): limit for launch, restart and close (generous: a loaded machine launches slowly).
 * - `stepTimeoutMs` (default 60 000): limit for each page operation (open, evaluate, reload, screenshot, close): how long
 *   a page may take to answer at all.
 * - `native` (default true): `false` hides Chromium's native Background Fetch (`--disable-blink-features=BackgroundFetch`)
 *   so the polyfill runs there too; Firefox and WebKit have no native Background Fetch, so it changes nothing there.
 * - `persistent` (default false): Chromium opens pages in its default context instead of an incognito one, so
 *   storage survives kill() + restart(). Firefox and WebKit always keep storage in the session's profile dir.
 * @example
 *   const options: LaunchOptions = { persistent: true, stepTimeoutMs: 10_000 };
 *   const browser = await launch('chromium', options);
 */
export interface LaunchOptions {
  timeoutMs?: number;
  stepTimeoutMs?: number;
  native?: boolean;
  persistent?: boolean;
  /** firefox: prefs set as about:config would set them, on every start (puppeteer writes them to the profile's user.js). */
  firefoxPrefs?: Record<string, string | number | boolean>;
}

/**
 * A running browser on a fresh temp profile. Pages opened before kill() are dead; open new ones after restart().
 * @example
 *   const browser = await launch('firefox');
 *   try { const page = await browser.open(`${server.url}/page.html`); } finally { await browser.close(); }
 */
export interface BrowserSession {
  engine: EngineName;
  /** e.g. `Chrome/156.0.8078.79`, `firefox/153.7.0`, `WebKitGTK/2.50.6`. */
  version: string;
  /** The temp profile (user data) dir; it survives kill() and restart(), close() deletes it. */
  readonly profileDir: string;
  /**
   * A new tab (webkit: window) navigated to `url`; resolves after the load event.
   * @example
   *   const page = await browser.open(`${server.url}/page.html`);
   *   expect(await page.evaluate(() => document.title)).toBe('fixture');
   */
  open(url: string): Promise<PageHandle>;
  /**
   * Ends the browser (SIGKILL if it does not quit in time) and removes its temp profile dir; safe to call twice.
   * @example
   *   const browser = await launch('chromium');
   *   await browser.close();
   */
  close(): Promise<void>;
  /**
   * SIGKILLs the browser's processes, like a crash; the profile stays for restart(). webkit: also stops its
   * WebKitWebDriver and Xvfb.
   * @example
   *   await browser.kill();
   *   await browser.restart();
   */
  kill(): Promise<void>;
  /**
   * Starts the browser again on the same profile (kills it first if it still runs). Works in all three engines;
   * chromium keeps storage only when launched with `persistent: true`.
   * @example
   *   await browser.kill(); await browser.restart();
   *   const page = await browser.open(url);
   */
  restart(): Promise<void>;
  /**
   * Pids of the browser's whole process tree right now (empty once killed or closed), for leak checks.
   * @example
   *   const pids = browser.processIds(); await browser.close();
   *   expect(pids.filter(isAlive)).toEqual([]);
   */
  processIds(): number[];
}

/**
 * One tab or window. Functions passed to evaluate/waitFor are sent as source text: they cannot use closures, and
 * under `jest --coverage` functions written outside *.spec.ts files carry istanbul counters that the page lacks
 * (pass a string or keep such functions in the spec file).
 * @example
 *   const page = await browser.open(url);
 *   const n = await page.evaluate((a: number, b: number) => a + b, 1, 2);
 */
export interface PageHandle {
  /**
   * Runs `fn(...args)` (or the expression `fn` when it is a string; then no args) in the page, awaits a returned
   * promise and returns the JSON round trip of the result. Rejects after `stepTimeoutMs`.
   * @example
   *   const title = await page.evaluate(() => document.title);
   *   const ok = await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
   */
  evaluate<T>(fn: string | ((...args: any[]) => T | Promise<T>), ...args: unknown[]): Promise<T>;
  /**
   * Polls the predicate in the page every 50 ms (errors, e.g. during a navigation, count as false) until it is
   * truthy. Bounded by progress, not by the clock: it rejects, with the last error, only once nothing it watches
   * has changed for `stallMs` (a number given alone; default 60 000), or at `capMs` (default 300 000). It watches
   * the page's console and, when given, the JSON of the page expression `progress` and of `alsoProgress()` (Node side).
   * @example
   *   await page.waitFor(() => navigator.serviceWorker.controller !== null);
   *   await page.waitFor('window.done === true', { progress: 'window.events.length', alsoProgress: () => server.bytesSent });
   */
  waitFor(predicate: string | (() => unknown), limits?: number | WaitOptions): Promise<void>;
  /**
   * Reloads and waits for the load event.
   * @example
   *   await page.reload();
   *   await page.waitFor(() => document.readyState === 'complete');
   */
  reload(): Promise<void>;
  /**
   * Writes a PNG of the viewport to `path` (use a `.png` name).
   * @example
   *   await page.screenshot(path.join(os.tmpdir(), 'page.png'));
   *   expect(fs.statSync(path.join(os.tmpdir(), 'page.png')).size).toBeGreaterThan(0);
   */
  screenshot(path: string): Promise<void>;
  /**
   * The text of every console message so far; uncaught errors and unhandled rejections start with `Uncaught `.
   * firefox/chromium: this page's own messages (chromium adds "Failed to load resource" lines). webkit: every
   * message the session logged since this page opened, from all windows and service workers, read from the
   * browser's stderr a few ms late (poll for it); only the first line of a multi-line message; objects as
   * `[object Object]`.
   * @example
   *   await page.evaluate(() => console.log('hi'));
   *   expect(page.consoleMessages()).toContain('hi'); // webkit: poll until it is there
   */
  consoleMessages(): string[];
  /**
   * Closes the tab or window (webkit keeps its last window as about:blank so the session stays alive).
   * @example
   *   const second = await browser.open(url);
   *   await second.close();
   */
  close(): Promise<void>;
}

/**
 * What {@link PageHandle.waitFor} watches, besides the page's console, and its limits.
 * @example
 *   const options: WaitOptions = { progress: 'window.progress.length', alsoProgress: () => server.bytesSent, stallMs: 30_000 };
 *   await page.waitFor('window.finished', options);
 */
export interface WaitOptions extends WaitLimits {
  /** A page expression (it may be a promise) whose JSON value changing counts as progress. */
  progress?: string;
  /** A Node-side reading whose change counts as progress. */
  alsoProgress?: () => unknown;
}

const ENGINES: EngineName[] = ['firefox', 'chromium', 'webkit'];
const WKBROWSER = path.join(__dirname, 'wkbrowser.py');
const REQUIREMENTS: Record<EngineName, { files: () => string[]; packages: string }> = {
  firefox: { files: () => ['/usr/bin/firefox-esr'], packages: 'firefox-esr' },
  chromium: { files: () => ['/usr/bin/chromium'], packages: 'chromium' },
  webkit: {
    files: () => [
      '/usr/bin/WebKitWebDriver',
      '/usr/bin/xvfb-run',
      '/usr/bin/xauth',
      '/usr/bin/python3',
      '/usr/lib/python3/dist-packages/gi/__init__.py',
      typelibPath(),
    ],
    packages: 'webkit2gtk-driver xvfb xauth python3-gi gir1.2-webkit2-4.1',
  },
};

function typelibPath(): string {
  const name = 'girepository-1.0/WebKit2-4.1.typelib';
  const arch = readdirSync('/usr/lib').find((dir) => existsSync(path.join('/usr/lib', dir, name)));
  return path.join('/usr/lib', arch ?? os.machine() + '-linux-gnu', name);
}

function missingFiles(engine: EngineName): string[] {
  return REQUIREMENTS[engine].files().filter((file) => !existsSync(file));
}

/**
 * Whether the engine's browser (and, for webkit, its driver, Xvfb and Python GI bindings) is installed here.
 * @example
 *   if (!available('webkit')) console.log('webkit tests will be skipped');
 *   const engines = (['firefox', 'chromium'] as const).filter(available);
 */
export function available(engine: EngineName): boolean {
  return missingFiles(engine).length === 0;
}

/**
 * The engines that must run: all three when `CI` is set or `RXBF_REQUIRE_BROWSERS=1`, else the available ones.
 * @example
 *   const mustRun = requiredEngines().includes('webkit');
 *   (mustRun ? describe : describe.skip)('webkit', () => {});
 */
export function requiredEngines(): EngineName[] {
  const all = Boolean(process.env.CI) || process.env.RXBF_REQUIRE_BROWSERS === '1';
  return all ? [...ENGINES] : ENGINES.filter(available);
}

/**
 * Starts `engine` headless (webkit under its own Xvfb) on a fresh temp profile. Rejects with the apt-get line to
 * run when the engine is not installed, and with `[engine] step: …` messages on failures and timeouts.
 * @example
 *   const browser = await launch('chromium', { persistent: true });
 *   const page = await browser.open(`${server.url}/page.html`);
 */
export async function launch(engine: EngineName, options: LaunchOptions = {}): Promise<BrowserSession> {
  const missing = missingFiles(engine);
  if (missing.length > 0) {
    throw new Error(
      `[${engine}] launch: not installed (missing ${missing.join(', ')}); ` +
        `install it with: apt-get install -y --no-install-recommends ${REQUIREMENTS[engine].packages}`,
    );
  }
  const settings: Settings = {
    timeoutMs: options.timeoutMs ?? 120_000,
    stepTimeoutMs: options.stepTimeoutMs ?? 60_000,
    native: options.native ?? true,
    persistent: options.persistent ?? false,
    firefoxPrefs: options.firefoxPrefs ?? {},
  };
  const profileDir = await fsp.mkdtemp(path.join(os.tmpdir(), `rxbf-${engine}-`));
  const session =
    engine === 'webkit' ? new WebKitSession(settings, profileDir) : new PuppeteerSession(engine, settings, profileDir);
  try {
    await session.start('launch');
  } catch (error) {
    await session.close().catch(() => undefined);
    throw error;
  }
  return session;
}

type Settings = Required<LaunchOptions>;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` with a limit; errors and timeouts become `[engine] step: …`. */
function timed<T>(engine: EngineName, step: string, ms: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`[${engine}] ${step}: timed out after ${ms} ms`)), ms);
    Promise.resolve()
      .then(work)
      .then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(new Error(`[${engine}] ${step}: ${errorText(error)}`, { cause: error }));
        },
      );
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Live (non-zombie) processes as pid → [parent pid, process group]. */
function processTable(): Map<number, [number, number]> {
  const table = new Map<number, [number, number]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') table.set(Number(name), [Number(ppid), Number(pgrp)]);
    } catch {
      // the process ended while we listed it
    }
  }
  return table;
}

/** `root`, its descendants and the members of its process group, if alive. */
function processTree(root: number | undefined): number[] {
  if (root === undefined) return [];
  const table = processTable();
  const found = new Set<number>();
  for (const [pid, [, pgrp]] of table) if (pgrp === root) found.add(pid);
  if (table.has(root)) found.add(root);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, [ppid]] of table) {
      if (found.has(ppid) && !found.has(pid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/** Waits up to `ms` for `pids` to end, then SIGKILLs the rest; rejects if any survive that. */
async function reap(engine: EngineName, pids: number[], ms: number): Promise<void> {
  const alive = () => {
    const table = processTable();
    return pids.filter((pid) => table.has(pid));
  };
  const deadline = Date.now() + ms;
  while (alive().length > 0 && Date.now() < deadline) await sleep(50);
  signal(alive(), 'SIGKILL');
  for (let i = 0; i < 40 && alive().length > 0; i++) await sleep(50);
  const left = alive();
  if (left.length > 0) throw new Error(`[${engine}] processes ${left.join(', ')} survived SIGKILL`);
}

/** A function call (or a bare expression) as an expression that evaluates to the JSON of `{ v: result }`. */
function jsonExpression(fn: string | ((...args: any[]) => unknown), args: unknown[]): string {
  if (typeof fn === 'string' && args.length > 0) throw new TypeError('evaluate: args need a function, not a string');
  const call = typeof fn === 'string' ? fn : `(${fn.toString()})(...${JSON.stringify(args)})`;
  return `(async () => JSON.stringify({ v: await (${call}) }))()`;
}

abstract class BasePage implements PageHandle {
  protected constructor(
    protected readonly engine: EngineName,
    protected readonly url: string,
    protected readonly stepTimeoutMs: number,
  ) {}

  /** Evaluates `expression` (a promise of a string) in the page. */
  protected abstract evaluateJson(expression: string): Promise<string>;
  abstract reload(): Promise<void>;
  abstract screenshot(path: string): Promise<void>;
  abstract consoleMessages(): string[];
  abstract close(): Promise<void>;

  protected step<T>(name: string, work: () => Promise<T>, ms = this.stepTimeoutMs): Promise<T> {
    return timed(this.engine, `${name} (${this.url})`, ms, work);
  }

  async evaluate<T>(fn: string | ((...args: any[]) => T | Promise<T>), ...args: unknown[]): Promise<T> {
    const expression = jsonExpression(fn, args);
    const json = await this.step('evaluate', () => this.evaluateJson(expression));
    return (JSON.parse(json) as { v?: T }).v as T;
  }

  waitFor(predicate: string | (() => unknown), limits: number | WaitOptions = {}): Promise<void> {
    const options: WaitOptions = typeof limits === 'number' ? { stallMs: limits } : limits;
    const test = typeof predicate === 'string' ? predicate : `(${predicate.toString()})()`;
    const progress = options.progress ?? 'null';
    // One round trip per poll: whether it is done, and the page's progress reading (null if that throws).
    const expression = `(async () => {
      const done = !!(await (${test}));
      const progress = await (async () => ${progress})().catch(() => null);
      return JSON.stringify({ v: [done, progress] });
    })()`;
    const poll = async () => {
      const json = await this.step('waitFor', () => this.evaluateJson(expression));
      const [done, seen] = (JSON.parse(json) as { v: [boolean, unknown] }).v;
      return { done, progress: [seen, this.consoleMessages().length, options.alsoProgress?.()] };
    };
    const what = `[${this.engine}] waitFor (${this.url}) ${test.replace(/\s+/g, ' ').slice(0, 100)}`;
    return waitWhileProgressing(what, poll, { stallMs: options.stallMs ?? STALL_MS, capMs: options.capMs });
  }
}

class PuppeteerPage extends BasePage {
  private readonly messages: string[] = [];

  constructor(engine: EngineName, url: string, stepTimeoutMs: number, private readonly page: Page) {
    super(engine, url, stepTimeoutMs);
    page.on('console', (message) => this.messages.push(message.text()));
    page.on('pageerror', (error) => this.messages.push(`Uncaught ${errorText(error)}`));
  }

  protected evaluateJson(expression: string): Promise<string> {
    return this.page.evaluate(expression) as Promise<string>;
  }

  reload(): Promise<void> {
    return this.step('reload', async () => {
      await this.page.reload({ waitUntil: 'load', timeout: 0 });
    });
  }

  screenshot(file: string): Promise<void> {
    return this.step('screenshot', async () => {
      await this.page.screenshot({ path: file as `${string}.png` });
    });
  }

  consoleMessages(): string[] {
    return [...this.messages];
  }

  close(): Promise<void> {
    return this.step('close page', () => this.page.close());
  }

  /** Navigates a fresh page; used by open(). */
  goto(): Promise<void> {
    return this.step('open', async () => {
      await this.page.goto(this.url, { waitUntil: 'load', timeout: 0 });
    });
  }
}

class PuppeteerSession implements BrowserSession {
  version = '';
  private browser: Browser | undefined;
  private context: BrowserContext | undefined;
  private closed = false;

  constructor(
    readonly engine: 'firefox' | 'chromium',
    private readonly settings: Settings,
    readonly profileDir: string,
  ) {}

  async start(step: string): Promise<void> {
    const { engine, settings, profileDir } = this;
    const ms = settings.timeoutMs;
    if (engine === 'chromium') await writeChromiumPreferences(profileDir);
    const common = {
      headless: true,
      userDataDir: profileDir,
      timeout: ms,
      protocolTimeout: Math.max(ms, settings.stepTimeoutMs),
    };
    const launching = launchPuppeteer(
      engine === 'firefox'
        ? { ...common, browser: 'firefox', executablePath: '/usr/bin/firefox-esr', extraPrefsFirefox: settings.firefoxPrefs }
        : {
            ...common,
            browser: 'chrome',
            executablePath: '/usr/bin/chromium',
            args: [
              '--no-sandbox',
              '--disable-gpu',
              '--disable-background-networking',
              '--disable-component-update',
              '--disable-sync',
              '--no-first-run',
              ...(settings.native ? [] : ['--disable-blink-features=BackgroundFetch']),
            ],
          },
    );
    let browser: Browser;
    try {
      browser = await timed(engine, `${step}: start browser`, ms, () => launching);
    } catch (error) {
      // a browser that comes up late is stopped by close() or kill(); puppeteer's own timeout bounds the wait
      this.browser = await launching.catch(() => undefined);
      throw error;
    }
    this.browser = browser;
    this.version = await timed(engine, `${step}: read version`, ms, () => browser.version());
    this.context =
      engine === 'chromium' && !settings.persistent
        ? await timed(engine, `${step}: create incognito context`, ms, () => browser.createBrowserContext())
        : browser.defaultBrowserContext();
  }

  async open(url: string): Promise<PageHandle> {
    const context = this.running(`open ${url}`);
    const page = await timed(this.engine, `open ${url}: new page`, this.settings.stepTimeoutMs, () => context.newPage());
    const handle = new PuppeteerPage(this.engine, url, this.settings.stepTimeoutMs, page);
    try {
      await handle.goto();
    } catch (error) {
      await page.close().catch(() => undefined);
      throw error;
    }
    return handle;
  }

  /** Includes browsers that puppeteer gave up on during launch: their command line names the profile dir. */
  processIds(): number[] {
    const roots = [this.browser?.process()?.pid, ...processesMentioning(this.profileDir)];
    return [...new Set(roots.flatMap((pid) => processTree(pid)))];
  }

  async kill(): Promise<void> {
    const pids = this.processIds();
    this.browser = undefined;
    this.context = undefined;
    signal(pids, 'SIGKILL');
    await reap(this.engine, pids, 0);
  }

  async restart(): Promise<void> {
    if (this.closed) throw new Error(`[${this.engine}] restart: the session is closed`);
    await this.kill();
    try {
      await this.start('restart');
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const pids = this.processIds();
    const browser = this.browser;
    this.browser = undefined;
    this.context = undefined;
    if (browser) await timed(this.engine, 'close', this.settings.timeoutMs, () => browser.close()).catch(() => undefined);
    await reap(this.engine, pids, browser ? 2_000 : 0);
    await fsp.rm(this.profileDir, { recursive: true, force: true, maxRetries: 3 });
  }

  private running(step: string): BrowserContext {
    if (!this.context) throw new Error(`[${this.engine}] ${step}: the browser is not running (killed or closed)`);
    return this.context;
  }
}

/** Lets native Background Fetch start more than one fetch per tab (it counts as "automatic downloads"). */
async function writeChromiumPreferences(profileDir: string): Promise<void> {
  const file = path.join(profileDir, 'Default', 'Preferences');
  if (existsSync(file)) return;
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const preferences = { profile: { default_content_setting_values: { automatic_downloads: 1 } } };
  await fsp.writeFile(file, JSON.stringify(preferences));
}

class WebKitPage extends BasePage {
  private closed = false;

  constructor(
    url: string,
    stepTimeoutMs: number,
    private readonly session: WebKitSession,
    private readonly handle: string,
    private readonly firstMessage: number,
  ) {
    super('webkit', url, stepTimeoutMs);
  }

  protected evaluateJson(expression: string): Promise<string> {
    const script =
      'const done = arguments[arguments.length - 1];' +
      `${expression}.then((json) => done({ json }), (e) => done({ error: e instanceof Error ? ` +
      "e.name + ': ' + e.message + '\\n' + e.stack : String(e) }));";
    return this.inWindow(async (driver) => {
      const result = await driver.executeAsyncScript<{ json?: string; error?: string }>(script);
      if (result.error !== undefined) throw new Error(result.error);
      return result.json as string;
    });
  }

  reload(): Promise<void> {
    return this.step('reload', () => this.inWindow((driver) => driver.navigate().refresh()));
  }

  screenshot(file: string): Promise<void> {
    return this.step('screenshot', () =>
      this.inWindow(async (driver) => {
        await fsp.writeFile(file, Buffer.from(await driver.takeScreenshot(), 'base64'));
      }),
    );
  }

  consoleMessages(): string[] {
    return this.session.consoleLog.slice(this.firstMessage);
  }

  close(): Promise<void> {
    return this.step('close page', async () => {
      if (this.closed) return;
      await this.session.closeWindow(this.handle);
      this.closed = true;
    });
  }

  /** The window handle outlives this page when it becomes the spare window, so closed pages refuse work. */
  private inWindow<T>(work: (driver: WebDriver) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the page is closed'));
    return this.session.inWindow(this.handle, work);
  }
}

/**
 * WebKitGTK through WebKitWebDriver under xvfb-run, one driver (one process group) per session. The browser is
 * wkbrowser.py, which keeps its data in the profile dir. Driver commands run one at a time. Set
 * RXBF_DEBUG_WEBKIT=1 to echo the driver's and browser's output to stderr.
 */
class WebKitSession implements BrowserSession {
  readonly engine = 'webkit';
  version = '';
  readonly consoleLog: string[] = [];
  private server: ChildProcess | undefined;
  private driver: WebDriver | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private windows = new Set<string>();
  private spareWindow: string | undefined;
  private currentWindow: string | undefined;
  private output: string[] = [];
  private closed = false;

  constructor(
    private readonly settings: Settings,
    readonly profileDir: string,
  ) {}

  async start(step: string): Promise<void> {
    const deadline = Date.now() + this.settings.timeoutMs;
    const left = () => Math.max(deadline - Date.now(), 1);
    const port = await freePort();
    const server = spawn(
      'xvfb-run',
      ['-a', '-s', '-screen 0 1280x1024x24 -nolisten tcp', 'WebKitWebDriver', `--port=${port}`],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server = server;
    this.output = [];
    for (const stream of [server.stdout, server.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.onOutput(line));
    }
    const exited = new Promise<never>((_, reject) => {
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`xvfb-run exited with ${code}; output:\n${this.output.join('\n')}`)));
    });
    exited.catch(() => undefined);
    const serverUrl = `http://127.0.0.1:${port}`;
    await timed('webkit', `${step}: start WebKitWebDriver`, left(), () =>
      Promise.race([exited, waitForStatus(serverUrl, deadline)]),
    );
    const building = new Builder()
      .usingServer(serverUrl)
      .withCapabilities(
        new Capabilities({
          browserName: 'wkbrowser',
          'webkitgtk:browserOptions': {
            binary: '/usr/bin/python3',
            args: [WKBROWSER, '--automation', `--data-dir=${this.profileDir}`],
          },
        }),
      )
      .build();
    const driver = await timed('webkit', `${step}: POST /session`, left(), () => Promise.race([exited, building]));
    this.driver = driver;
    await timed('webkit', `${step}: configure session`, left(), async () => {
      await driver.manage().setTimeouts({ script: this.settings.stepTimeoutMs, pageLoad: this.settings.stepTimeoutMs });
      this.version = `WebKitGTK/${String((await driver.getCapabilities()).get('browserVersion'))}`;
      this.spareWindow = await driver.getWindowHandle();
    });
    this.windows = new Set([this.spareWindow as string]);
    this.currentWindow = this.spareWindow;
  }

  async open(url: string): Promise<PageHandle> {
    let firstMessage = 0;
    const handle = await this.command(`open ${url}`, this.settings.stepTimeoutMs, async (driver) => {
      let window = this.spareWindow;
      this.spareWindow = undefined;
      if (window === undefined) {
        // After closing a window WebDriver has no current one, and newWindow needs one: go to a live window first.
        const live = [...this.windows][0];
        if (this.currentWindow === undefined && live !== undefined) await driver.switchTo().window(live);
        await driver.switchTo().newWindow('window');
        window = await driver.getWindowHandle();
        this.windows.add(window);
      } else if (this.currentWindow !== window) {
        await driver.switchTo().window(window);
      }
      this.currentWindow = window;
      firstMessage = this.consoleLog.length;
      await driver.get(url);
      return window;
    });
    return new WebKitPage(url, this.settings.stepTimeoutMs, this, handle, firstMessage);
  }

  /** Runs `work` with `window` as the current window; untimed, the caller times it. */
  inWindow<T>(window: string, work: (driver: WebDriver) => Promise<T>): Promise<T> {
    return this.command('', 0, async (driver) => {
      if (!this.windows.has(window)) throw new Error('the window is closed');
      if (this.currentWindow !== window) {
        await driver.switchTo().window(window);
        this.currentWindow = window;
      }
      return work(driver);
    });
  }

  /** Closes `window`, or turns it into the spare about:blank window when it is the last one. */
  closeWindow(window: string): Promise<void> {
    return this.inWindow(window, async (driver) => {
      if (this.windows.size === 1) {
        await driver.get('about:blank');
        this.spareWindow = window;
        return;
      }
      await driver.close();
      this.windows.delete(window);
      this.currentWindow = undefined;
    });
  }

  processIds(): number[] {
    return processTree(this.server?.pid);
  }

  async kill(): Promise<void> {
    const browser = this.processIds().find((pid) => commandLine(pid).includes(WKBROWSER));
    signal(processTree(browser), 'SIGKILL');
    await this.stopServer();
  }

  async restart(): Promise<void> {
    if (this.closed) throw new Error('[webkit] restart: the session is closed');
    await this.kill();
    try {
      await this.start('restart');
    } catch (error) {
      await this.stopServer();
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const driver = this.driver;
    if (driver) await timed('webkit', 'close: DELETE /session', 10_000, () => driver.quit()).catch(() => undefined);
    await this.stopServer();
    await fsp.rm(this.profileDir, { recursive: true, force: true, maxRetries: 3 });
  }

  /**
   * Ends WebKitWebDriver with SIGTERM so that xvfb-run cleans up (its temp dir, Xvfb and the lock file), then
   * SIGKILLs whatever is left of the process group.
   */
  private async stopServer(): Promise<void> {
    const pids = this.processIds();
    this.server = undefined;
    this.driver = undefined;
    this.windows.clear();
    this.spareWindow = undefined;
    this.currentWindow = undefined;
    signal(
      pids.filter((pid) => commandLine(pid).startsWith('WebKitWebDriver')),
      'SIGTERM',
    );
    await reap('webkit', pids, 3_000);
  }

  /** Queues a driver command so that window switches and commands do not interleave. */
  private command<T>(step: string, ms: number, work: (driver: WebDriver) => Promise<T>): Promise<T> {
    const driver = this.driver;
    if (!driver) {
      return Promise.reject(new Error(`[webkit] ${step || 'command'}: the browser is not running (killed or closed)`));
    }
    const result = this.queue.then(() => (ms > 0 ? timed('webkit', step, ms, () => work(driver)) : work(driver)));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private onOutput(line: string): void {
    if (process.env.RXBF_DEBUG_WEBKIT) process.stderr.write(`[webkit] ${line}\n`);
    const message = /^(?:\S+:\d+:\d+: )?CONSOLE (JS )?(?:LOG|INFO|WARN|ERROR|DEBUG) (.*)$/.exec(line);
    if (message) this.consoleLog.push(`${message[1] ? 'Uncaught ' : ''}${message[2]}`);
    else this.output = [...this.output.slice(-19), line];
  }
}

function processesMentioning(text: string): number[] {
  return [...processTable().keys()].filter((pid) => commandLine(pid).includes(text));
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls the driver's /status until it is ready or `deadline` passes. */
async function waitForStatus(serverUrl: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${serverUrl}/status`, { signal: AbortSignal.timeout(1_000) });
      const status = (await response.json()) as { value?: { ready?: boolean } };
      if (status.value?.ready) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`${serverUrl}/status is not ready`);
}
