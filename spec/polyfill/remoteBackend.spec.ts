/**
 * RemoteBackend's mirror when states outrun replies: a host publishes on a BroadcastChannel and
 * replies on another path, so a page can hear states of a fetch before the reply that names it.
 * Each state carries only the records changed since the one before, so none of those may be
 * lost, and none older than the reply may overwrite it. The host here is a script of messages.
 */
import type { BackgroundFetchState, RecordStatus, StoredResponse } from '../../operators/types';
import type { BackgroundFetchRecord } from '../../src/BackgroundFetchRecord';
import type { RemoteFetch } from '../../src/polyfill/protocol';
import { RemoteBackend, type Caller } from '../../src/polyfill/remoteBackend';

const head: StoredResponse = { url: 'https://a.test/0', status: 200, statusText: 'OK', headers: [['content-type', 'text/plain']] };
const state: BackgroundFetchState = { id: 'f', uploadTotal: 0, uploaded: 0, downloadTotal: 0, downloaded: 0, result: '', failureReason: '', recordsAvailable: true };
const status = (patch: Partial<RecordStatus>): RecordStatus => ({ response: null, bytes: 0, result: '', generation: 0, ...patch });
const requests = [0, 1, 2].map((index) => ({ url: `https://a.test/${index}`, method: 'GET', headers: [], body: null }));
const options = { downloadTotal: 0, title: '', icons: [] };

/** Whether a record's responseReady settles within a few ms (an unmoved record waits). */
const settles = (record: BackgroundFetchRecord) =>
  Promise.race([record.responseReady.then(() => 'resolved', () => 'rejected'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 20))]);

describe('RemoteBackend mirrors records from states that come before the reply', () => {
  it('keeps every record of the early states newer than the reply, and none older', async () => {
    let backend!: RemoteBackend;
    const states: RemoteFetch[] = [
      // Older than the reply: record 1 had not moved then; the reply knows better.
      { key: 'k', seq: 99, state, waiting: false, records: [[1, status({})]] },
      // Newer: record 0 got its head, then record 2 failed; each state names only its own change.
      { key: 'k', seq: 101, state, waiting: false, records: [[0, status({ response: head })]] },
      { key: 'k', seq: 102, state, waiting: false, records: [[2, status({ result: 'fetch-error' })]] },
    ];
    const reply: RemoteFetch = { key: 'k', seq: 100, state, waiting: false, records: [[1, status({ response: { ...head, url: 'https://a.test/1' }, bytes: 4, result: 'success' })]] };
    const calls: string[] = [];
    const caller: Caller = async (call) => {
      calls.push(call.method);
      if (call.method !== 'fetch') throw new TypeError(`this host answers fetch only, not ${call.method}`);
      for (const early of states) backend.receive(early);
      return reply as never;
    };
    backend = new RemoteBackend('scope', 'https://a.test/', caller);
    const registration = await backend.fetch('f', requests, options);
    const records = await registration.matchAll();
    expect(await Promise.all(records.map(settles))).toEqual(['resolved', 'resolved', 'rejected']);
    expect((await records[0].responseReady).headers.get('content-type')).toBe('text/plain');
    expect((await records[1].responseReady).url).toBe('https://a.test/1');
    expect(calls).toEqual(['fetch']);
  });

  it('emits a state again only when it changed, not for a state sent for its records', async () => {
    let backend!: RemoteBackend;
    const caller: Caller = async () => ({ key: 'k', seq: 1, state, waiting: false, records: [] }) as never;
    backend = new RemoteBackend('scope', 'https://a.test/', caller);
    const registration = await backend.fetch('f', requests, options);
    const seen: number[] = [];
    registration.state$.subscribe((each) => seen.push(each.downloaded));
    backend.receive({ key: 'k', seq: 2, state: { ...state }, waiting: false, records: [[0, status({ response: head })]] });
    backend.receive({ key: 'k', seq: 3, state: { ...state, downloaded: 7 }, waiting: false, records: [[0, status({ response: head, bytes: 7 })]] });
    expect(seen).toEqual([0, 7]);
  });
});
