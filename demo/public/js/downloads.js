// Background Fetch for the episode rows: starts downloads, shows every running one (started
// here, in another tab or before a reload), aborts them, and plays or saves what the worker filed.
import { follow } from './follow.js';
import { isStored, removeStored, storedBlob } from './library.js';
import { goneMessage, startFailureMessage, tellDevelopers } from './messages.js';

const icons = [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }];
// How long a Download click that collided with someone else's start looks for that download.
const joinTries = 8;
const joinPauseMs = 250;

export function createDownloads(backgroundFetch) {
  const rows = new Map(); // episode id -> { episode, view }
  const following = new Map(); // episode id -> registration
  const attaching = new Set(); // episode ids whose get() is under way

  function track(registration, episode, view) {
    following.set(episode.id, registration);
    follow(registration, episode, view, () => following.delete(episode.id));
  }

  /** Follows the running download of episode `id` in its row, unless the row follows it already. */
  async function attach(id) {
    const row = rows.get(id);
    if (row === undefined || following.has(id) || attaching.has(id)) return;
    attaching.add(id);
    try {
      const registration = await backgroundFetch.get(id);
      if (registration !== undefined && !following.has(id)) track(registration, row.episode, row.view);
    } catch (error) {
      tellDevelopers(`backgroundFetch.get("${id}") failed`, error);
    } finally {
      attaching.delete(id);
    }
  }

  /**
   * After a `fetch()` that failed with `error`: follows the download of `id` that another tab or
   * the worker started. A TypeError most often means just that, perhaps a moment ago, so that the
   * download is still registering and not yet visible: look a few times. Resolves true if found.
   */
  async function join(id, error) {
    const tries = error?.name === 'TypeError' ? joinTries : 1;
    for (let i = 0; i < tries && !following.has(id); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, joinPauseMs));
      await attach(id);
    }
    return following.has(id);
  }

  return {
    /** Adds the row of `episode`: ready when its offline copy exists, else idle, unless a running download shows in it. */
    async add(episode, view) {
      rows.set(episode.id, { episode, view });
      const stored = await isStored(episode.url);
      if (following.has(episode.id)) return;
      if (stored) view.ready();
      else view.idle();
    },

    /** Shows the running downloads among `ids` (active background fetch ids) in their rows. */
    show(ids) {
      return Promise.all(ids.map(attach));
    },

    async start(episode, view) {
      view.busy('download', true);
      try {
        const registration = await backgroundFetch.fetch(episode.id, [episode.url], {
          title: episode.title,
          icons,
          // The size we expect lets the browser check quota up front and draw a real percentage.
          downloadTotal: episode.size,
        });
        if (!following.has(episode.id)) track(registration, episode, view);
      } catch (error) {
        if (!(await join(episode.id, error))) {
          tellDevelopers(`backgroundFetch.fetch("${episode.id}") failed`, error);
          view.idle(startFailureMessage(error));
        }
      } finally {
        view.busy('download', false);
      }
    },

    async abort(episode) {
      await following.get(episode.id)?.abort();
    },

    async play(episode, view) {
      const blob = await storedBlob(episode.url);
      if (blob === undefined) return view.idle(goneMessage);
      if (view.audio.src) URL.revokeObjectURL(view.audio.src);
      view.audio.src = URL.createObjectURL(blob);
      view.audio.hidden = false;
      await view.audio.play().catch(() => undefined); // autoplay rules may still say no
    },

    async save(episode, view) {
      const blob = await storedBlob(episode.url);
      if (blob === undefined) return view.idle(goneMessage);
      const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: `${episode.title}.wav` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    },

    async remove(episode, view) {
      view.audio.pause();
      await removeStored(episode.url);
      view.idle();
    },
  };
}
