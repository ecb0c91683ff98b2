/**
 * A real `node:http` server for integration tests: deterministic bodies, Range support and a
 * catalogue of misbehaving routes (drops, short bodies, stalls, bad Content-Range, flaky statuses).
 * Every timer and socket is tracked so `close()` leaves nothing behind for jest.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve as resolvePath } from 'node:path';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A running test server (see {@link startTestServer}).
 * @example
 *   const server = await startTestServer();
 *   const res = await fetch(`${server.url}/bytes?size=10`); await server.close();
 */
export interface TestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Same as `url`. */
  origin: string;
  port: number;
  /** Every request the server saw since start/reset(), in arrival order (survives restart()). */
  requests: SeenRequest[];
  /** Requests whose response has not finished (or been aborted) yet. */
  readonly inFlight: number;
  /** Highest `inFlight` seen since start/reset(). */
  readonly maxInFlight: number;
  /** Bytes written to clients since start (never reset): a wait can tell from it that a download still moves. */
  readonly bytesSent: number;
  /** Clears `requests`, `maxInFlight` (down to the current `inFlight`) and the per-URL counters. */
  reset(): void;
  /** Stops listening, destroys every open socket and cancels every pending timer. Idempotent. */
  close(): Promise<void>;
  /** Destroys every open socket, closes, then listens again on the same port. State is kept. */
  restart(): Promise<void>;
  /** An outage: destroys every open socket and stops listening, so connections are refused until {@link up}. */
  down(): Promise<void>;
  /** Listens again on the same port after {@link down}. */
  up(): Promise<void>;
}

/**
 * One request as the server received it, body fully read.
 * @example
 *   await fetch(`${server.url}/echo`, { method: 'POST', body: 'hi' });
 *   expect(server.requests[0].body.toString()).toBe('hi');
 */
export interface SeenRequest {
  method: string;
  /** Path without the query, e.g. `/cors/bytes`. */
  path: string;
  /** Path plus query, exactly as sent, e.g. `/cors/bytes?size=10`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The `Range` request header, when sent. */
  range?: string;
}

const OCTET = 'application/octet-stream';
const TEXT = 'text/plain';
const FEATURE = 'Background Fetch';

/**
 * Deterministic test bytes: byte i = (i * 31 + hash(seed)) & 0xff. The server builds its bodies
 * with it, so tests can compare what they downloaded byte for byte.
 * @example
 *   const bytes = new Uint8Array(await (await fetch(`${server.url}/bytes?size=100&seed=a`)).arrayBuffer());
 *   expect(Buffer.from(bytes).equals(bodyOf(100, 'a'))).toBe(true);
 */
export function bodyOf(size: number, seed = ''): Buffer {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (Math.imul(hash, 31) + seed.charCodeAt(i)) | 0;
  const body = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + hash) & 0xff;
  return body;
}

/**
 * Starts a test server on a random port (host defaults to 127.0.0.1). Close it in afterEach/afterAll.
 * With `files`, paths that are no route are served as files from that folder (browser tests load
 * their pages, workers and `dist/` bundles from it).
 * @example
 *   const server = await startTestServer();
 *   afterAll(() => server.close());
 */
