// Follows one running download in its row until it ends, then shows the offline copy or why
// there is none.
import { storedSoon } from './library.js';
import { failureMessage, notStoredMessage, tellDevelopers } from './messages.js';
import { SpeedMeter } from './speedMeter.js';
import { watchWaiting } from './waiting.js';

/**
 * Shows `registration` in `view`: bytes, percent, speed and time left, or "Waiting for the
 * network…" while the download waits for it. Once it ends, waits for the worker's offline copy
 * (success) or says why it failed; `onEnd()` is called as it ends.
 */
export function follow(registration, episode, view, onEnd) {
  const meter = new SpeedMeter();
  let waiting = false;
  const render = () => {
    meter.sample(registration.downloaded);
    const total = registration.downloadTotal || episode.size;
    view.downloading({ downloaded: registration.downloaded, total, bytesPerSecond: waiting ? 0 : meter.bytesPerSecond(), waiting });
  };
  const stopWatching = watchWaiting(registration, (now) => {
    if (now === waiting) return;
    waiting = now;
    // Speed and time left measured across the pause would mislead: measure afresh.
    meter.reset();
    render();
  });
  // Speed and time left also need updating while no bytes arrive (a stall shows as slowing).
  const ticker = setInterval(render, 1000);
  const settle = async () => {
    clearInterval(ticker);
    stopWatching();
    registration.removeEventListener('progress', onProgress);
    onEnd();
    if (registration.result !== 'success') return view.idle(failureMessage(registration.failureReason));
    view.storing();
    try {
      await storedSoon(episode.url);
      view.ready();
    } catch (error) {
      tellDevelopers(`${episode.url} was downloaded but not filed in Cache Storage`, error);
      view.idle(notStoredMessage);
    }
  };
  const onProgress = () => (registration.result === '' ? render() : settle());
  registration.addEventListener('progress', onProgress);
  if (registration.result === '') render();
  else void settle();
}
