import { memorySink } from '../../operators/memorySink';
import type { StoredResponse } from '../../operators/types';

const head: StoredResponse = { url: 'http://127.0.0.1/a', status: 200, statusText: 'OK', headers: [] };

describe('memorySink', () => {
  test('keeps chunks as they arrive, without copying, and reports where to resume', async () => {
    const sink = memorySink();
    expect(await sink.resumePoint(0)).toEqual({ offset: 0, response: null });
    const first = new Uint8Array([1, 2, 3]);
    await sink.begin(0, head, 0);
    await sink.write(0, first);
    await sink.write(0, new Uint8Array([4]));
    expect(sink.chunks(0)[0]).toBe(first);
    expect(await sink.resumePoint(0)).toEqual({ offset: 4, response: head });
    expect(sink.chunks(1)).toEqual([]);
  });

  test('a restart at offset 0 drops the old bytes; a resume at the held offset keeps them', async () => {
    const sink = memorySink();
    await sink.begin(0, head, 0);
    await sink.write(0, new Uint8Array(10));
    await sink.begin(0, head, 10);
    expect(sink.chunks(0)).toHaveLength(1);
    await sink.begin(0, { ...head, status: 404 }, 0);
    expect(sink.chunks(0)).toEqual([]);
    expect(sink.response(0)?.status).toBe(404);
  });

  test('a resume at an offset it does not hold is refused', async () => {
    const sink = memorySink();
    await sink.begin(0, head, 0);
    await sink.write(0, new Uint8Array(10));
    await expect(sink.begin(0, head, 5)).rejects.toThrow(/holds 10 bytes and cannot resume at 5/);
  });
});