export async function startTestServer(options: { host?: string; files?: string } = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const files = options.files === undefined ? undefined : resolvePath(options.files);
  const requests: SeenRequest[] = [];
  const hits = new Map<string, number>(); // full url -> requests seen
  const sockets = new Set<Socket>();
  const active = new Set<AbortController>(); // one per open response; aborting it cancels its timers
  let inFlight = 0;
  let maxInFlight = 0;

  const server = createServer(async (req, res) => {
    const ac = new AbortController();
    active.add(ac);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    res.on('close', () => {
      inFlight--;
      active.delete(ac);
      ac.abort();
    });
    try {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const queryAt = url.indexOf('?');
      const path = queryAt < 0 ? url : url.slice(0, queryAt);
      const { range } = req.headers;
      requests.push({ method: req.method ?? 'GET', path, url, headers: { ...req.headers }, body, ...(range === undefined ? {} : { range }) });
      const count = (hits.get(url) ?? 0) + 1;
      hits.set(url, count);
      const q = new URLSearchParams(queryAt < 0 ? '' : url.slice(queryAt + 1));
      if (files !== undefined && !isRoute(path) && (await serveFile(files, path, res))) return;
      await dispatch({ req, res, q, path, body, count, signal: ac.signal });
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  let bytesOfClosedSockets = 0;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      bytesOfClosedSockets += socket.bytesWritten;
    });
  });

  const shutdown = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve()); // an error (already closed) is fine too
      for (const ac of active) ac.abort();
      for (const socket of sockets) socket.destroy();
    });

  const port = await listen(server, 0, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    origin: url,
    port,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get bytesSent() {
      let open = 0;
      for (const socket of sockets) open += socket.bytesWritten;
      return bytesOfClosedSockets + open;
    },
    reset() {
      requests.length = 0;
      hits.clear();
      maxInFlight = inFlight;
    },
    close: shutdown,
    async restart() {
      await shutdown();
      await listen(server, port, host);
    },
    down: shutdown,
    async up() {
      await listen(server, port, host);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Routes

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  q: URLSearchParams;
  path: string;
  /** The request body. */
  body: Buffer;
  /** How many requests this exact url has had since start/reset(), this one included. */
  count: number;
  /** Aborted when the response closes (finished, client gone or server closing). */
  signal: AbortSignal;
}
type Handler = (ctx: Ctx) => void | Promise<void>;

const routes: Record<string, Handler> = {
  '/bytes': (ctx) => {
    const { q } = ctx;
    const size = int(q, 'size', 0);
    const seed = q.get('seed') ?? '';
    const etag = q.get('etag');
    return serve(ctx, {
      ...writeOptions(q),
      body: bodyOf(size, seed),
      etag: etag === null ? `"${seed}-${size}"` : `"${etag}"`,
      lastModified: q.get('lastModified') ?? undefined,
      type: q.get('type') ?? undefined,
      ranges: q.get('ranges') !== '0',
      chunked: q.get('chunked') === '1',
      holdEnd: q.get('holdEnd') === '1',
    });
  },
  '/text': ({ res, q }) => sendText(res, 200, q.get('body') ?? ''),
  '/feature-name.txt': ({ res }) => sendText(res, 200, FEATURE),
  '/slow': async ({ res, q, signal }) => {
    if (await sleep(int(q, 'delay', 2000), signal)) send(res, 200, bodyOf(int(q, 'size', 0)));
  },
  '/hang': ({ res }) => {
    res.writeHead(200, { 'Content-Type': OCTET, 'Content-Length': 100 });
    res.write(bodyOf(10)); // ...and never end: close() or the client going away settles it
  },
  '/stall-headers': async ({ res, q, signal }) => {
    if (await sleep(int(q, 'delay', 2000), signal)) sendText(res, 200, FEATURE);
  },
  '/reset': (ctx) => {
    const { q, count } = ctx;
    const size = int(q, 'size', 0);
    const seed = q.get('seed') ?? '';
    const dropping = count <= int(q, 'times', 1);
    return serve(ctx, { ...writeOptions(q), body: bodyOf(size, seed), etag: `"${seed}-${size}"`, ranges: q.get('ranges') !== '0', cutAfter: dropping ? int(q, 'after', size >> 1) : undefined });
  },
  '/short': async ({ req, res, q, signal }) => {
    const size = int(q, 'size', 0);
    res.writeHead(200, { 'Content-Type': OCTET, 'Content-Length': size });
    res.flushHeaders();
    if (await writeChunks(res, bodyOf(size).subarray(0, int(q, 'send', size >> 1)), { signal })) {
      await flushed(req.socket);
      req.socket.end();
    }
  },
  '/bad-range': (ctx) => {
    const size = int(ctx.q, 'size', 0);
    const mode = ctx.q.get('mode');
    return serve(ctx, {
      ...writeOptions(ctx.q),
      body: bodyOf(size),
      etag: `"-${size}"`,
      // The first answer may break off (after=N), so that a resume follows it.
      cutAfter: ctx.q.has('after') && ctx.count === 1 ? int(ctx.q, 'after', 0) : undefined,
      mangle(plan, asked) {
        if (mode === 'unsolicited' && !asked) {
          plan.status = 206;
          plan.headers['Content-Range'] = `bytes 0-${size - 1}/${size}`;
        } else if (asked && mode === 'wrong-start') {
          plan.start += plan.start > 0 ? -1 : 1;
          plan.headers['Content-Range'] = `bytes ${plan.start}-${plan.end}/${size}`;
        } else if (asked && mode === 'overlong') {
          plan.end = size - 1;
          plan.headers['Content-Range'] = `bytes ${plan.start}-${plan.end}/${size}`;
        } else if (asked && mode === 'trailing-junk') plan.extra = Buffer.alloc(13, 0xee);
        else if (asked && mode === 'no-header') delete plan.headers['Content-Range'];
        else if (asked && mode === 'garbage') plan.headers['Content-Range'] = 'nonsense';
      },
    });
  },
  '/changing': (ctx) => {
    const { q, count } = ctx;
    const size = int(q, 'size', 0);
    const etag = q.get('validators') === '0' ? null : `"v${count}"`;
    return serve(ctx, { ...writeOptions(q), body: bodyOf(size, `v${count}`), etag, cutAfter: count === 1 ? int(q, 'after', size >> 1) : undefined });
  },
  '/flaky': ({ res, q, count }) => {
    if (count > int(q, 'times', 1)) return send(res, 200, bodyOf(int(q, 'size', 16)));
    const retryAfter = q.get('retryAfter');
    res.writeHead(int(q, 'status', 503), retryAfter === null ? {} : { 'Retry-After': retryAfter }).end();
  },
  '/script': (ctx) => {
    // steps: one letter per request of this url, in order — c: the body is cut after `after`
    // bytes, 5: a 503, anything else or past the end: the body whole (with Range support).
    const { q, count, res } = ctx;
    const size = int(q, 'size', 0);
    const seed = q.get('seed') ?? '';
    const step = (q.get('steps') ?? '')[count - 1];
    if (step === '5') return void res.writeHead(503, { 'Content-Length': 0 }).end();
    return serve(ctx, { ...writeOptions(q), body: bodyOf(size, seed), etag: `"${seed}-${size}"`, cutAfter: step === 'c' ? int(q, 'after', size >> 1) : undefined });
  },
  '/echo': ({ req, res, body }) => send(res, 200, body, req.headers['content-type'] ?? OCTET),
  '/redirect': ({ res, q }) => void res.writeHead(int(q, 'status', 307), { Location: q.get('to') ?? '/echo', 'Content-Length': 0 }).end(),
  '/vary': ({ res }) => {
    res.setHeader('Vary', 'X-Variant');
    sendText(res, 200, 'vary');
  },
};

function isRoute(path: string): boolean {
  const bare = path.startsWith('/cors/') ? path.slice('/cors'.length) : path;
  return bare in routes || /^\/status\/\d+$/.test(bare);
}

const fileTypes: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json', '.map': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** Serves a file under `root` (the `files` option), for pages and scripts of the browser tests; false when there is none. */
async function serveFile(root: string, path: string, res: ServerResponse): Promise<boolean> {
  const file = resolvePath(root, `.${decodeURIComponent(path)}`);
  if (!file.startsWith(root)) return false;
  const data = await readFile(file).catch(() => undefined);
  if (data === undefined) return false;
  res.writeHead(200, { 'Content-Type': fileTypes[extname(file)] ?? OCTET, 'Content-Length': data.length, 'Cache-Control': 'no-store', 'Service-Worker-Allowed': '/' });
  res.end(data);
  return true;
}

function dispatch(ctx: Ctx): void | Promise<void> {
  const { req, res } = ctx;
  let { path } = ctx;
  if (path.startsWith('/cors/')) {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET,PUT,POST',
        'Access-Control-Allow-Headers': 'content-type,range,if-range',
      });
      return void res.end();
    }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', '*');
    path = path.slice('/cors'.length);
  }
  const status = /^\/status\/([2-5]\d\d)$/.exec(path);
  if (status) return sendText(res, Number(status[1]), ctx.q.get('body') ?? '');
  const handler = routes[path];
  if (!handler) return void res.writeHead(404, { 'Content-Length': 0 }).end();
  return handler({ ...ctx, path });
}

