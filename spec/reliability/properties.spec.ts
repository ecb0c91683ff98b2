/**
 * Property tests (issue 7 §2). Random schedules of response heads (restarts at offset 0 and
 * resumes), chunks, record results, aborts, closes (with a write still landing) and the passing
 * of time are driven through the real pipeline (`backgroundFetch`, as `FetchJob` runs it), with a model
 * store beside them; then random fetches with aborts and close-and-resume (at a random moment)
 * run through the manager against the real server. Invariants:
 * - `downloaded` equals the bytes stored for the records that have not failed, at every step;
 * - exactly one final tally / `progress` carries the result, and nothing follows it;
 * - the registration's attributes always equal the last state `state$` emitted;
 * - the failure reason follows API.md §4: the first failure in request order; `"aborted"` wins
 *   after an abort; a `download-total-exceeded` or `quota-exceeded` ends the fetch at once and is
 *   the reason, the requests it cut off are not failures of their own.
 */
import fc from 'fast-check';
import { BehaviorSubject, EMPTY, Subject, Subscription, VirtualTimeScheduler, distinctUntilChanged, map, of } from 'rxjs';
import { backgroundFetch } from '../../operators/backgroundFetch';
import { RecordTable } from '../../operators/recordTable';
import { createTally, firstFailure } from '../../operators/tally';
import { throttleProgress } from '../../operators/throttleProgress';
import type { BackgroundFetchFailureReason, BackgroundFetchState, FetchTally, RecordEvent, RecordResult, RecordStatus, StoredResponse } from '../../operators/types';
import { BackgroundFetchRegistration, registrationToken } from '../../src/BackgroundFetchRegistration';
import { BackgroundFetchManager, type BackgroundFetchRegistration as Registration } from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { completion, expectCounted, expectNoLoss, expectSettledAndEmpty, fresh, snapshot } from './support';

// ---------------------------------------------------------------------------------------------
// Through the operators

type Settle = 'success' | 'bad-status' | 'fetch-error' | 'quota-exceeded';
type Step =
  | { readonly kind: 'response'; readonly index: number; readonly restart: boolean }
  | { readonly kind: 'chunk'; readonly index: number; readonly bytes: number }
  | { readonly kind: 'settle'; readonly index: number; readonly result: Settle }
  | { readonly kind: 'abort' }
  | { readonly kind: 'close'; readonly late: { readonly index: number; readonly bytes: number } | null }
  | { readonly kind: 'tick'; readonly ms: number };

interface Scenario {
  readonly records: number;
  readonly downloadTotal: number;
  readonly interval: number;
  readonly steps: readonly Step[];
}

function stepOf(records: number): fc.Arbitrary<Step> {
  const index = fc.nat(records - 1);
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('response' as const), index, restart: fc.boolean() }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('chunk' as const), index, bytes: fc.integer({ min: 1, max: 700 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('settle' as const),
        index,
        result: fc.oneof(
          { weight: 6, arbitrary: fc.constant('success' as const) },
          { weight: 2, arbitrary: fc.constant('bad-status' as const) },
          { weight: 2, arbitrary: fc.constant('fetch-error' as const) },
          { weight: 1, arbitrary: fc.constant('quota-exceeded' as const) },
        ),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), late: fc.option(fc.record({ index, bytes: fc.integer({ min: 1, max: 700 }) })) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
  );
}

const scenarios: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 4 }).chain((records) =>
  fc.record({
    records: fc.constant(records),
    downloadTotal: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })),
    interval: fc.constantFrom(0, 10, 100),
    steps: fc.array(stepOf(records), { maxLength: 60 }),
  }),
);

/** What the store holds of one record (the memory store's rules: a fetch-error drops the bytes). */
interface Held {
  response: StoredResponse | null;
  bytes: number;
  result: RecordResult;
}

