/*
 * Waits bounded by progress, not by a guess of how fast the machine is: a wait goes on while what
 * it watches keeps changing (bytes sent, events arriving, a page's state), and fails only after
 * `stallMs` with no change at all, or at the generous `capMs`.
 */

/**
 * Limits of a progress-bounded wait.
 * - `stallMs` (default 60 000): fail after this long with no change in any progress reading.
 * - `capMs` (default 300 000): fail after this long in any case.
 * @example
 *   const limits: WaitLimits = { stallMs: 20_000 };
 *   await waitWhileProgressing('the upload', async () => ({ done: sent >= size, progress: sent }), limits);
 */
export interface WaitLimits {
  stallMs?: number;
  capMs?: number;
}

/**
 * Default `stallMs`: a minute with nothing moving.
 * @example
 *   const options = { stallMs: STALL_MS * 2 };
 *   await waitWhileProgressing('a slow step', poll, options);
 */
export const STALL_MS = 60_000;

/**
 * Default `capMs`: five minutes in all.
 * @example
 *   const jestTimeout = CAP_MS + 60_000;
 *   test('long', async () => { await waitWhileProgressing('it', poll); }, jestTimeout);
 */
export const CAP_MS = 300_000;

/**
 * What one poll saw: whether the wait is over, and readings whose change counts as progress.
 * @example
 *   const poll = async (): Promise<Poll> => ({ done: events.length >= 3, progress: events.length });
 *   await waitWhileProgressing('three events', poll);
 */
export interface Poll {
  done: boolean;
  progress: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `poll` every `everyMs` until it says `done`. A poll that throws counts as not done and
 * no progress; its error is reported if the wait fails. Rejects with `what`, how long it waited
 * and the last readings.
 * @example
 *   await waitWhileProgressing('the server sent every byte', async () => ({ done: server.inFlight === 0, progress: server.bytesSent }));
 *   await waitWhileProgressing('the page is ready', () => page.evaluate('({ done: window.ready, progress: window.step })'));
 */
export async function waitWhileProgressing(what: string, poll: () => Promise<Poll>, limits: WaitLimits = {}, everyMs = 50): Promise<void> {
  const { stallMs = STALL_MS, capMs = CAP_MS } = limits;
  const started = Date.now();
  let changedAt = started;
  let last: string | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const { done, progress } = await poll();
      if (done) return;
      const reading = JSON.stringify(progress) ?? 'undefined';
      if (reading !== last) {
        last = reading;
        changedAt = Date.now();
      }
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const now = Date.now();
    if (now - changedAt >= stallMs || now - started >= capMs) {
      const why = now - started >= capMs ? `still not done after the cap of ${capMs} ms` : `no progress for ${now - changedAt} ms (waited ${now - started} ms in all)`;
      const error = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`${what}: ${why}; last progress reading: ${last ?? 'none'}${error}`);
    }
    await sleep(everyMs);
  }
}
