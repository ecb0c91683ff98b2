// Node only (lib ES2022, types node): the ponyfill saves its downloads to disk.
import { writeFile } from 'node:fs/promises';
import { BackgroundFetchManager } from 'rx-background-fetch';

const manager = new BackgroundFetchManager({ store: 'memory', baseURL: 'http://localhost:8080/' });
manager.addEventListener('backgroundfetchsuccess', (event) => {
  event.waitUntil(
    (async () => {
      for (const record of await event.registration.matchAll()) {
        const response = await record.responseReady;
        await writeFile(new URL(record.request.url).pathname.slice(1), Buffer.from(await response.arrayBuffer()));
      }
    })(),
  );
});

export const started = manager.fetch('episode-1', ['/media/episode-1.wav'], { downloadTotal: 5_000_000 }).then((registration) => registration.id);
