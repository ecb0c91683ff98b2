// The survival bench's server, in the bench's own process (it only paces bytes, so it costs
// next to nothing): one long WAV per engine, served with Range, ETag and If-Range at a rate that
// can change while a response is being sent, a log of every write and request, and an upload
// route where the service worker hands back the finished file so the server can check it.
//   /media/<name>.wav      the file (GET: 200, or 206 for a Range it can honour)
//   POST /verify/<name>    the downloaded copy; compared with the file by length and SHA-256
//   /dist/*                build/bench/dist (the build under test)
//   /bench/survival/*      the page and the worker
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { etagOf, requestedRange } from '../demo/server/media.mjs';
import { wavSlice } from '../demo/server/wav.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const staticDirs = { '/dist/': path.join(root, 'build', 'bench', 'dist'), '/bench/survival/': path.join(root, 'bench', 'survival') };
const types = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };
const chunkSize = 64 * 1024;
const hz = 440;

/**
 * What the server saw of one file: `requests` ({ at, range, status, start, closedAt }),
 * `writes` ({ at, bytes, end }: a chunk handed to the socket, `end` its offset past its last byte), `verified` once the copy came back.
 */
function newLog() {
  return { requests: [], writes: [], verified: undefined };
}

/** SHA-256 (hex) of the whole `size`-byte file, computed slice by slice. */
function digestOf(size) {
  const hash = createHash('sha256');
  for (let at = 0; at < size; at += 16 * chunkSize) hash.update(wavSlice(size, hz, at, Math.min(size, at + 16 * chunkSize)));
  return hash.digest('hex');
}

/** Resolves when the socket takes more, or is gone; leaves no listener behind. */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/**
 * Listens on 127.0.0.1 (any free port). `size` bytes per file; `bytesPerSecond` per connection
 * (`setRate()` changes it for responses in flight too; 0 = as fast as the socket takes them).
 * Resolves with `{ url, mediaURL(name), log(name), setRate(bytesPerSecond), close() }`.
 */
export async function startSurvivalServer({ size, bytesPerSecond }) {
  const episode = { id: 'survival', size, hz };
  const expected = digestOf(size);
  const logs = new Map();
  const logOf = (name) => logs.get(name) ?? logs.set(name, newLog()).get(name);
  let rate = bytesPerSecond;

  async function serveMedia(req, res, name) {
    const log = logOf(name);
    const valid = req.headers['if-range'] === undefined || req.headers['if-range'] === etagOf(episode);
    const range = valid ? requestedRange(req.headers.range, size) : null;
    const headers = { 'Content-Type': 'audio/wav', 'Accept-Ranges': 'bytes', ETag: etagOf(episode), 'Cache-Control': 'no-store' };
    if (range === 'unsatisfiable') {
      log.requests.push({ at: Date.now(), range: req.headers.range ?? null, status: 416, start: size, closedAt: Date.now() });
      return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
    }
    const { start, end } = range ?? { start: 0, end: size };
    const entry = { at: Date.now(), range: req.headers.range ?? null, status: range === null ? 200 : 206, start, closedAt: undefined };
    log.requests.push(entry);
    res.on('close', () => (entry.closedAt = Date.now()));
    if (range === null) res.writeHead(200, { ...headers, 'Content-Length': size });
    else res.writeHead(206, { ...headers, 'Content-Length': end - start, 'Content-Range': `bytes ${start}-${end - 1}/${size}` });
    for (let at = start; at < end && !res.destroyed; ) {
      const next = Math.min(end, at + chunkSize);
      const bytes = next - at;
      const flushed = res.write(wavSlice(size, hz, at, next), () => log.writes.push({ at: Date.now(), bytes, end: next }));
      if (!flushed) await drained(res);
      at = next;
      if (rate > 0) await sleep((bytes / rate) * 1000);
    }
    res.end();
  }

  async function verify(req, res, name) {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    const sha256 = hash.digest('hex');
    logOf(name).verified = { at: Date.now(), bytes, sha256, equal: bytes === size && sha256 === expected };
    res.writeHead(204).end();
  }

  async function serveStatic(res, pathname) {
    for (const [prefix, dir] of Object.entries(staticDirs)) {
      if (!pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep)) return false;
      const data = await readFile(file).catch(() => undefined);
      if (data === undefined) return false;
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' }).end(data);
      return true;
    }
    return false;
  }

  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const media = /^\/media\/([\w-]+)\.wav$/.exec(pathname);
      const upload = /^\/verify\/([\w-]+)$/.exec(pathname);
      if (media && req.method === 'GET') return await serveMedia(req, res, media[1]);
      if (upload && req.method === 'POST') return await verify(req, res, upload[1]);
      if (req.method === 'GET' && (await serveStatic(res, pathname))) return;
      res.writeHead(404).end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    // localhost, not 127.0.0.1, in URLs: a secure context in every engine, which service workers need.
    url: `http://localhost:${port}`,
    mediaURL: (name) => `/media/${name}.wav`,
    log: logOf,
    setRate: (bytesPerSecond) => (rate = bytesPerSecond),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
