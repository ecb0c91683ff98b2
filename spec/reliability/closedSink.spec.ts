/**
 * A closed manager writes nothing more (the engine's guarded sink, `src/engine/guardedSink.ts`):
 * `shut()` refuses every write, begin and read asked after it before any reaches the store, and
 * waits for those under way. A write that reached the store after `close()` resolved would land
 * in the records the next manager of the same store resumes from: its bytes in the middle of
 * the resumed body, a success with a corrupted body (seen in CI as 1 MB too many).
 */
import { guardSink } from '../../src/engine/guardedSink';
import type { BodySink, StoredResponse } from '../../operators/types';

const head: StoredResponse = { url: 'http://127.0.0.1/a', status: 200, statusText: 'OK', headers: [] };

/** A sink that notes every call that reaches it; each write waits for `hold` when given. */
function recordingSink(hold?: Promise<void>): { sink: BodySink; calls: string[]; landed: number[] } {
  const calls: string[] = [];
  const landed: number[] = [];
  const sink: BodySink = {
    resumePoint: async (index) => {
      calls.push(`resumePoint ${index}`);
      return { offset: 0, response: null };
    },
    begin: async (index) => {
      calls.push(`begin ${index}`);
    },
    write: async (index, chunk) => {
      calls.push(`write ${index} ${chunk.byteLength}`);
      await hold;
      landed.push(chunk.byteLength);
    },
  };
  return { sink, calls, landed };
}

const closedError = { name: 'AbortError', message: expect.stringContaining('closed') };

describe.each([
  ['without a quota', undefined],
  ['with a quota', async () => ({ usage: 0, quota: 1e9 })],
])('a shut sink, %s', (_, quota) => {
  test('refuses writes, begins and reads before they reach the store', async () => {
    const { sink, calls } = recordingSink();
    const guarded = guardSink(sink, quota);
    await guarded.begin(0, head, 0);
    await guarded.write(0, new Uint8Array(3));
    await guarded.shut();
    const before = [...calls];
    await expect(guarded.write(0, new Uint8Array(5))).rejects.toMatchObject(closedError);
    await expect(guarded.begin(0, head, 0)).rejects.toMatchObject(closedError);
    await expect(guarded.resumePoint(0)).rejects.toMatchObject(closedError);
    expect(calls).toEqual(before);
    expect(before).toEqual(['begin 0', 'write 0 3']);
  });

  test('waits for the writes under way, then refuses the one a landing write makes (a write-behind’s next group)', async () => {
    let release!: () => void;
    const { sink, calls, landed } = recordingSink(new Promise((resolve) => (release = resolve)));
    const guarded = guardSink(sink, quota);
    const next = guarded.write(0, new Uint8Array(4)).then(() => guarded.write(0, new Uint8Array(6)));
    let shutDone = false;
    const shutting = guarded.shut().then(() => (shutDone = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(shutDone).toBe(false);
    release();
    await shutting;
    expect(landed).toEqual([4]);
    await expect(next).rejects.toMatchObject(closedError);
    expect(calls).toEqual(['write 0 4']);
  });
});

test('a sink that throws instead of rejecting leaves nothing in flight: shut() does not wait for it', async () => {
  const { sink } = recordingSink();
  const guarded = guardSink(
    {
      ...sink,
      write: () => {
        throw new Error('disk on fire');
      },
    },
    undefined,
  );
  expect(() => guarded.write(0, new Uint8Array(1))).toThrow('disk on fire');
  await guarded.shut();
});
