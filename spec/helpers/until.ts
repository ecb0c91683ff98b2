/**
 * Polls `check` every few ms until it holds; fails with `what` after `limit` ms. For what a test
 * sees a moment late, as the server seeing a socket close a tick after the client.
 *
 * @example
 * await until(() => server.inFlight === 0, 'the request to leave the server');
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, limit = 10_000): Promise<void> {
  const end = Date.now() + limit;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
