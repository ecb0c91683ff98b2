// A page that imports the polyfill through a bundler and writes what it would write for
// Chromium's native Background Fetch: the types come with the import.
import 'rx-background-fetch/polyfill';

export async function downloadEpisode(button: HTMLButtonElement, bar: HTMLProgressElement): Promise<void> {
  const registration = await navigator.serviceWorker.ready;
  const manager: BackgroundFetchManager = registration.backgroundFetch;
  const running: BackgroundFetchRegistration | undefined = await manager.get('episode-1');
  const download =
    running ??
    (await manager.fetch('episode-1', ['/media/episode-1.wav', new Request('/media/cover.jpg')], {
      title: 'Episode 1',
      icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }],
      downloadTotal: 5_000_000,
    }));
  bar.max = download.downloadTotal;
  download.addEventListener('progress', function () {
    bar.value = this.downloaded;
  });
  download.onprogress = (event: Event) => console.log(event.type, download.result, download.failureReason);
  button.onclick = () => download.abort().then((aborted: boolean) => console.log(aborted));

  const ids: string[] = await manager.getIds();
  const record: BackgroundFetchRecord | undefined = await download.match('/media/episode-1.wav', { ignoreSearch: true });
  const response: Response | undefined = await record?.responseReady;
  const result: BackgroundFetchResult = download.result;
  const reason: BackgroundFetchFailureReason = download.failureReason;
  console.log(ids, response?.status, result, reason, typeof BackgroundFetchManager === 'function');

  // @ts-expect-error a fetch needs an id
  await manager.fetch(['/media/episode-2.wav']);
  // @ts-expect-error a registration has no "success" event: completion events fire in the service worker
  download.addEventListener('backgroundfetchsuccess', (event) => event.waitUntil(Promise.resolve()));
}
