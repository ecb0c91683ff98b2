// The demo's entry point: picks the engine, registers the worker, lists the episodes and shows
// every running download, whether it started in this tab, in another one or before a reload.
import { watchActiveIds } from './activeIds.js';
import { createDownloads } from './downloads.js';
import { showEngine } from './enginePanel.js';
import { createEpisodeView } from './episodeView.js';
import { showNotifications } from './notificationPanel.js';
import { askWorkerEngine, registerWorker } from './worker.js';

const engine = window.demoEngine;
// polyfill.page.min.js already installed itself where Background Fetch is missing; with force it
// also replaces Chromium's. true: the polyfill runs here; false: the native API was kept.
const polyfilled = RxBackgroundFetch.install({ force: engine.force });

const registration = await registerWorker(engine.force);
showEngine(engine, polyfilled, await askWorkerEngine(registration));
void showNotifications(registration);

const episodes = await (await fetch('/api/episodes')).json();
const downloads = createDownloads(registration.backgroundFetch);
const list = document.querySelector('#episodes');
const views = new Map();
// A fetch that ended while this page was loading is no longer active but not yet filed either:
// the worker says when it is.
new BroadcastChannel('demo:filed').onmessage = (event) => views.get(event.data.id)?.ready();
const rows = episodes.map((episode) => {
  const view = createEpisodeView(episode, {
    download: () => downloads.start(episode, view),
    abort: () => downloads.abort(episode),
    play: () => downloads.play(episode, view),
    save: () => downloads.save(episode, view),
    delete: () => downloads.remove(episode, view),
  });
  views.set(episode.id, view);
  list.append(view.element);
  return downloads.add(episode, view);
});
// The running downloads now, and each one started later, here or anywhere else.
const shown = new Promise((resolve) => {
  // 'live' or 'polling': how this page learns of new downloads (tests read it).
  document.body.dataset.activeIds = watchActiveIds(registration.backgroundFetch, (ids) => resolve(downloads.show(ids)));
});
await Promise.all([...rows, shown]);
// Tests (and curious people) can wait for this.
document.body.dataset.ready = 'true';
