/**
 * A settled record's response reads back with one copy of the stored chunks (`arrayBuffer()`,
 * `text()`, `json()` bypass the stream), and still behaves as a read body: `bodyUsed`, a second
 * read rejecting `TypeError`, `clone()` before and after. A record still downloading streams.
 */
import { BehaviorSubject } from 'rxjs';
import type { RecordStatus } from '../../operators';
import { recordResponse, type RecordSource } from '../../src/engine/recordResponse';

const head = { url: 'https://a.test/x', status: 200, statusText: 'OK', headers: [['content-type', 'application/json']] as const };
// Node's own errors come from another realm than jest's globals, so errors are matched by name.
const bytesOf = (text: string) => new TextEncoder().encode(text);

function fakeSource(chunks: Uint8Array[], result: RecordStatus['result']) {
  const total = (list: Uint8Array[]) => list.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const status$ = new BehaviorSubject<RecordStatus>({ response: head, bytes: total(chunks), result, generation: 0 });
  const reads: number[] = [];
  const source: RecordSource = {
    current: () => status$.getValue(),
    watch: () => status$,
    readChunks: async (_index, from) => {
      reads.push(from);
      return chunks.slice(from);
    },
  };
  const add = (chunk: Uint8Array, settle?: RecordStatus['result']) => {
    chunks.push(chunk);
    status$.next({ ...status$.getValue(), bytes: total(chunks), result: settle ?? '' });
  };
  return { source, reads, add };
}

describe('a settled record read back whole', () => {
  test('arrayBuffer() concatenates the stored chunks with one store read, and marks the body used', async () => {
    const { source, reads } = fakeSource([bytesOf('{"a":'), bytesOf('1}')], 'success');
    const response = await recordResponse(source, 0);
    expect(response.bodyUsed).toBe(false);
    const read = response.arrayBuffer();
    expect(response.bodyUsed).toBe(true);
    expect(new TextDecoder().decode(await read)).toBe('{"a":1}');
    expect(reads).toEqual([0]);
    await expect(response.arrayBuffer()).rejects.toMatchObject({ name: 'TypeError' });
    await expect(response.text()).rejects.toMatchObject({ name: 'TypeError' });
    expect(() => response.clone()).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });

  test('text() and json() decode the same bytes (a bad-status body too)', async () => {
    const { source } = fakeSource([bytesOf('\uFEFF{"a":'), bytesOf('"é"}')], 'bad-status');
    expect(await (await recordResponse(source, 0)).text()).toBe('{"a":"é"}');
    expect(await (await recordResponse(source, 0)).json()).toEqual({ a: 'é' });
    const broken = fakeSource([bytesOf('{')], 'success');
    await expect((await recordResponse(broken.source, 0)).json()).rejects.toThrow(SyntaxError);
  });

  test('a clone taken before the read and the original both get the whole body', async () => {
    const { source } = fakeSource([bytesOf('ab'), bytesOf('cd')], 'success');
    const response = await recordResponse(source, 0);
    const copy = response.clone();
    expect(await response.text()).toBe('abcd');
    expect(await copy.text()).toBe('abcd');
  });

  test('a body already locked by a reader is not read behind its back', async () => {
    const { source } = fakeSource([bytesOf('ab')], 'success');
    const response = await recordResponse(source, 0);
    response.body!.getReader();
    await expect(response.arrayBuffer()).rejects.toMatchObject({ name: 'TypeError' });
  });

  test('fewer stored bytes than counted is a TypeError, as on the stream', async () => {
    const { source } = fakeSource([bytesOf('ab')], 'success');
    const response = await recordResponse({ ...source, current: () => ({ ...source.current(0), bytes: 3 }) }, 0);
    await expect(response.arrayBuffer()).rejects.toThrow('The store lost bytes of this response.');
  });
});

describe('a record still downloading', () => {
  test('streams: arrayBuffer() waits for the chunks still to come', async () => {
    const { source, add } = fakeSource([bytesOf('ab')], '');
    const response = await recordResponse(source, 0);
    const read = response.text();
    await new Promise((resolve) => setTimeout(resolve, 10));
    add(bytesOf('cd'));
    add(bytesOf('ef'), 'success');
    expect(await read).toBe('abcdef');
    expect(response.bodyUsed).toBe(true);
  });
});
