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
 * `fetch()`'s options with defaults filled in, or a `TypeError` naming the bad field.
 *
 * @example
 * normalizeFetchOptions({ downloadTotal: 1e6 }); // { downloadTotal: 1000000, title: '', icons: [] }
 */
export function normalizeFetchOptions(options: unknown): Required<BackgroundFetchOptions> {
  if (options === undefined || options === null) return { downloadTotal: 0, title: '', icons: [] };
  if (typeof options !== 'object') throw new TypeError(`fetch() options must be an object, got ${typeof options}.`);
  const { downloadTotal = 0, title = '', icons = [] } = options as BackgroundFetchOptions;
  if (typeof downloadTotal !== 'number' || !Number.isSafeInteger(downloadTotal) || downloadTotal < 0) {
    throw new TypeError(`downloadTotal must be a whole number of bytes ≥ 0 (0 for no limit), got ${String(downloadTotal)}.`);
  }
  if (typeof title !== 'string') throw new TypeError(`title must be a string, got ${typeof title}.`);
  if (!Array.isArray(icons) || !icons.every((icon) => typeof icon === 'object' && icon !== null && typeof icon.src === 'string')) {
    throw new TypeError('icons must be an array of { src: string, sizes?, type?, label? } objects.');
  }
  return { downloadTotal, title, icons: icons.map((icon) => ({ ...icon })) };
}
