import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * A temporary project with the packed package installed, as a user's project would have it.
 *
 * @example
 * const consumer: PackedConsumer = packAndInstall(path.join(__dirname, 'consumer'));
 * afterAll(() => consumer.remove());
 */
export interface PackedConsumer {
  /** The project folder: its node_modules holds the package and its dependencies. */
  readonly dir: string;
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
  /** Where the package was unpacked: `<dir>/node_modules/rx-background-fetch`. */
  readonly packageDir: string;
  /** Deletes the project and the tarball. */
  remove(): void;
}

/**
 * Packs this package (`npm pack`: the files a publish would upload; build first) and installs the
 * tarball in a new temporary project without the network: it is unpacked into the project's
 * node_modules, and the packages it needs (`dependencies` and `peerDependencies`) plus `extra`
 * are links to this repo's node_modules. The files in `fixtures` are copied into the project.
 *
 * @example
 * const consumer = packAndInstall(path.join(__dirname, 'consumer'), ['@types/node']);
 * try { check(consumer.dir); } finally { consumer.remove(); }
 */
export function packAndInstall(fixtures: string, extra: string[] = []): PackedConsumer {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rxbf-package-'));
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
  const tarball = path.join(work, filename);
  const dir = path.join(work, 'project');
  const packageDir = path.join(dir, 'node_modules', 'rx-background-fetch');
  mkdirSync(packageDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const name of [...Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }), ...extra]) {
    const link = path.join(dir, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(root, 'node_modules', name), link, 'dir');
  }
  cpSync(fixtures, dir, { recursive: true });
  return { dir, tarball, packageDir, remove: () => rmSync(work, { recursive: true, force: true }) };
}
