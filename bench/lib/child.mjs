// One measurement in a fresh Node process: the bench's scripts take a JSON job as argv[2] and
// send back one message with their figures before they exit.
import { fork } from 'node:child_process';

/**
 * Runs `file` with `job` (as JSON, argv[2]) in a fresh Node process and resolves with the one
 * message it sends back; rejects when it exits without one, or is killed after `timeoutMs`.
 *
 * @example
 * const result = await runChild(path.join(here, 'workload.mjs'), { mode: 'baseline', n: 100, size, port });
 * result.wallMs; // the script's figure
 */
export function runChild(file, job, { env = process.env, execArgv = [], stdio, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const proc = fork(file, [JSON.stringify(job)], { env, execArgv, ...(stdio === undefined ? {} : { stdio }) });
    let answer;
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('message', (message) => (answer = message));
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer !== undefined) resolve(answer);
      else reject(new Error(`${file} ${JSON.stringify(job)} ended with ${signal ?? code} and no result`));
    });
  });
}
