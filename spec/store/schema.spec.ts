/**
 * The IndexedDB layout, version 2 (issue 15): a record has no row until something is written to
 * it, so registering a fetch puts one row, and a small body costs its chunk and its row. A record
 * with no row loads as empty and is fetched from its first byte; a database of version 1 (a row
 * for every record from the start) is read as it is and goes on where it stopped.
 */
import 'fake-indexeddb/auto';
import { filter, firstValueFrom, lastValueFrom } from 'rxjs';
import * as here from '../../src';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';
import { completion, expectNoLoss, indexedDBKeys } from '../reliability/support';
import { otherRealm } from './support';

let server: TestServer;
let made = 0;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** Runs `work` on the object store of `database`, opened raw, in one transaction; resolves with its request's result once it committed. */
function inDatabase<T>(database: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const transaction = open.result.transaction('fetches', mode);
      const request = work(transaction.objectStore('fetches'));
      transaction.oncomplete = () => {
        open.result.close();
        resolve(request?.result);
      };
      transaction.onerror = () => reject(transaction.error);
    };
  });
}

const size = 2 * 1024 * 1024;
const requests = [`/bytes?size=${size}&chunk=65536&delay=5`, '/text?body=second', '/text?body=third'];

/** Starts `requests` one at a time on `database` and stops once the first record holds some bytes. */
async function stopEarly(database: string, scope: string): Promise<void> {
  const store = here.openIndexedDBStore({ database });
  const manager = new here.BackgroundFetchManager({ store, scope, baseURL: server.url, concurrency: 1, progressInterval: 0 });
  const registration = await manager.fetch('media', requests);
  await firstValueFrom(registration.state$.pipe(filter((state) => state.downloaded > 256 * 1024)));
  await manager.close();
}

/**
 * In another realm (which knows nothing this one wrote), loads `scope` of `database` and resumes
 * it to its end, checking every body byte for byte and every byte counted once stored; resolves
 * with what was loaded.
 */
async function resumeElsewhere(database: string, scope: string): Promise<here.LoadedFetch> {
  const other = otherRealm();
  const store = other.openIndexedDBStore({ database });
  const [loaded] = await store.load(scope);
  server.reset();
  const manager = new other.BackgroundFetchManager({ store, scope, baseURL: server.url, progressInterval: 0 });
  const done = completion(manager, { store, scope });
  await manager.get('media');
  const outcome = await done;
  await manager.close();
  expect(outcome.type).toBe('backgroundfetchsuccess');
  expectNoLoss(outcome, [bodyOf(size), Buffer.from('second'), Buffer.from('third')]);
  return loaded;
}

test('registering 200 requests puts one row; a small body then costs its chunk and its row, never an empty row', async () => {
  const database = `schema-puts-${process.pid}-${++made}`;
  const store = here.openIndexedDBStore({ database });
  const manager = new here.BackgroundFetchManager({ store, scope: 'puts', baseURL: server.url });
  const done = completion(manager, { store, scope: 'puts' });
  await manager.getIds(); // the schema stamped, before counting
  const put = jest.spyOn(IDBObjectStore.prototype, 'put');
  try {
    const registration = await manager.fetch(
      'small',
      Array.from({ length: 200 }, (_, i) => `/text?body=record-${i}`),
    );
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.calls[0][1]).toEqual(['fetch', expect.any(String)]);
    expectNoLoss(
      await done,
      Array.from({ length: 200 }, (_, i) => Buffer.from(`record-${i}`)),
    );
    await lastValueFrom(registration.state$);
    // Besides the fetch row, put twice: a chunk for each record and a row for each record that
    // holds something (its result rides with its chunk when the write still gathers, else comes
    // on its own), never an empty one.
    const puts = (kind: string) => put.mock.calls.filter(([, key]) => (key as IDBValidKey[])[0] === kind);
    expect(puts('chunk')).toHaveLength(200);
    const rows = puts('record').map(([row]) => row as { bytes: number; result: string });
    expect(rows.filter((row) => row.bytes === 0 && row.result === '')).toEqual([]);
    expect(new Set(puts('record').map(([, key]) => (key as IDBValidKey[])[2])).size).toBe(200);
    expect(puts('fetch')).toHaveLength(2);
    expect(put).toHaveBeenCalledTimes(2 + 200 + rows.length);
  } finally {
    put.mockRestore();
    await manager.close();
  }
});

test('records never written to have no row, load as empty and are fetched whole from their first byte', async () => {
  const database = `schema-norow-${process.pid}-${++made}`;
  const scope = 'norow';
  await stopEarly(database, scope);
  const rows = (await indexedDBKeys(database)).filter((key) => (key as IDBValidKey[])[0] === 'record');
  expect(rows).toEqual([['record', expect.any(String), 0]]);

  const loaded = await resumeElsewhere(database, scope);
  const held = loaded.records[0].bytes;
  expect(held).toBeGreaterThan(0);
  expect(loaded.records.slice(1)).toEqual([
    { response: null, bytes: 0, result: '' },
    { response: null, bytes: 0, result: '' },
  ]);
  expect(server.requests.map((request) => [request.path, request.range])).toEqual([
    ['/bytes', `bytes=${held}-`],
    ['/text', undefined],
    ['/text', undefined],
  ]);
});

test('a database of schema version 1 (a row for every record) is read as it is, goes on where it stopped, and is stamped 2', async () => {
  const database = `schema-v1-${process.pid}-${++made}`;
  const scope = 'v1';
  await stopEarly(database, scope);
  // What version 1 left: the same rows, plus an empty row for every record not yet written to.
  const [, key] = (await indexedDBKeys(database)).find((found) => (found as IDBValidKey[])[0] === 'fetch') as [string, string];
  await inDatabase(database, 'readwrite', (store) => {
    store.put(1, ['schema']);
    for (const index of [1, 2]) store.put({ response: null, bytes: 0, chunks: 0, result: '' }, ['record', key, index]);
  });

  const warn = jest.spyOn(console, 'warn');
  try {
    const loaded = await resumeElsewhere(database, scope);
    expect(warn).not.toHaveBeenCalled();
    expect(loaded.records[0].bytes).toBeGreaterThan(0);
    expect(server.requests[0].range).toBe(`bytes=${loaded.records[0].bytes}-`);
  } finally {
    warn.mockRestore();
  }
  expect(await inDatabase(database, 'readonly', (store) => store.get(['schema']))).toBe(2);
});
