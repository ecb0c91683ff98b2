import { TestScheduler } from 'rxjs/testing';
import type { RecordEvent, RecordResult, StoredResponse } from '../../operators/types';

/** The response head the marble specs use. */
export const head: StoredResponse = { url: 'http://127.0.0.1/a', status: 200, statusText: 'OK', headers: [] };

/** Record events for marble diagrams: `chunk(0, 3)` is 3 bytes stored for record 0. */
export const chunk = (index: number, bytes: number): RecordEvent => ({ type: 'chunk', index, bytes });
export const response = (index: number, offset: number): RecordEvent => ({ type: 'response', index, response: head, offset });
export const settled = (index: number, result: RecordResult): RecordEvent => ({ type: 'settled', index, result });
export const uploaded = (index: number, bytes: number): RecordEvent => ({ type: 'uploaded', index, bytes });

/** A TestScheduler that compares frames with jest's deep equality, as RxJS's own specs do. */
export const deepEqualScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/**
 * A TestScheduler that compares each emitted value through `summary`, applied once the run is
 * over: a tally that changed after it was emitted would read differently from what it was.
 */
export const summaryScheduler = <T, S>(summary: (value: T) => S): TestScheduler =>
  new TestScheduler((actual: unknown, expected) => {
    const read = (frames: unknown) =>
      Array.isArray(frames)
        ? frames.map((frame: { frame: number; notification: { kind: string; value?: unknown } }) =>
            frame.notification?.kind === 'N' ? { ...frame, notification: { ...frame.notification, value: summary(frame.notification.value as T) } } : frame,
          )
        : frames;
    expect(read(actual)).toEqual(expected);
  });