/** One run of the pipeline between a start (or resume) and its end or a close, as `FetchJob` runs it. */
interface Segment {
  readonly events: Subject<RecordEvent>;
  readonly abort$: Subject<void>;
  pipeline: Subscription;
  readonly registration: BackgroundFetchRegistration;
  /** Every tally the pipeline emitted. */
  readonly tallies: FetchTally[];
  /** Each of them as JSON, taken as it was emitted: tallies are immutable, so they still read so. */
  readonly readings: string[];
  /** Every state the registration's `state$` emitted to a second subscriber. */
  readonly states: BackgroundFetchState[];
  /** A snapshot of the registration at each `progress` event. */
  readonly progress: BackgroundFetchState[];
  /** Records whose response head arrived in this segment (a record streams only after its head). */
  readonly started: boolean[];
  completed: boolean;
}

const head = (index: number, generation: number): StoredResponse => ({ url: `https://test/r${index}?g=${generation}`, status: 200, statusText: 'OK', headers: [] });
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Runs one scenario against a model: the model store (`held`) and the expected end (`ended`,
 * `reason`) are computed from the steps alone, never read back from the operators.
 */
function runScenario({ records, downloadTotal, interval, steps }: Scenario): void {
  const scheduler = new VirtualTimeScheduler();
  const advance = (ms: number) => {
    const until = scheduler.frame + ms;
    scheduler.maxFrames = until;
    scheduler.flush();
    scheduler.frame = until;
  };
  const held: Held[] = Array.from({ length: records }, () => ({ response: null, bytes: 0, result: '' }));
  const model: { ended: boolean; reason: BackgroundFetchFailureReason } = { ended: false, reason: '' };
  const end = (reason: BackgroundFetchFailureReason) => {
    model.ended = true;
    model.reason = reason;
  };
  let generation = 0;
  // rxjs reports an error thrown in a subscriber asynchronously, not to the caller: collect them.
  const problems: unknown[] = [];
  const guard = (check: () => void) => {
    try {
      check();
    } catch (error) {
      problems.push(error);
    }
  };

  /** The invariant every emitted tally keeps: `downloaded` = stored bytes of records that have not failed. */
  const checkTally = (tally: FetchTally) => {
    const counted = held.map((record, index) => (tally.records.at(index)!.result === 'fetch-error' ? 0 : record.bytes));
    expect(tally.state.downloaded).toBe(sum(counted));
    tally.records.toArray().forEach((record, index) => {
      if (record.result !== 'fetch-error') expect(record.bytes).toBe(held[index].bytes);
    });
  };

  const start = (): Segment => {
    const base = createTally({ id: 'p', downloadTotal, uploadTotal: 0 }, records);
    const seedRecords: RecordStatus[] = held.map((record) => ({ response: record.response, bytes: record.bytes, result: record.result, generation: 0 }));
    const seed: FetchTally = { ...base, records: RecordTable.from(seedRecords), state: { ...base.state, downloaded: sum(held.map((record) => record.bytes)) }, settled: held.filter((record) => record.result !== '').length };
    const events = new Subject<RecordEvent>();
    const abort$ = new Subject<void>();
    const tally$ = new BehaviorSubject<FetchTally>(seed);
    const segment: Segment = {
      events,
      abort$,
      tallies: [],
      readings: [],
      states: [],
      progress: [],
      started: new Array<boolean>(records).fill(false),
      completed: false,
      pipeline: Subscription.EMPTY,
      registration: new BackgroundFetchRegistration(registrationToken, {
        state$: tally$.pipe(
          map((tally) => tally.state),
          distinctUntilChanged(),
          throttleProgress(interval, scheduler),
        ),
        waiting$: tally$.pipe(map((tally) => tally.waiting > 0)),
        abort: async () => false,
        matchAll: async () => [],
      }),
    };
    segment.registration.state$.subscribe((state) => {
      segment.states.push(state);
      guard(() => expect(snapshot(segment.registration)).toEqual(state));
    });
    segment.registration.addEventListener('progress', () => segment.progress.push(snapshot(segment.registration)));
    // The real pipeline of one fetch; its fetch stage is the schedule's events (the first record
    // still running carries every record's events, the others bring none).
    const first = held.findIndex((record) => record.result === '');
    segment.pipeline = backgroundFetch(
      { id: 'p', requests: held.map((_, index) => ({ url: `https://test/r${index}`, method: 'GET', headers: [], body: null })), downloadTotal },
      {
        seed,
        fetchRecord: ({ index }) => (index === first ? events : EMPTY),
        concurrency: Infinity,
        abort$,
        abortScheduler: scheduler,
        // The engine keeps each record result as it is reported (FetchJob's settleRecord).
        settleRecord: (index, result) => {
          held[index].result = result;
          if (result === 'fetch-error') held[index].bytes = 0;
        },
        // The completion event runs, then the records go and the stream ends (Engine's tail).
        release: () => of({ type: 'released' as const }),
      },
    ).subscribe({
      next: (tally) => {
        if (tally.state.recordsAvailable) {
          guard(() => checkTally(tally));
          segment.tallies.push(tally);
          segment.readings.push(JSON.stringify(tally));
        }
        if (tally !== seed) tally$.next(tally);
      },
      complete: () => {
        segment.completed = true;
        tally$.complete();
      },
    });
    // A resumed fetch that already holds more than downloadTotal ends at once.
    if (!model.ended && downloadTotal > 0 && sum(held.map((record) => record.bytes)) > downloadTotal) end('download-total-exceeded');
    return segment;
  };

  const running = (index: number) => !model.ended && held[index].result === '';
  let segment = start();

  const apply = (step: Step) => {
    switch (step.kind) {
      case 'response': {
        if (!running(step.index)) return;
        const record = held[step.index];
        const offset = step.restart || record.response === null ? 0 : record.bytes;
        // The sink's begin() comes before the event: the store truncates to `offset`.
        record.response = head(step.index, ++generation);
        record.bytes = offset;
        segment.started[step.index] = true;
        segment.events.next({ type: 'response', index: step.index, response: record.response, offset });
        return;
      }
      case 'chunk': {
        if (!running(step.index) || !segment.started[step.index]) return;
        held[step.index].bytes += step.bytes;
        if (downloadTotal > 0 && sum(held.map((record) => record.bytes)) > downloadTotal) end('download-total-exceeded');
        segment.events.next({ type: 'chunk', index: step.index, bytes: step.bytes });
        return;
      }
      case 'settle': {
        if (!running(step.index)) return;
        if (step.result !== 'fetch-error' && !segment.started[step.index]) return;
        const results = held.map((record, index) => (index === step.index ? step.result : record.result));
        if (step.result === 'quota-exceeded') end('quota-exceeded');
        else if (results.every((result) => result !== '')) end(firstFailure(results.map((result) => ({ response: null, bytes: 0, result, generation: 0 }))));
        segment.events.next({ type: 'settled', index: step.index, result: step.result });
        return;
      }
      case 'abort':
        if (!model.ended) end('aborted');
        segment.abort$.next();
        // The abort lands a task later (abortWhen): before the schedule's next step.
        advance(0);
        return;
      case 'close': {
        if (model.ended) return;
        segment.pipeline.unsubscribe();
        // A write under way when the manager closed lands after the pipeline stopped: uncounted
        // by this run, but stored, so the resumed run counts it.
        if (step.late !== null && running(step.late.index) && segment.started[step.late.index]) held[step.late.index].bytes += step.late.bytes;
        expect(segment.tallies.filter((tally) => tally.state.result !== '')).toEqual([]);
        segment = start();
        return;
      }
      case 'tick':
        advance(step.ms);
        return;
    }
  };

  const check = () => {
    if (problems.length > 0) throw problems[0];
    expect(segment.tallies.map((tally) => JSON.stringify(tally))).toEqual(segment.readings);
    const finals = segment.tallies.filter((tally) => tally.state.result !== '');
    if (model.ended) {
      // Exactly one final tally, the last one, with the model's reason; the stream is over.
      expect(finals).toHaveLength(1);
      expect(segment.tallies[segment.tallies.length - 1]).toBe(finals[0]);
      expect(finals[0].state).toMatchObject({ result: model.reason === '' ? 'success' : 'failure', failureReason: model.reason });
      expect(segment.completed).toBe(true);
      // The registration got the final state at once, whatever the throttle was holding.
      expect(snapshot(segment.registration)).toMatchObject({ result: finals[0].state.result, failureReason: model.reason, downloaded: finals[0].state.downloaded, recordsAvailable: false });
    } else {
      expect(finals).toEqual([]);
      expect(segment.completed).toBe(false);
    }
    // Exactly one progress event carries the result, and none comes after it.
    const first = segment.progress.findIndex((state) => state.result !== '');
    expect(segment.progress.filter((state) => state.result !== '')).toHaveLength(model.ended ? 1 : 0);
    if (first >= 0) expect(first).toBe(segment.progress.length - 1);
    // The attributes equal the last state state$ emitted.
    expect(snapshot(segment.registration)).toEqual(segment.states[segment.states.length - 1]);
  };

  for (const step of steps) {
    apply(step);
    check();
  }
  // Let every record that is still running finish, so that every run reaches its end.
  for (let index = 0; index < records && !model.ended; index++) {
    if (!running(index)) continue;
    if (!segment.started[index]) apply({ kind: 'response', index, restart: false });
    apply({ kind: 'settle', index, result: 'success' });
    check();
  }
  expect(model.ended).toBe(true);
  const progressed = segment.progress.length;
  // Nothing after the end: an abort or more time changes nothing.
  segment.abort$.next();
  advance(1000);
  expect(segment.progress).toHaveLength(progressed);
  check();
}

