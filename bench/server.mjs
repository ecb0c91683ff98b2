// The bench's loopback server, run in its own process (child_process.fork) so that serving costs
// no CPU time in the measured process. Bodies come from memory; nothing is read from disk but the
// browser fixtures and the bench build.
//   /b/<size>/<name>                    <size> bytes (one shared buffer per size)
//   /slow/<size>/<name>?chunk=&delay=   the same, written `chunk` bytes every `delay` ms
//   /dist/*                             build/bench/dist (the build under test)
//   /bench/browser/*                    the browser fixtures
// It tells its parent { port } over IPC once it listens, and exits when the parent goes away.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const staticDirs = { '/dist/': path.join(root, 'build', 'bench', 'dist'), '/bench/browser/': path.join(root, 'bench', 'browser') };
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.map': 'application/json', '.json': 'application/json' };
const bodies = new Map();

function bodyOf(size) {
  let body = bodies.get(size);
  if (body === undefined) {
    body = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) body[i] = (i * 31 + 7) & 0xff;
    bodies.set(size, body);
  }
  return body;
}

const headersFor = (size) => ({
  'Content-Type': 'application/octet-stream',
  'Content-Length': size,
  'Cache-Control': 'no-store',
  'Access-Control-Allow-Origin': '*',
});

async function paced(res, body, chunk, delay) {
  for (let at = 0; at < body.length; at += chunk) {
    if (at > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    const ok = res.write(body.subarray(at, at + chunk));
    if (!ok) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const parts = url.pathname.split('/');
  if (parts[1] === 'b' || parts[1] === 'slow') {
    const size = Number(parts[2]);
    if (!Number.isInteger(size) || size < 0 || size > 512 * 1024 * 1024) return void res.writeHead(400).end();
    const body = bodyOf(size);
    res.writeHead(200, headersFor(size));
    if (parts[1] === 'b') return void res.end(body);
    return void paced(res, body, Number(url.searchParams.get('chunk') ?? 65536), Number(url.searchParams.get('delay') ?? 10));
  }
  for (const [prefix, dir] of Object.entries(staticDirs)) {
    if (!url.pathname.startsWith(prefix)) continue;
    const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(dir)) break;
    const data = await readFile(file).catch(() => undefined);
    if (data === undefined) break;
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': data.length, 'Cache-Control': 'no-store', 'Service-Worker-Allowed': '/' });
    return void res.end(data);
  }
  res.writeHead(404, { 'Content-Length': 0 }).end();
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
// Warm the shared bodies before saying ready, so no run pays for making them.
for (const size of (process.env.BENCH_SIZES ?? '').split(',').filter(Boolean)) bodyOf(Number(size));
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
