// One row of the episode list: renders a state, knows nothing about Background Fetch.
import { formatBytes, formatClock, formatTimeLeft } from './format.js';

/**
 * States: idle (offer Download), downloading (`waiting` while the download waits for the
 * network), storing (the worker files the copy), ready (Play, Save, Delete). `message` explains
 * an idle row after an abort or a failure.
 */
export function createEpisodeView(episode, actions) {
  const row = document.querySelector('#episode-row').content.firstElementChild.cloneNode(true);
  const part = (selector) => row.querySelector(selector);
  row.dataset.id = episode.id;
  part('.title').textContent = episode.title;
  part('.meta').textContent = `${formatBytes(episode.size)} · ${formatClock(episode.seconds)}`;
  const bar = part('progress');
  const status = part('.status');
  for (const button of row.querySelectorAll('button[data-action]')) {
    button.addEventListener('click', () => actions[button.dataset.action]?.(view));
  }

  const view = {
    element: row,
    audio: part('audio'),
    idle(message = '') {
      row.dataset.state = 'idle';
      if (message) row.dataset.note = '';
      else delete row.dataset.note;
      status.textContent = message;
      bar.value = 0;
      view.audio.hidden = true;
    },
    downloading({ downloaded, total, bytesPerSecond, waiting }) {
      row.dataset.state = 'downloading';
      if (waiting) row.dataset.waiting = '';
      else delete row.dataset.waiting;
      bar.max = total;
      bar.value = Math.min(downloaded, total);
      const percent = total > 0 ? Math.floor((100 * downloaded) / total) : 0;
      // No figure rather than a wrong one: none while waiting, none until it has been measured.
      const speed = waiting ? 'Waiting for the network…' : bytesPerSecond > 0 ? `${formatBytes(Math.round(bytesPerSecond))}/s` : downloaded === 0 ? 'starting…' : '';
      const left = !waiting && bytesPerSecond > 0 ? formatTimeLeft((total - downloaded) / bytesPerSecond) : '';
      status.textContent = [`${formatBytes(downloaded)} of ${formatBytes(total)}`, `${percent}%`, speed, left].filter(Boolean).join(' · ');
    },
    storing() {
      row.dataset.state = 'storing';
      bar.value = bar.max;
      status.textContent = 'Saving to your offline library…';
    },
    ready() {
      row.dataset.state = 'ready';
      bar.value = bar.max;
      status.textContent = 'Available offline';
    },
    busy(button, busy) {
      part(`[data-action="${button}"]`).disabled = busy;
    },
  };
  return view;
}
