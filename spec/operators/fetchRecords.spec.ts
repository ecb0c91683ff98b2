import { tap, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { fetchRecords } from '../../operators/fetchRecords';
import type { FetchRecord, RecordEvent } from '../../operators/types';
import { deepEqualScheduler } from './recordEvents';

const record = (index: number): FetchRecord => ({
  index,
  request: { url: `https://example.test/${index}`, method: 'GET', headers: [], body: null },
});
const records = { a: record(0), b: record(1), c: record(2), d: record(3) };
const events: Record<string, RecordEvent> = {
  a: { type: 'chunk', index: 0, bytes: 10 },
  b: { type: 'chunk', index: 1, bytes: 20 },
  c: { type: 'chunk', index: 2, bytes: 30 },
  d: { type: 'chunk', index: 3, bytes: 40 },
};

/** fetchOne for the marbles: record i runs the i-th cold observable. */
const by = (inner: Observable<RecordEvent>[]) => (r: FetchRecord) => inner[r.index];
/**
 * As `by`, and a record's `waiting` event stands for its body read to its end: it calls `read`
 * with `unstored[index]` bytes still to land (none when not given).
 */
const readOn =
  (inner: Observable<RecordEvent>[], unstored: number[] = []) =>
  (r: FetchRecord, read: (unstored: number) => void) =>
    inner[r.index].pipe(tap((event) => event.type === 'waiting' && read(unstored[r.index] ?? 0)));
const landing: Record<string, RecordEvent> = {
  ...events,
  r: { type: 'waiting', index: 0, waiting: false },
  s: { type: 'waiting', index: 1, waiting: false },
  t: { type: 'waiting', index: 2, waiting: false },
};

describe('fetchRecords', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = deepEqualScheduler();
  });

  it('runs at most `concurrency` records at once: the third starts when one finishes', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abc|)       ', records);
      const a = cold('     -----a|      ', events);
      const b = cold('     --b|         ', events);
      const c = cold('        ---c|     ', events);
      const expected = '   --b--ac|     ';

      expectObservable(source.pipe(fetchRecords(by([a, b, c]), { concurrency: 2 }))).toBe(expected, events);
      expectSubscriptions(a.subscriptions).toBe('^-----!     ');
      expectSubscriptions(b.subscriptions).toBe('^--!        ');
      expectSubscriptions(c.subscriptions).toBe('---^---!    ');
    });
  });

  it('starts records in request order, one after another with concurrency 1', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abc|)         ', records);
      const a = cold('     -a|            ', events);
      const b = cold('       --b|         ', events);
      const c = cold('          -c|       ', events);
      const expected = '   -a--b-c|       ';

      expectObservable(source.pipe(fetchRecords(by([a, b, c]), { concurrency: 1 }))).toBe(expected, events);
      expectSubscriptions(a.subscriptions).toBe('^-!           ');
      expectSubscriptions(b.subscriptions).toBe('--^--!        ');
      expectSubscriptions(c.subscriptions).toBe('-----^-!      ');
    });
  });

  it('starts a record as it arrives while there is room (default concurrency 4)', () => {
    testScheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b--c|        ', records);
      const a = cold('    ----a|         ', events);
      const b = cold('      ----b|       ', events);
      const c = cold('         --c|      ', events);
      const expected = '  ----a-bc|      ';

      expectObservable(source.pipe(fetchRecords(by([a, b, c])))).toBe(expected, events);
      expectSubscriptions(a.subscriptions).toBe('^----!         ');
      expectSubscriptions(b.subscriptions).toBe('--^----!       ');
      expectSubscriptions(c.subscriptions).toBe('-----^--!      ');
    });
  });

  it('unsubscribing the result unsubscribes the records and every record in flight', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--b-----c     ', records);
      const a = cold('     --a-------a| ', events);
      const b = cold('        --b-------|', events);
      const c = cold('              -c| ', events);
      const unsub = '     ^-----!        ';
      const expected = '   --a--b-        ';

      expectObservable(source.pipe(fetchRecords(by([a, b, c]), { concurrency: 2 })), unsub).toBe(expected, events);
      expectSubscriptions(source.subscriptions).toBe('^-----!        ');
      expectSubscriptions(a.subscriptions).toBe('     ^-----!        ');
      expectSubscriptions(b.subscriptions).toBe('     ---^--!        ');
      expectSubscriptions(c.subscriptions).toBe([]);
    });
  });

  it('starts the next record when one has read its body, while its writes land', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abc|)          ', records);
      const a = cold('     --r---a|        ', landing);
      const b = cold('       --b|          ', landing);
      const c = cold('          --c|       ', landing);
      const expected = '   --r-b-ac|       ';

      expectObservable(source.pipe(fetchRecords(readOn([a, b, c]), { concurrency: 1 }))).toBe(expected, landing);
      expectSubscriptions(a.subscriptions).toBe('^------!        ');
      expectSubscriptions(b.subscriptions).toBe('--^--!          ');
      expectSubscriptions(c.subscriptions).toBe('-----^--!       ');
    });
  });

  it('beyond `concurrency` records landing, a record with more bytes to land than `landingBytes` keeps its place', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abc|)           ', records);
      const a = cold('     -r------a|       ', landing);
      const b = cold('      -s--b|          ', landing);
      const c = cold('           -c|        ', landing);
      const expected = '   -rs--b-ca|       ';

      expectObservable(source.pipe(fetchRecords(readOn([a, b, c], [0, 2 * 1024 * 1024]), { concurrency: 1 }))).toBe(expected, landing);
      expectSubscriptions(a.subscriptions).toBe('^--------!       ');
      expectSubscriptions(b.subscriptions).toBe('-^----!          ');
      expectSubscriptions(c.subscriptions).toBe('------^-!        ');
    });
  });

  // b lands beside a with its 100 bytes; c's 100 more make 200: past a `landingBytes` of 150 it
  // keeps its place and d waits for it to end, within 250 it lands too and d starts at once.
  it.each([
    { landingBytes: 150, d: '            --d|      ', expected: '-rst--c-adb|', cFrom: '--^----!        ', dFrom: '-------^--!     ' },
    { landingBytes: 250, d: '        --d|          ', expected: '-rst-dc-a-b|', cFrom: '--^----!        ', dFrom: '---^--!         ' },
  ])('lets records beyond `concurrency` land while their bytes to land fit in landingBytes $landingBytes together', ({ landingBytes, d: dMarbles, expected, cFrom, dFrom }) => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abcd|)          ', records);
      const a = cold('     -r------a|       ', landing);
      const b = cold('      -s-------b|     ', landing);
      const c = cold('       -t--c|         ', landing);
      const d = cold(dMarbles, landing);

      expectObservable(source.pipe(fetchRecords(readOn([a, b, c, d], [100, 100, 100]), { concurrency: 1, landingBytes }))).toBe(expected, landing);
      expectSubscriptions(a.subscriptions).toBe('^--------!       ');
      expectSubscriptions(b.subscriptions).toBe('-^---------!     ');
      expectSubscriptions(c.subscriptions).toBe(cFrom);
      expectSubscriptions(d.subscriptions).toBe(dFrom);
    });
  });

  it('gives back the landing bytes of a record beyond `concurrency` once it has landed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(abcd|)          ', records);
      const a = cold('     -r---------a|    ', landing);
      const b = cold('      -s-b|           ', landing);
      const c = cold('       ----t--c|      ', landing);
      const d = cold('             -d|      ', landing);
      // b has landed when c reads: c's 100 bytes fit in the 150 again, so d starts at once.
      const expected = '   -rs-b-td-c-a|    ';

      expectObservable(source.pipe(fetchRecords(readOn([a, b, c, d], [100, 100, 100]), { concurrency: 1, landingBytes: 150 }))).toBe(expected, landing);
      expectSubscriptions(c.subscriptions).toBe('--^-------!      ');
      expectSubscriptions(d.subscriptions).toBe('------^-!        ');
    });
  });

  it('unsubscribing tears down the records that are landing too', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(ab|)           ', records);
      const a = cold('     -r-------a|     ', landing);
      const b = cold('      ------b|       ', landing);
      const unsub = '     ^---!           ';
      const expected = '   -r--            ';

      expectObservable(source.pipe(fetchRecords(readOn([a, b]), { concurrency: 1 })), unsub).toBe(expected, landing);
      expectSubscriptions(a.subscriptions).toBe('^---!           ');
      expectSubscriptions(b.subscriptions).toBe('-^--!           ');
    });
  });

  it('passes on an error of a record that is landing, and tears down the one that took its place', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(ab|)          ', records);
      const a = cold('     -r--#          ', landing, new Error('store failed'));
      const b = cold('      -----b|       ', landing);
      const expected = '   -r--#          ';

      expectObservable(source.pipe(fetchRecords(readOn([a, b]), { concurrency: 1 }))).toBe(expected, landing, new Error('store failed'));
      expectSubscriptions(a.subscriptions).toBe('^---!          ');
      expectSubscriptions(b.subscriptions).toBe('-^--!          ');
    });
  });

  it('passes an error of one record on and tears the others down', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('(ab|)         ', records);
      const a = cold('     ---#          ', events, new Error('boom'));
      const b = cold('     ------b|      ', events);
      const expected = '   ---#          ';

      expectObservable(source.pipe(fetchRecords(by([a, b])))).toBe(expected, events, new Error('boom'));
      expectSubscriptions(b.subscriptions).toBe('^--!          ');
    });
  });

  it('accepts any ObservableInput from fetchOne', () => {
    testScheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b|', records);
      expectObservable(source.pipe(fetchRecords((r) => [events[r.index === 0 ? 'a' : 'b']]))).toBe('a-b|', events);
    });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY])('rejects concurrency %p with a RangeError', (concurrency) => {
    expect(() => fetchRecords(() => [], { concurrency })).toThrow(RangeError);
    expect(() => fetchRecords(() => [], { concurrency })).toThrow(`got ${String(concurrency)}`);
  });

  it('accepts Infinity and any positive integer', () => {
    expect(() => fetchRecords(() => [], { concurrency: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(() => fetchRecords(() => [], { concurrency: 1 })).not.toThrow();
    expect(() => fetchRecords(() => [])).not.toThrow();
  });
});
