import { createReadStream, promises as fsp } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * An extra request handler, consulted before the files: return true when it answered the request.
 * @example
 *   const routes: RouteHandler = (req, res) => req.url === '/ping' && (res.end('pong'), true);
 *   const server = await startStaticServer({ root: fixtures, routes });
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * A running static server; `url` is `http://localhost:PORT` (no trailing slash, a secure context).
 * @example
 *   const server = await startStaticServer({ root: fixtures });
 *   const page = await browser.open(`${server.url}/index.html`); await server.close();
 */
export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the files under `root` on 127.0.0.1 (random port) for GET and HEAD with `Cache-Control: no-store`;
 * `.js`/`.mjs` also get `Service-Worker-Allowed: /`; a path ending in `/` serves its `index.html`; files with
 * other extensions go out as `application/octet-stream`; anything missing or outside `root` is a 404.
 * @example
 *   const server = await startStaticServer({ root: path.join(__dirname, 'fixtures') });
 *   await fetch(`${server.url}/page.html`); await server.close();
 */
export async function startStaticServer(options: { root: string; routes?: RouteHandler }): Promise<StaticServer> {
  const root = path.resolve(options.root);
  const server = createServer((req, res) => {
    if (options.routes?.(req, res)) return;
    serveFile(root, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const notFound = () => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('Not found');
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' });
    res.end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return notFound();
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = path.join(root, pathname);
  if (!file.startsWith(root + path.sep)) return notFound();
  const stat = await fsp.stat(file).catch(() => undefined);
  if (!stat?.isFile()) return notFound();
  const ext = path.extname(file).toLowerCase();
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-store',
  };
  if (ext === '.js' || ext === '.mjs') headers['Service-Worker-Allowed'] = '/';
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
