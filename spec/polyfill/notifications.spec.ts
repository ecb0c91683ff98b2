/**
 * The worker's notifications read the fetch's title and icons from its state: the ones given to
 * fetch(), then the ones a completion event's updateUI() gave (no module-level bus between them).
 */
import { lastValueFrom } from 'rxjs';
import { BackgroundFetchManager, type BackgroundFetchRegistration, type BackgroundFetchUpdateUIEvent } from '../../src';
import { notificationsFor } from '../../src/polyfill/notifications';
import { startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  (globalThis as { Notification?: unknown }).Notification = { permission: 'granted' };
});
afterAll(async () => {
  delete (globalThis as { Notification?: unknown }).Notification;
  await server.close();
});

test('updateUI() in the completion event changes the title and icon of the notification the fetch left', async () => {
  const shown: { title: string; icon: string | undefined; body: string | undefined }[] = [];
  const worker = Object.assign(new EventTarget(), {
    registration: {
      scope: `${server.url}/`,
      showNotification: async (title: string, options: NotificationOptions) => void shown.push({ title, icon: options.icon, body: options.body }),
    } as unknown as ServiceWorkerRegistration,
    clients: { openWindow: async () => undefined },
  });
  const manager = new BackgroundFetchManager({ store: 'memory', scope: 'notifications', baseURL: server.url, progressInterval: 0 });
  manager.addEventListener('backgroundfetchsuccess', (event) => {
    const update = event as unknown as BackgroundFetchUpdateUIEvent;
    update.waitUntil(update.updateUI({ title: 'Album ready', icons: [{ src: '/ready.png' }] }));
  });
  try {
    const notes = notificationsFor(worker, () => undefined);
    const registration: BackgroundFetchRegistration = await manager.fetch('album', `${server.url}/feature-name.txt`, { title: 'Album', icons: [{ src: '/album.png' }] });
    notes.follow(registration);
    await lastValueFrom(registration.state$);
    expect(shown[0]).toMatchObject({ title: 'Album', icon: '/album.png' });
    const ready = shown.findIndex((note) => note.title === 'Album ready');
    expect(shown[ready - 1]).toEqual({ title: 'Album', icon: '/album.png', body: 'Download complete' });
    expect(shown.slice(ready)).toEqual(shown.slice(ready).map(() => ({ title: 'Album ready', icon: '/ready.png', body: 'Download complete' })));
    expect(shown.length).toBeGreaterThan(ready);
  } finally {
    await manager.close();
  }
});
