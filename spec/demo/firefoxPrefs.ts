import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserSession } from '../browser/harness/engines';

/**
 * Restarts a Firefox session with `prefs` set in its profile, as about:config would set them.
 * The harness's launcher rewrites the profile's user.js on every start but reads prefs.js as it
 * is, so the prefs go there; the browser is killed first so that it cannot rewrite prefs.js as it exits.
 * @example
 *   const browser = await launch('firefox');
 *   await restartWithPrefs(browser, { 'permissions.default.desktop-notification': 1 });
 */
export async function restartWithPrefs(browser: BrowserSession, prefs: Record<string, string | number | boolean>): Promise<void> {
  await browser.kill();
  const lines = Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`);
  await appendFile(path.join(browser.profileDir, 'prefs.js'), `\n${lines.join('\n')}\n`);
  await browser.restart();
}
