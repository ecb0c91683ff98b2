/**
 * What a resume may trust (found by exploratory testing against the loopback server). A record
 * continues its stored bytes only when the server can prove the answer is of the same version
 * (a strong ETag or Last-Modified for If-Range), stores no byte a part's Content-Range does not
 * name, and takes a 416 that says the stored bytes are the whole resource for the end it is.
 * Each case ends with the no-loss check (bytes reported = stored = read back, byte for byte), on
 * IndexedDB (fake-indexeddb) and in memory.
 */
import 'fake-indexeddb/auto';
import { filter, firstValueFrom } from 'rxjs';
import { bodyOf } from '../helpers/testServer';
import { completion, expectNoLoss, fresh, reliabilitySuite } from './support';

const suite = reliabilitySuite({ retry: { limit: 3, delay: () => 5 } });
const ranges = (path: string) => suite.server.requests.filter((request) => request.path === path).map((request) => request.range);

describe.each(['indexeddb', 'memory'] as const)('%s store', (kind) => {
  test('a resource with no validator that changes after a break is fetched again whole, not joined', async () => {
    const where = fresh(kind, 'resume-answers');
    const target = suite.manager(where);
    const size = 100_000;
    const done = completion(target, where);
    await target.fetch('media', [`/changing?size=${size}&after=40000&validators=0&chunk=8192`]);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    // The second answer is version 2, sent whole: nothing of version 1 is kept in front of it.
    expectNoLoss(outcome, [bodyOf(size, 'v2')]);
    expect(ranges('/changing')).toEqual([undefined, undefined]);
  });

  test('bytes a 206 sends past its own Content-Range are not stored', async () => {
    const where = fresh(kind, 'resume-answers');
    const target = suite.manager(where);
    const size = 200_000;
    const done = completion(target, where);
    // The first answer breaks off at 70,000; the resume's 206 names 70000-199999 and sends 13 bytes more.
    await target.fetch('media', [`/bad-range?size=${size}&mode=trailing-junk&after=70000&chunk=8192`]);
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size)]);
    expect(ranges('/bad-range')).toEqual([undefined, 'bytes=70000-']);
  });

  test('a chunked body stored whole but cut off before its end: the resume gets a 416 for exactly that length, and the record succeeds', async () => {
    const where = fresh(kind, 'resume-answers');
    const size = 50_000;
    const first = suite.manager(where);
    const registration = await first.fetch('media', [`/bytes?size=${size}&chunked=1&holdEnd=1&chunk=10000&seed=held`]);
    await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded === size)));
    await first.close();
    // The next manager on the same store (as a page's next load shares IndexedDB) resumes it.
    const second = suite.manager(where);
    const done = completion(second, where);
    await second.get('media');
    const outcome = await done;
    expect(outcome.type).toBe('backgroundfetchsuccess');
    expectNoLoss(outcome, [bodyOf(size, 'held')]);
    expect(ranges('/bytes')).toEqual([undefined, `bytes=${size}-`]);
  });
});
