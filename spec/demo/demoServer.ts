import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * `node demo/server.mjs` as a child process, the way `npm start` runs it (without the build).
 * @example
 *   const demo = await startDemoServer({ DEMO_RATE: '1', DEMO_SIZES: '1,2' });
 *   await fetch(`${demo.url}/api/episodes`); await demo.stop();
 */
export interface DemoServer {
  /** `http://localhost:PORT`, no trailing slash, read from the line the server prints. */
  url: string;
  /** Every line the server wrote to stdout and stderr so far. */
  output: string[];
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '../..');

/** Starts the demo server on a free port with `env` added to the environment; rejects if it prints no URL within 10 s. */
export async function startDemoServer(env: Record<string, string> = {}): Promise<DemoServer> {
  const child = spawn(process.execPath, [path.join(root, 'demo/server.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo server printed no URL in 10 s:\n${output.join('\n')}`)), 10_000);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const found = /http:\/\/localhost:\d+/.exec(line);
        if (found) {
          clearTimeout(timer);
          resolve(found[0]);
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo server exited with ${code}:\n${output.join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await stop(child, exited);
    throw error;
  });
  return { url, output, stop: () => stop(child, exited) };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
