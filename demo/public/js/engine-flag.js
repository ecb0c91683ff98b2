// Runs before /dist/polyfill.page.min.js, which defines BackgroundFetchManager where it is missing:
// only now can the page tell whether the browser has a native one (Chromium).
// The "force the polyfill" choice: ?polyfill=force or ?polyfill=auto set it, localStorage keeps it.
(() => {
  const key = 'rx-background-fetch-demo:force-polyfill';
  const asked = new URLSearchParams(location.search).get('polyfill');
  if (asked === 'force') localStorage.setItem(key, '1');
  if (asked === 'auto') localStorage.removeItem(key);
  window.demoEngine = {
    key,
    native: typeof self.BackgroundFetchManager === 'function',
    force: localStorage.getItem(key) === '1',
  };
})();
