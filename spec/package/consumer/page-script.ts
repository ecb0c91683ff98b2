// A page that loads dist/polyfill.min.js with <script src> and gets the types without importing
// anything: one reference line.
/// <reference types="rx-background-fetch/polyfill" />

export async function countDownloads(): Promise<number> {
  const registration = await navigator.serviceWorker.ready;
  const options: BackgroundFetchOptions = { title: 'Album', downloadTotal: 0 };
  const album = await registration.backgroundFetch.fetch('album', ['/a.jpg', '/b.jpg'], options);
  const records: BackgroundFetchRecord[] = await album.matchAll();
  return records.length + (await registration.backgroundFetch.getIds()).length;
}
