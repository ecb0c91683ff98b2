// Background Fetch for the episode rows: starts fetches, follows their progress (also fetches
// that were running before a reload), aborts them, and plays or saves what the worker filed.
import { isStored, removeStored, storedBlob, storedSoon } from './library.js';
import { SpeedMeter } from './speedMeter.js';

const icons = [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }];
const failures = {
  aborted: 'Download aborted',
  'bad-status': 'The server refused the episode',
  'fetch-error': 'The network failed; try again',
  'quota-exceeded': 'Not enough storage space',
  'download-total-exceeded': 'The episode was larger than announced',
};

export function createDownloads(backgroundFetch) {
  const following = new Map(); // episode id -> registration

  /** Mirrors `registration` into `view` until it ends; then waits for the worker's copy. */
  function follow(registration, episode, view) {
    following.set(episode.id, registration);
    const meter = new SpeedMeter();
    const render = () => {
      meter.sample(registration.downloaded);
      view.downloading({ downloaded: registration.downloaded, total: registration.downloadTotal || episode.size, bytesPerSecond: meter.bytesPerSecond() });
    };
    // Speed and time left also need updating while no bytes arrive (a stall shows as slowing).
    const ticker = setInterval(render, 1000);
    const settle = async () => {
      clearInterval(ticker);
      registration.removeEventListener('progress', onProgress);
      following.delete(episode.id);
      if (registration.result === 'success') {
        view.storing();
        await storedSoon(episode.url).then(() => view.ready(), (error) => view.idle(error.message));
      } else {
        view.idle(failures[registration.failureReason] ?? `Download failed (${registration.failureReason})`);
      }
    };
    const onProgress = () => (registration.result === '' ? render() : settle());
    registration.addEventListener('progress', onProgress);
    if (registration.result === '') render();
    else void settle();
  }

  return {
    /** Shows where `episode` stands on page load: still downloading (reattach), stored, or not. */
    async restore(episode, view, activeIds) {
      const registration = activeIds.includes(episode.id) ? await backgroundFetch.get(episode.id) : undefined;
      if (registration !== undefined) follow(registration, episode, view);
      else if (await isStored(episode.url)) view.ready();
      else view.idle();
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
        follow(registration, episode, view);
      } catch (error) {
        view.idle(`Could not start: ${error.message}`);
      } finally {
        view.busy('download', false);
      }
    },

    async abort(episode) {
      await following.get(episode.id)?.abort();
    },

    async play(episode, view) {
      const blob = await storedBlob(episode.url);
      if (blob === undefined) return view.idle('The offline copy is gone');
      if (view.audio.src) URL.revokeObjectURL(view.audio.src);
      view.audio.src = URL.createObjectURL(blob);
      view.audio.hidden = false;
      await view.audio.play().catch(() => undefined); // autoplay rules may still say no
    },

    async save(episode) {
      const blob = await storedBlob(episode.url);
      if (blob === undefined) return;
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