// ---------------------------------------------------------------------------------------------
// Serving bodies

interface WriteOptions {
  /** Bytes per write (default 65536). */
  chunk?: number;
  /** Milliseconds between writes (default 0). */
  delay?: number;
}
interface Served extends WriteOptions {
  body: Buffer;
  /** The ETag; null: none (and no Last-Modified unless given). */
  etag: string | null;
  lastModified?: string;
  type?: string;
  /** Honour Range / advertise Accept-Ranges (default true). */
  ranges?: boolean;
  /** Write this many bytes of the (range's) body, then destroy the socket. */
  cutAfter?: number;
  /** Last-minute changes to the answer, for routes that misbehave on purpose. */
  mangle?: (plan: Plan, rangeAsked: boolean) => void;
  /** Send the body chunked, with no Content-Length. */
  chunked?: boolean;
  /** Write every byte of a 200, then hold the end of the body back until the client goes away. */
  holdEnd?: boolean;
}
interface Plan {
  status: number;
  start: number;
  end: number; // inclusive
  headers: OutgoingHttpHeaders;
  /** Bytes sent after the planned ones, which no header accounts for. */
  extra?: Buffer;
}

/** Answers `o.body` like a static file server: 200, 206 for a single satisfiable range, or 416. */
async function serve({ req, res, signal }: Ctx, o: Served): Promise<void> {
  const size = o.body.length;
  const headers: OutgoingHttpHeaders = { 'Content-Type': o.type ?? OCTET };
  if (o.etag !== null) headers.ETag = o.etag;
  if (o.ranges !== false) headers['Accept-Ranges'] = 'bytes';
  if (o.lastModified) headers['Last-Modified'] = o.lastModified;

  const ifRange = req.headers['if-range'];
  const stale = ifRange !== undefined && ifRange !== o.etag && ifRange !== o.lastModified;
  const range = o.ranges === false || stale ? undefined : parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();

  const plan: Plan = { status: 200, start: 0, end: size - 1, headers };
  if (range) {
    Object.assign(plan, { status: 206, ...range });
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  }
  o.mangle?.(plan, range !== undefined);
  const planned = o.body.subarray(plan.start, plan.end + 1);
  const slice = plan.extra === undefined ? planned : Buffer.concat([planned, plan.extra]);
  res.writeHead(plan.status, o.chunked ? headers : { ...headers, 'Content-Length': slice.length });

  if (o.cutAfter === undefined) {
    if (!(await writeChunks(res, slice, { ...o, signal }))) return;
    if (o.holdEnd && plan.status === 200) await sleep(2 ** 31 - 1, signal);
    else res.end();
    return;
  }
  res.flushHeaders();
  if (await writeChunks(res, slice.subarray(0, o.cutAfter), { ...o, signal })) {
    await flushed(req.socket);
    req.socket.destroy();
  }
}

