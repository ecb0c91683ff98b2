// The demo's HTTP server: routes to the episode list, the generated media, dist/ and the page.
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue } from './catalogue.mjs';
import { serveFile } from './files.mjs';
import { serveEpisode } from './media.mjs';

const demo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const publicDir = path.join(demo, 'public');
const distDir = path.join(demo, '..', 'dist');

/** Starts listening; resolves with `{ url, episodes, close() }`. */
export async function startDemoServer(config) {
  const episodes = catalogue(config.sizes);
  const byPath = new Map(episodes.map((episode) => [episode.url, episode]));

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const route = decodeURIComponent(pathname);
      if (route === '/api/episodes') {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(JSON.stringify(episodes.map(({ hz: _hz, ...episode }) => episode)));
        return;
      }
      const episode = byPath.get(route);
      if (episode !== undefined) return await serveEpisode(req, res, episode, config);
      const served = route.startsWith('/dist/')
        ? await serveFile(req, res, distDir, route.slice('/dist/'.length))
        : await serveFile(req, res, publicDir, route.slice(1) || '/');
      if (!served) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${route}\n`);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(String(error));
      else res.destroy();
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address();
  return {
    // localhost, not 127.0.0.1: browsers treat it as a secure context, which service workers need.
    url: `http://localhost:${port}`,
    episodes,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
