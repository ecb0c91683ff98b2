import { from, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { countBytes } from '../../operators/countBytes';
import { RecordTable } from '../../operators/recordTable';
import { createTally } from '../../operators/tally';
import type { FetchTally, RecordEvent } from '../../operators/types';
import { chunk, summaryScheduler, head, response, settled, uploaded } from './recordEvents';

const seed = (records: number, uploadTotal = 0) => createTally({ id: 'f', downloadTotal: 0, uploadTotal }, records);

/**
 * A tally in short, read once the run is over (summaryScheduler): tallies are immutable, so each
 * still reads as it was when emitted. A record reads `bytes[ result][ gN]`.
 */
interface Summary {
  downloaded: number;
  uploaded: number;
  result: string;
  reason: string;
  records: string[];
  changed: number;
}
const summary = (tally: FetchTally): Summary => ({
  downloaded: tally.state.downloaded,
  uploaded: tally.state.uploaded,
  result: tally.state.result,
  reason: tally.state.failureReason,
  records: tally.records.toArray().map((r) => [String(r.bytes), r.result, r.generation > 0 ? `g${r.generation}` : ''].filter(Boolean).join(' ')),
  changed: tally.changed,
});
const snap = (downloaded: number, records: string[], changed: number, more: Partial<Summary> = {}): Summary => ({
  downloaded,
  uploaded: 0,
  result: '',
  reason: '',
  records,
  changed,
  ...more,
});
const count = (tally: FetchTally) => (events: Observable<RecordEvent>) => events.pipe(countBytes(tally));

describe('countBytes', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = summaryScheduler(summary);
  });

  it('adds each chunk to its record and to downloaded', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('a-b-c-', { a: chunk(0, 3), b: chunk(1, 4), c: chunk(0, 5) });
      const unsub = '      ^-----!';
      const expected = '   x-y-z-';

      expectObservable(events.pipe(count(seed(2))), unsub).toBe(expected, {
        x: snap(3, ['3', '0'], 0),
        y: snap(7, ['3', '4'], 1),
        z: snap(12, ['8', '4'], 0),
      });
      expectSubscriptions(events.subscriptions).toBe('^-----!');
    });
  });

  it('a response at offset 0 after bytes replaces them (a restart), never counting them twice', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('r-a-r-b|', { r: response(0, 0), a: chunk(0, 10), b: chunk(0, 10) });
      const expected = '   w-x-y-z|';

      expectObservable(events.pipe(count(seed(1)))).toBe(expected, {
        w: snap(0, ['0'], 0),
        x: snap(10, ['10'], 0),
        y: snap(0, ['0 g1'], 0),
        z: snap(10, ['10 g1'], 0),
      });
    });
  });

  it('a response at an offset > 0 keeps that many bytes (a resume), in the same generation', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('r-a-k-b-p|', { r: response(0, 0), a: chunk(0, 10), k: response(0, 10), b: chunk(0, 5), p: response(0, 6) });
      const expected = '   v-w-x-y-z|';

      expectObservable(events.pipe(count(seed(1)))).toBe(expected, {
        v: snap(0, ['0'], 0),
        w: snap(10, ['10'], 0),
        x: snap(10, ['10'], 0),
        y: snap(15, ['15'], 0),
        z: snap(6, ['6'], 0),
      });
    });
  });

  it('counts each restart as a new generation', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('r-r-r-k|', { r: response(1, 0), k: response(1, 4) });
      const expected = '   w-x-y-z|';

      expectObservable(events.pipe(count(seed(2)))).toBe(expected, {
        w: snap(0, ['0', '0'], 1),
        x: snap(0, ['0', '0 g1'], 1),
        y: snap(0, ['0', '0 g2'], 1),
        z: snap(4, ['0', '4 g2'], 1),
      });
    });
  });

  it("drops a fetch-error record's bytes and lets the others go on", () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-b-e-c|', { a: chunk(0, 10), b: chunk(1, 5), e: settled(1, 'fetch-error'), c: chunk(0, 1) });
      const expected = '   w-x-y-z|';

      expectObservable(events.pipe(count(seed(2)))).toBe(expected, {
        w: snap(10, ['10', '0'], 0),
        x: snap(15, ['10', '5'], 1),
        y: snap(10, ['10', '0 fetch-error'], 1),
        z: snap(11, ['11', '0 fetch-error'], 0),
      });
    });
  });

  it('keeps the bytes of a bad-status record (its body is stored and readable)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-s|', { a: chunk(0, 7), s: settled(0, 'bad-status') });
      expectObservable(events.pipe(count(seed(2)))).toBe('x-y|', {
        x: snap(7, ['7', '0'], 0),
        y: snap(7, ['7 bad-status', '0'], 0),
      });
    });
  });

  it('ends with success once every record succeeded', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-s-t|', { a: chunk(1, 3), s: settled(1, 'success'), t: settled(0, 'success') });
      expectObservable(events.pipe(count(seed(2)))).toBe('x-y-z|', {
        x: snap(3, ['0', '3'], 1),
        y: snap(3, ['0', '3 success'], 1),
        z: snap(3, ['0 success', '3 success'], 0, { result: 'success' }),
      });
    });
  });

  it('reports the first failure in request order, not the first to settle', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('s-b-e|', { s: settled(2, 'success'), b: settled(1, 'bad-status'), e: settled(0, 'fetch-error') });
      expectObservable(events.pipe(count(seed(3)))).toBe('x-y-z|', {
        x: snap(0, ['0', '0', '0 success'], 2),
        y: snap(0, ['0', '0 bad-status', '0 success'], 1),
        z: snap(0, ['0 fetch-error', '0 bad-status', '0 success'], 0, { result: 'failure', reason: 'fetch-error' }),
      });
    });
  });

  it('counts a record settling twice once: the fetch is not over before every record is', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('s-s-t|', { s: settled(0, 'success'), t: settled(1, 'success') });
      expectObservable(events.pipe(count(seed(2)))).toBe('x-x-y|', {
        x: snap(0, ['0 success', '0'], 0),
        y: snap(0, ['0 success', '0 success'], 1, { result: 'success' }),
      });
    });
  });

  it('ends at once on quota-exceeded: the records still running become aborted, later events change nothing', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-d-q-c|', { a: chunk(0, 5), d: settled(2, 'bad-status'), q: settled(1, 'quota-exceeded'), c: chunk(0, 7) });
      const final = snap(5, ['5 aborted', '0 quota-exceeded', '0 bad-status'], 1, { result: 'failure', reason: 'quota-exceeded' });
      expectObservable(events.pipe(count(seed(3)))).toBe('w-x-y-y|', {
        w: snap(5, ['5', '0', '0'], 0),
        x: snap(5, ['5', '0', '0 bad-status'], 2),
        y: final,
      });
    });
  });

  it('ends at once on download-total-exceeded from a record', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('a-x|', { a: chunk(1, 9), x: settled(1, 'download-total-exceeded') });
      expectObservable(events.pipe(count(seed(2)))).toBe('y-z|', {
        y: snap(9, ['0', '9'], 1),
        z: snap(9, ['0 aborted', '9 download-total-exceeded'], 1, { result: 'failure', reason: 'download-total-exceeded' }),
      });
    });
  });

  it('caps uploaded at uploadTotal (a re-sent body counts again, up to the total)', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('u-u-u|', { u: uploaded(0, 60) });
      expectObservable(events.pipe(count(seed(1, 100)))).toBe('x-y-y|', {
        x: snap(0, ['0'], 0, { uploaded: 60 }),
        y: snap(0, ['0'], 0, { uploaded: 100 }),
      });
    });
  });

  it('errors with a RangeError for an event about a record the tally does not have', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events = cold('a-b-c', { a: chunk(0, 1), b: chunk(2, 1) });
      expectObservable(events.pipe(count(seed(2)))).toBe('x-#', { x: snap(1, ['1', '0'], 0) }, new RangeError('countBytes: no record 2 in a fetch of 2.'));
      expectSubscriptions(events.subscriptions).toBe('^-!');
    });
  });

  it('starts from the seed: a resumed record keeps the bytes it had', () => {
    const resumed = seed(2);
    const records = [
      { response: head, bytes: 40, result: '', generation: 0 },
      { response: head, bytes: 60, result: 'success', generation: 0 },
    ] as const;
    const start: FetchTally = { ...resumed, records: RecordTable.from(records), state: { ...resumed.state, downloaded: 100 }, settled: 1 };
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('k-a-s|', { k: response(0, 40), a: chunk(0, 10), s: settled(0, 'success') });
      expectObservable(events.pipe(count(start))).toBe('x-y-z|', {
        x: snap(100, ['40', '60 success'], 0),
        y: snap(110, ['50', '60 success'], 0),
        z: snap(110, ['50 success', '60 success'], 0, { result: 'success' }),
      });
    });
  });

  it('counts independently for each subscription: one seed, two runs', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const events = cold('r-a-r-a|', { r: response(0, 0), a: chunk(0, 10) });
      const counted = events.pipe(count(seed(1)));
      const values = { w: snap(0, ['0'], 0), x: snap(10, ['10'], 0), y: snap(0, ['0 g1'], 0), z: snap(10, ['10 g1'], 0) };
      expectObservable(counted).toBe('w-x-y-z|', values);
      expectObservable(counted).toBe('w-x-y-z|', values);
    });
  });

  it('leaves every emitted tally as it was: a step makes a new table that shares the statuses it did not change', () => {
    const tallies: FetchTally[] = [];
    from([response(0, 0), chunk(0, 5), chunk(1, 2), settled(0, 'success'), settled(1, 'fetch-error')])
      .pipe(countBytes(seed(2)))
      .subscribe((tally) => tallies.push(tally));
    expect(tallies.map((t) => [t.state.downloaded, t.records.toArray().map((r) => `${r.bytes}${r.result}`)])).toEqual([
      [0, ['0', '0']],
      [5, ['5', '0']],
      [7, ['5', '2']],
      [7, ['5success', '2']],
      [5, ['5success', '0fetch-error']],
    ]);
    expect(tallies[2].records.at(0)).toBe(tallies[1].records.at(0));
    expect(tallies[2].records).not.toBe(tallies[1].records);
  });

  it('counts 50,000 chunks over 50,000 records (the most a fetch may have), one chunk each', () => {
    // What one step costs is counted in spec/api/scale.spec.ts (statuses read and made, memory a kept tally holds).
    const records = 50_000;
    const events: RecordEvent[] = [];
    for (let i = 0; i < records; i++) events.push(chunk((i * 7919) % records, 1));
    const tallies: FetchTally[] = [];
    from(events)
      .pipe(countBytes(seed(records)))
      .subscribe((tally) => tallies.push(tally));
    const last = tallies[tallies.length - 1];
    expect(tallies).toHaveLength(records);
    expect(last.state.downloaded).toBe(records);
    expect(last.records.toArray().every((r) => r.bytes === 1)).toBe(true);
    // Every kept tally still reads as it was: the one after step k has counted k + 1 records.
    expect(tallies[999].records.toArray().filter((r) => r.bytes === 1)).toHaveLength(1_000);
    expect(tallies[999].state.downloaded).toBe(1_000);
  });
});