describe('through the operators (backgroundFetch: countBytes, limitDownloadTotal, untilSettled, abortWhen; throttleProgress)', () => {
  test('random schedules keep every invariant', () => {
    fc.assert(fc.property(scenarios, runScenario), { numRuns: 400 });
  });

  // Cases the random search must cover, pinned so they are always run.
  test.each<[string, Scenario, BackgroundFetchFailureReason]>([
    [
      'the first failure in request order, not in time',
      { records: 2, downloadTotal: 0, interval: 0, steps: [{ kind: 'response', index: 1, restart: false }, { kind: 'settle', index: 1, result: 'bad-status' }, { kind: 'settle', index: 0, result: 'fetch-error' }] },
      'fetch-error',
    ],
    [
      'aborted wins over a failure already reported',
      { records: 2, downloadTotal: 0, interval: 0, steps: [{ kind: 'settle', index: 0, result: 'fetch-error' }, { kind: 'abort' }] },
      'aborted',
    ],
    [
      'a request cut off by download-total-exceeded is not a failure of its own',
      { records: 2, downloadTotal: 100, interval: 100, steps: [{ kind: 'response', index: 0, restart: false }, { kind: 'response', index: 1, restart: false }, { kind: 'chunk', index: 0, bytes: 60 }, { kind: 'chunk', index: 1, bytes: 60 }] },
      'download-total-exceeded',
    ],
    [
      'quota-exceeded ends the fetch at once',
      { records: 3, downloadTotal: 0, interval: 10, steps: [{ kind: 'response', index: 2, restart: false }, { kind: 'settle', index: 2, result: 'quota-exceeded' }] },
      'quota-exceeded',
    ],
    [
      'a restart replaces the old bytes; a late write before a close is counted once, by the resumed run',
      {
        records: 1,
        downloadTotal: 0,
        interval: 100,
        steps: [
          { kind: 'response', index: 0, restart: false },
          { kind: 'chunk', index: 0, bytes: 500 },
          { kind: 'response', index: 0, restart: true },
          { kind: 'chunk', index: 0, bytes: 200 },
          { kind: 'close', late: { index: 0, bytes: 50 } },
          { kind: 'response', index: 0, restart: false },
          { kind: 'chunk', index: 0, bytes: 30 },
          { kind: 'settle', index: 0, result: 'success' },
        ],
      },
      '',
    ],
  ])('%s', (_name, scenario, reason) => {
    runScenario(scenario);
    expect(reason).toBe(expectedReason(scenario));
  });
});

