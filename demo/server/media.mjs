// Serves one generated episode the way a media CDN would: Range (206 + Content-Range), strong
// ETag with If-Range, 416 for ranges past the end, and a per-connection throttle so that
// progress is visible on a loopback connection.
import { setTimeout as sleep } from 'node:timers/promises';
import { wavSlice } from './wav.mjs';

// Episodes never change, so one fixed date is their Last-Modified.
const lastModified = new Date(Date.UTC(2024, 0, 1)).toUTCString();
const chunkSize = 64 * 1024;

export function etagOf(episode) {
  return `"${episode.id}-${episode.size}-${episode.hz}"`;
}

/**
 * The byte range to send, or null for the whole file, or 'unsatisfiable'. Only single ranges
 * are honoured; a multi-range request gets the whole file, which RFC 9110 allows.
 */
export function requestedRange(header, size) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (match === null || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || last < start) return 'unsatisfiable';
  return { start, end: last + 1 };
}

/** If-Range names the current version (strong ETag or the date), else the range is ignored. */
function rangeStillValid(req, episode) {
  const ifRange = req.headers['if-range'];
  return ifRange === undefined || ifRange === etagOf(episode) || ifRange === lastModified;
}

export async function serveEpisode(req, res, episode, { bytesPerSecond, log }) {
  const { size } = episode;
  const headers = {
    'Content-Type': 'audio/wav',
    'Accept-Ranges': 'bytes',
    ETag: etagOf(episode),
    'Last-Modified': lastModified,
    // Large media: keep it out of the HTTP cache; Cache Storage holds the offline copy.
    'Cache-Control': 'no-store',
  };
  const range = rangeStillValid(req, episode) ? requestedRange(req.headers.range, size) : null;
  if (log) console.log(`${req.method} ${req.url} range=${req.headers.range ?? '-'} if-range=${req.headers['if-range'] ?? '-'}`);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size };
  if (range === null) res.writeHead(200, { ...headers, 'Content-Length': size });
  else res.writeHead(206, { ...headers, 'Content-Length': end - start, 'Content-Range': `bytes ${start}-${end - 1}/${size}` });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await sendThrottled(res, (from, to) => wavSlice(size, episode.hz, from, to), start, end, bytesPerSecond);
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

/** Writes [start, end) in chunks at `bytesPerSecond` (0: as fast as the socket takes them); stops when the client goes. */
async function sendThrottled(res, slice, start, end, bytesPerSecond) {
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const began = Date.now();
  try {
    for (let at = start; at < end && !gone.signal.aborted; ) {
      const next = Math.min(end, at + chunkSize);
      if (!res.write(slice(at, next))) await drained(res);
      at = next;
      const due = bytesPerSecond > 0 ? began + ((at - start) / bytesPerSecond) * 1000 : 0;
      if (due > Date.now()) await sleep(due - Date.now(), undefined, { signal: gone.signal });
    }
    res.end();
  } catch (error) {
    if (!gone.signal.aborted) throw error;
  }
}
