/**
 * The IndexedDB store keeps the rows of the fetches it runs, so that a write never reads first
 * (issue 15). Another realm (a page, then the service worker) may run the fetch in between: a
 * realm that runs it again must go on from what that realm stored, not from what it last wrote
 * itself. A second copy of the library, loaded apart, stands in for the other realm.
 */
import 'fake-indexeddb/auto';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import * as here from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { otherRealm } from './support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());


test('a realm running a fetch again goes on from what another realm stored since', async () => {
  const database = `known-rows-${process.pid}`;
  const scope = 'known-rows';
  const size = 6 * 1024 * 1024;
  const url = `/bytes?size=${size}&chunk=65536&delay=5`;
  const mine = here.openIndexedDBStore({ database });

  // This realm starts it and stops after the first megabyte.
  const first = new here.BackgroundFetchManager({ store: mine, scope, baseURL: server.url, progressInterval: 0 });
  const started = await first.fetch('media', [url]);
  await firstValueFrom(started.state$.pipe(filter((state) => state.downloaded > 1024 * 1024)));
  await first.close();
  const mineStopped = (await mine.load(scope))[0].records[0].bytes;

  // The other realm goes on to past three megabytes.
  const other = otherRealm();
  const theirs = other.openIndexedDBStore({ database });
  expect(theirs).not.toBe(mine);
  const second = new other.BackgroundFetchManager({ store: theirs, scope, baseURL: server.url, progressInterval: 0 });
  const continued = (await second.get('media'))!;
  await firstValueFrom(continued.state$.pipe(filter((state) => state.downloaded > 3 * 1024 * 1024)));
  await second.close();
  const theirsStopped = (await theirs.load(scope))[0].records[0].bytes;
  expect(theirsStopped).toBeGreaterThan(mineStopped);

  // This realm again: it resumes from the other realm's bytes, and the body is whole.
  server.reset();
  const third = new here.BackgroundFetchManager({ store: mine, scope, baseURL: server.url, progressInterval: 0 });
  const body = new Promise<Buffer>((resolve, reject) =>
    third.addEventListener('backgroundfetchsuccess', (raw) => {
      const event = raw as Event & { registration: here.BackgroundFetchRegistration; waitUntil(promise: Promise<unknown>): void };
      event.waitUntil(
        (async () => {
          const [record] = await event.registration.matchAll();
          resolve(Buffer.from(await (await record.responseReady).arrayBuffer()));
        })().catch(reject),
      );
    }),
  );
  const resumed = (await third.get('media'))!;
  const counts: number[] = [];
  resumed.state$.subscribe((state) => counts.push(state.downloaded));
  expect((await body).equals(bodyOf(size))).toBe(true);
  await lastValueFrom(resumed.state$);
  await third.close();
  expect(counts[0]).toBe(theirsStopped);
  expect(Math.max(...counts)).toBe(size);
  expect(server.requests.map((request) => request.range)).toEqual([`bytes=${theirsStopped}-`]);
});