/** The reason a pinned scenario ends with, by API.md §4 alone (a second opinion on the model). */
function expectedReason(scenario: Scenario): BackgroundFetchFailureReason {
  const steps = scenario.steps;
  if (steps.some((step) => step.kind === 'abort')) return 'aborted';
  if (steps.some((step) => step.kind === 'settle' && step.result === 'quota-exceeded')) return 'quota-exceeded';
  if (scenario.downloadTotal > 0) {
    const chunks = steps.reduce((total, step) => total + (step.kind === 'chunk' ? step.bytes : 0), 0);
    if (chunks > scenario.downloadTotal) return 'download-total-exceeded';
  }
  for (let index = 0; index < scenario.records; index++) {
    const settled = steps.find((step): step is Extract<Step, { kind: 'settle' }> => step.kind === 'settle' && step.index === index);
    if (settled !== undefined && settled.result !== 'success') return settled.result as BackgroundFetchFailureReason;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// Through the manager, against the real server

type Kind = 'ok' | 'missing' | 'broken';
interface Plan {
  readonly requests: ReadonlyArray<{ readonly kind: Kind; readonly size: number }>;
  readonly tight: boolean;
  readonly action: 'none' | 'abort-now' | 'abort-later' | 'close-now' | 'close-later' | 'close-registering';
  /** With `close-registering`: event-loop turns (a microtask or a setImmediate each) between `fetch()` and `close()`. */
  readonly turns: number;
  /** With `abort-later` and `close-later`: ms from the registration to the abort or close. */
  readonly wait: number;
  readonly store: 'memory' | 'indexeddb';
}

const plans: fc.Arbitrary<Plan> = fc.record({
  requests: fc.array(
    fc.record({
      kind: fc.oneof({ weight: 4, arbitrary: fc.constant<Kind>('ok') }, { weight: 1, arbitrary: fc.constant<Kind>('missing') }, { weight: 1, arbitrary: fc.constant<Kind>('broken') }),
      size: fc.integer({ min: 1, max: 150_000 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  tight: fc.boolean(),
  action: fc.oneof(
    fc.constantFrom('none', 'abort-now', 'abort-later', 'close-now', 'close-later'),
    { weight: 1, arbitrary: fc.constant('close-registering' as const) },
  ),
  turns: fc.integer({ min: 0, max: 8 }),
  wait: fc.integer({ min: 0, max: 25 }),
  store: fc.constantFrom('memory', 'indexeddb'),
});

describe('through the manager, against the real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const url = ({ kind, size }: Plan['requests'][number], seed: string) =>
    kind === 'ok' ? `/bytes?size=${size}&seed=${seed}&chunk=16384&delay=1` : kind === 'missing' ? `/status/404?body=${seed}` : `/reset?size=${size}&after=${size >> 2}&times=999&ranges=0&seed=${seed}`;

  async function runPlan(plan: Plan, run: number): Promise<void> {
    const where = fresh(plan.store, 'property');
    const options = { store: where.store, scope: where.scope, baseURL: server.url, retry: { limit: 1, delay: () => 5 }, timeout: 2000, patience: 100, progressInterval: 0 };
    const okBytes = sum(plan.requests.map((request) => (request.kind === 'ok' ? request.size : 0)));
    const downloadTotal = plan.tight && okBytes > 1 ? okBytes - 1 : 0;
    // When the first manager sends each request: none may go out once its close() resolved.
    const sent: number[] = [];
    let closedAt = Infinity;
    const first = new BackgroundFetchManager({ ...options, fetch: (input, init) => (sent.push(performance.now()), globalThis.fetch(input, init)) });
    let finisher = first;
    const done = [completion(first, where)];
    const urls = plan.requests.map((request, index) => url(request, `${run}-${index}`));
    const registering = first.fetch(`run-${run}`, urls, { downloadTotal });
    let aborted: boolean | undefined;
    const later = () => new Promise<void>((resolve) => setTimeout(resolve, plan.wait));
    try {
      if (plan.action === 'close-registering') {
        const answer = registering.then(
          () => null,
          (error: Error) => error,
        );
        for (let turn = 0; turn < plan.turns; turn++) await (turn % 2 === 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(resolve)));
        await first.close();
        closedAt = performance.now();
        const got = await answer;
        if (got !== null) {
          // Refused: nothing was stored, nothing is sent.
          expect(got.name).toBe('InvalidStateError');
          expect(await where.store.load(where.scope)).toEqual([]);
          expect(sent).toEqual([]);
          return;
        }
      }
      let registration: Registration = await registering;
      if (plan.action === 'abort-later' || plan.action === 'close-later') await later();
      if (plan.action.startsWith('abort')) aborted = await registration.abort();
      if (plan.action.startsWith('close')) {
        if (closedAt === Infinity) {
          await first.close();
          closedAt = performance.now();
        }
        finisher = new BackgroundFetchManager(options);
        done.push(completion(finisher, where));
        // The fetch may have ended before the close: then the new manager has nothing to resume.
        registration = (await finisher.get(`run-${run}`)) ?? registration;
      }
      const progress = { final: 0, after: 0 };
      registration.addEventListener('progress', () => {
        if (progress.final > 0) progress.after++;
        if (registration.result !== '') progress.final++;
      });
      const mismatches: unknown[] = [];
      registration.state$.subscribe((state) => {
        const seen = snapshot(registration);
        if (JSON.stringify(seen) !== JSON.stringify(state)) mismatches.push({ seen, state });
      });
      const outcome = await Promise.race(done);
      const final = await expectSettledAndEmpty(outcome.registration, where);
      expect(snapshot(outcome.registration)).toEqual(final);

      const reason: BackgroundFetchFailureReason = aborted
        ? 'aborted'
        : downloadTotal > 0
          ? 'download-total-exceeded'
          : firstFailure(plan.requests.map(({ kind }) => ({ response: null, bytes: 0, result: kind === 'ok' ? 'success' : kind === 'missing' ? 'bad-status' : 'fetch-error', generation: 0 })));
      expect(final).toMatchObject({ result: reason === '' ? 'success' : 'failure', failureReason: reason });
      expect(outcome.type).toBe(reason === '' ? 'backgroundfetchsuccess' : reason === 'aborted' ? 'backgroundfetchabort' : 'backgroundfetchfail');
      expectCounted(outcome);
      if (reason === '' || reason === 'bad-status' || reason === 'fetch-error') {
        expectNoLoss(
          outcome,
          plan.requests.map((request, index) => (request.kind === 'ok' ? bodyOf(request.size, `${run}-${index}`) : request.kind === 'missing' ? Buffer.from(`${run}-${index}`) : 'TypeError')),
        );
      }
      expect(mismatches).toEqual([]);
      if (outcome.registration === registration) expect(progress).toMatchObject({ after: 0 });
      expect(sent.filter((at) => at > closedAt)).toEqual([]);
    } finally {
      await first.close();
      await finisher.close();
    }
  }

  test('random fetches, aborts and close-and-resume keep every invariant', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(plans, (plan) => runPlan(plan, run++)),
      { numRuns: 40 },
    );
  });

  test('the reason and the bytes agree with what the server served, across a close and resume', async () => {
    await runPlan({ requests: [{ kind: 'ok', size: 120_000 }, { kind: 'missing', size: 0 }, { kind: 'ok', size: 70_000 }], tight: false, action: 'close-later', store: 'indexeddb', turns: 0, wait: 3 }, 10_000);
    await runPlan({ requests: [{ kind: 'broken', size: 50_000 }, { kind: 'ok', size: 90_000 }], tight: true, action: 'none', store: 'memory', turns: 0, wait: 3 }, 10_001);
    await runPlan({ requests: [{ kind: 'ok', size: 120_000 }], tight: false, action: 'close-registering', store: 'indexeddb', turns: 3, wait: 3 }, 10_002);
    // Found by CI: a restart under way when another record passed downloadTotal (before the fix it failed one run in a few; races.spec gates the same race every time).
    await runPlan({ requests: [{ kind: 'ok', size: 40_087 }, { kind: 'broken', size: 92_823 }], tight: true, action: 'close-later', store: 'indexeddb', turns: 0, wait: 3 }, 10_003);
  });
});
