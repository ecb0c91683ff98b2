import { following } from '../../operators/following';
import { RecordStop, type StopSignal } from '../../operators/recordStop';

/** A stop and its abort: a record's, or a plain AbortSignal's, the two kinds `following` is given. */
interface Made {
  readonly stop: StopSignal;
  abort(reason: unknown): void;
}

function recordStop(): Made {
  const stop = new RecordStop();
  return { stop, abort: (reason) => stop.abort(reason) };
}

function abortSignal(): Made {
  const controller = new AbortController();
  return { stop: controller.signal, abort: (reason) => controller.abort(reason) };
}

const stops: [string, () => Made][] = [
  ['a RecordStop', recordStop],
  ['an AbortSignal', abortSignal],
];

describe.each(stops)('following %s', (_, make) => {
  it("aborts with the stop's reason when the stop aborts", () => {
    const { stop, abort } = make();
    const { controller } = following(stop);
    expect(controller.signal.aborted).toBe(false);
    abort('gone');
    expect([controller.signal.aborted, controller.signal.reason]).toEqual([true, 'gone']);
  });

  it('is aborted at once, with its reason, when the stop already was', () => {
    const { stop, abort } = make();
    abort('before');
    const { controller } = following(stop);
    expect([controller.signal.aborted, controller.signal.reason]).toEqual([true, 'before']);
  });

  it('after unfollow() is not reached by the stop', () => {
    const { stop, abort } = make();
    const { controller, unfollow } = following(stop);
    unfollow();
    abort('late');
    expect(controller.signal.aborted).toBe(false);
  });
});
