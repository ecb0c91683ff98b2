// The ponyfill in any realm: a manager of its own, its completion events on itself.
import { BackgroundFetchManager, createMemoryStore, type BackgroundFetchRegistration, type BackgroundFetchState } from 'rx-background-fetch';

export async function download(url: string): Promise<BackgroundFetchState> {
  const manager = new BackgroundFetchManager({ store: createMemoryStore(), baseURL: 'http://localhost:8080/', concurrency: 2, retry: { limit: 2 } });
  manager.addEventListener('backgroundfetchsuccess', (e) => e.waitUntil(e.registration.matchAll()));
  manager.addEventListener('backgroundfetchfail', (event) => event.waitUntil(event.updateUI({ title: 'failed' })));
  manager.addEventListener('backgroundfetchabort', (event) => console.log(event.registration.id));

  const registration: BackgroundFetchRegistration = await manager.fetch('one', url, { downloadTotal: 1_000_000 });
  registration.addEventListener('progress', () => console.log(registration.downloaded, registration.result));
  return new Promise((resolve) => registration.state$.subscribe({ next: resolve }));
}

// @ts-expect-error an abort event has no updateUI()
new BackgroundFetchManager().addEventListener('backgroundfetchabort', (event) => event.updateUI({}));
