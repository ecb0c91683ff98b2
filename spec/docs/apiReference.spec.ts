import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The API reference (`npm run docs`, issue 14): typedoc builds it from the three entry points
 * (modules rx-background-fetch, rx-background-fetch/operators, rx-background-fetch/polyfill)
 * with the README as its front page, and typedoc.json makes any warning an error: an export or
 * member without documentation, a broken `{@link}`, a type used but not exported.
 */
const root = path.resolve(__dirname, '../..');

test('typedoc reports no warning: every export is documented and every link resolves', () => {
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
}, 60_000);
