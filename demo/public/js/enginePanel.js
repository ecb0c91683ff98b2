// The panel on top: which engine runs, where the downloads run, and the switch that forces
// the polyfill where a native Background Fetch exists. Its Notifications line is notificationPanel.js.

const $ = (selector) => document.querySelector(selector);

/** Fills the panel; `workerEngine` is what sw.js answered ({ polyfilled }), or undefined. */
export function showEngine({ native, force, key }, polyfilled, workerEngine) {
  document.body.dataset.engine = polyfilled ? 'polyfill' : 'native';
  $('#engine-name').textContent = polyfilled ? (native ? 'Polyfill (forced)' : 'Polyfill') : 'Native';
  const host = !polyfilled ? 'browser' : workerEngine?.polyfilled ? 'worker' : 'tab';
  $('#engine-host').textContent = { browser: 'The browser', worker: 'Service worker', tab: 'This tab' }[host];
  $('#engine-note').textContent = {
    browser: 'Chromium’s own Background Fetch runs the downloads and shows them in its download UI.',
    worker: 'rx-background-fetch runs the downloads in the service worker: they go on after this tab closes, for as long as the browser keeps the worker alive, and resume with Range requests when it starts again.',
    tab: 'The service worker does not run the polyfill, so downloads run in an open tab and its events cannot fire.',
  }[host];

  const toggle = $('#force-polyfill');
  toggle.checked = force;
  toggle.disabled = !native;
  $('#force-note').textContent = native ? (force ? 'on' : 'off') : 'no native API here';
  toggle.addEventListener('change', () => {
    if (toggle.checked) localStorage.setItem(key, '1');
    else localStorage.removeItem(key);
    // Drop ?polyfill=… so the reload follows the switch, not the old query.
    location.replace(location.pathname);
  });
}
