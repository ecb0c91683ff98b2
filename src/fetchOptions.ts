import { shown } from './errors';
import type { BackgroundFetchUIOptions } from './events';
import type { ImageResource } from './store/types';

/** The options of `fetch()`. */
export interface BackgroundFetchOptions {
  /** Bytes the whole fetch may download; more fails it with `"download-total-exceeded"`. 0 (default) is no limit. */
  downloadTotal?: number;
  /** A title for the fetch's UI (notifications). */
  title?: string;
  /** Icons for the fetch's UI. */
  icons?: ImageResource[];
}

/** The longest id `fetch()` accepts, in characters. */
export const maxIdLength = 1024;

/**
 * Checks `fetch()`'s id: a non-empty string of at most {@link maxIdLength} characters.
 *
 * @example
 * checkId('album-42'); // fine
 * checkId('');         // throws TypeError
 */
export function checkId(id: unknown, method = 'fetch'): asserts id is string {
  if (typeof id !== 'string') throw new TypeError(`${method}() needs an id string, got ${id === null ? 'null' : typeof id}.`);
  if (id === '') throw new TypeError(`${method}() needs a non-empty id.`);
  if (id.length > maxIdLength) throw new TypeError(`${method}() ids are at most ${maxIdLength} characters, got ${id.length}.`);
}

/**
 * Checks the UI options of `fetch()` or `updateUI()` (`method` names it in the error): `title` a
 * string and `icons` an array of image resources where given, or a `TypeError` naming the bad field.
 *
 * @example
 * checkUIOptions({ title: 'Album' }, 'updateUI()'); // fine
 * checkUIOptions({ icons: 'a.png' }, 'updateUI()'); // throws TypeError
 */
export function checkUIOptions(options: unknown, method: string): asserts options is BackgroundFetchUIOptions | undefined | null {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new TypeError(`${method} options must be an object, got ${typeof options}.`);
  const { title, icons } = options as BackgroundFetchUIOptions;
  if (title !== undefined && typeof title !== 'string') throw new TypeError(`title must be a string, got ${title === null ? 'null' : typeof title}.`);
  if (icons === undefined) return;
  if (!Array.isArray(icons)) throw new TypeError(`icons must be an array of { src: string, sizes?, type?, label? } objects, got ${shown(icons)}.`);
  const bad = icons.findIndex((icon) => typeof icon !== 'object' || icon === null || typeof icon.src !== 'string');
  if (bad >= 0) throw new TypeError(`icons[${bad}] must be an object with a src string.`);
}

/**
 * `fetch()`'s options with defaults filled in, or a `TypeError` naming the bad field.
 *
 * @example
 * normalizeFetchOptions({ downloadTotal: 1e6 }); // { downloadTotal: 1000000, title: '', icons: [] }
 */
export function normalizeFetchOptions(options: unknown): Required<BackgroundFetchOptions> {
  checkUIOptions(options, 'fetch()');
  const { downloadTotal = 0, title = '', icons = [] }: BackgroundFetchOptions = options ?? {};
  if (typeof downloadTotal !== 'number' || !Number.isSafeInteger(downloadTotal) || downloadTotal < 0) {
    throw new TypeError(`downloadTotal must be a whole number of bytes ≥ 0 (0 for no limit), got ${shown(downloadTotal)}.`);
  }
  return { downloadTotal, title, icons: icons.map((icon) => ({ ...icon })) };
}