/** Writes `data` in chunks, waiting `delay` ms between them. False when the response went away. */
async function writeChunks(res: ServerResponse, data: Buffer, { chunk = 65536, delay = 0, signal }: WriteOptions & { signal: AbortSignal }): Promise<boolean> {
  const step = chunk > 0 ? chunk : data.length;
  for (let at = 0; at < data.length; at += step) {
    if (at > 0 && delay > 0 && !(await sleep(delay, signal))) return false;
    if (signal.aborted || !(await written(res, data.subarray(at, at + step), signal))) return false;
  }
  return !signal.aborted;
}

/** `res.write` that resolves once the chunk reached the socket (natural backpressure). */
function written(res: ServerResponse, chunk: Buffer, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, (error) => {
      signal.removeEventListener('abort', onAbort);
      resolve(!error);
    });
  });
}

/** Resolves when everything queued on the socket so far has been handed to the OS. */
function flushed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
}

/** Waits `ms`; resolves false (and clears the timer) as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function send(res: ServerResponse, status: number, body: Buffer | string, type = OCTET): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, text, TEXT);
}

// ---------------------------------------------------------------------------------------------
// Small parsers

/** `bytes=a-`, `bytes=a-b` or the suffix `bytes=-n`; anything else (multiple ranges, junk) is ignored. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const suffix = /^bytes=-(\d+)$/.exec(header?.trim() ?? '');
  if (suffix) return Number(suffix[1]) === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - Number(suffix[1])), end: size - 1 };
  const match = /^bytes=(\d+)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  return end < start ? undefined : { start, end };
}

function int(q: URLSearchParams, name: string, fallback: number): number {
  const value = Number.parseInt(q.get(name) ?? '', 10);
  return Number.isNaN(value) ? fallback : value;
}

function writeOptions(q: URLSearchParams): WriteOptions {
  return { chunk: int(q, 'chunk', 65536), delay: int(q, 'delay', 0) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
