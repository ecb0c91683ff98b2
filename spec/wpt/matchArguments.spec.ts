/**
 * `match(RequestInfo request, optional CacheQueryOptions options)` and `matchAll(optional
 * RequestInfo request, optional CacheQueryOptions options)` convert their arguments as Web IDL
 * does (issue 11 §7): a `Request` stays one, anything else becomes a string (`String(value)`),
 * which is then a URL against the base; `undefined` for `matchAll`'s optional request means every
 * record; the options are a dictionary (an object, `undefined` or `null`, members read as
 * booleans). Only what the native API rejects is rejected.
 */
import { lastValueFrom } from 'rxjs';
import type { BackgroundFetchRecord, BackgroundFetchRegistration } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { SLOW, managerFactory, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: `${server.url}/cors/` }));

/** What `String(value)` makes of `null`, `undefined` and a plain object, each a record of its own. */
const converted = ['null', 'undefined', '[object Object]'];
const relative = ['feature-name.txt', 'feature-name.txt?v=1', ...converted];

/** A running fetch (its last request never answers) holding one record per {@link relative} URL. */
async function running(): Promise<BackgroundFetchRegistration> {
  return managers.create().fetch(uniqueId(), [...relative, SLOW]);
}

/** The paths (with queries) of the records' requests. */
const paths = (records: Array<BackgroundFetchRecord | undefined>) =>
  records.map((record) => (record === undefined ? undefined : decodeURI(new URL(record.request.url).pathname + new URL(record.request.url).search)));

describe('the request argument', () => {
  test('match(null) matches the URL "null" against the base, as String(null) is', async () => {
    const registration = await running();
    expect(paths([await registration.match(null as never)])).toEqual(['/cors/null']);
    expect(paths(await registration.matchAll(null as never))).toEqual(['/cors/null']);
    await registration.abort();
  });

  test('match(undefined) matches the URL "undefined" (the argument is given), not every record', async () => {
    const registration = await running();
    expect(paths([await registration.match(undefined as never)])).toEqual(['/cors/undefined']);
    await registration.abort();
  });

  test('matchAll({ ignoreMethod: true }) takes the object as the request: the URL "[object Object]"', async () => {
    const registration = await running();
    expect(paths(await registration.matchAll({ ignoreMethod: true } as never))).toEqual(['/cors/[object Object]']);
    await registration.abort();
  });

  test('matchAll(undefined) and matchAll() are every record, in request order', async () => {
    const registration = await running();
    const every = [...relative.map((path) => `/cors/${path}`), SLOW];
    expect(paths(await registration.matchAll(undefined))).toEqual(every);
    expect(paths(await registration.matchAll())).toEqual(every);
    expect(paths(await registration.matchAll(undefined, { ignoreSearch: true }))).toEqual(every);
    await registration.abort();
  });

  test('a URL object and an object with a toString() are matched by the string they give', async () => {
    const registration = await running();
    const url = new URL('feature-name.txt', `${server.url}/cors/`);
    expect(paths([await registration.match(url)])).toEqual(['/cors/feature-name.txt']);
    const stringy = { toString: () => 'feature-name.txt?v=1' };
    expect(paths(await registration.matchAll(stringy as never))).toEqual(['/cors/feature-name.txt?v=1']);
    await registration.abort();
  });

  test('match() with no argument at all rejects with a TypeError that says so', async () => {
    const registration = await running();
    const match = registration.match as (...args: unknown[]) => Promise<unknown>;
    await expect(match.call(registration)).rejects.toThrow(new TypeError('match() needs a request or URL to match.'));
    await registration.abort();
  });

  test('a value with no string form rejects: the error its toString() threw, a TypeError for a Symbol', async () => {
    const registration = await running();
    const boom = new Error('no string for you');
    const throwing = {
      toString() {
        throw boom;
      },
    };
    await expect(registration.match(throwing as never)).rejects.toBe(boom);
    await expect(registration.matchAll(throwing as never)).rejects.toBe(boom);
    await expect(registration.match(Symbol('x') as never)).rejects.toThrow(new TypeError('match() cannot convert a Symbol to a URL string; pass a URL or a Request.'));
    await expect(registration.matchAll(Symbol('x') as never)).rejects.toThrow(TypeError);
    await registration.abort();
  });

  test('a URL with credentials rejects with a TypeError that names it without its password (new Request() refuses it)', async () => {
    const registration = await running();
    const error = await registration.match(`http://user:secret@127.0.0.1:${server.port}/cors/feature-name.txt`).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      `Cannot match "http://user:***@127.0.0.1:${server.port}/cors/feature-name.txt": a URL with credentials cannot be requested; match it without them.`,
    );
    await registration.abort();
  });
});

describe('the options argument', () => {
  test('null and undefined are the default options', async () => {
    const registration = await running();
    expect(paths(await registration.matchAll('feature-name.txt', null as never))).toEqual(['/cors/feature-name.txt']);
    expect(paths(await registration.matchAll('feature-name.txt', undefined))).toEqual(['/cors/feature-name.txt']);
    expect(paths([await registration.match('feature-name.txt', null as never)])).toEqual(['/cors/feature-name.txt']);
    await registration.abort();
  });

  test('members are read as booleans, as a dictionary conversion does', async () => {
    const registration = await running();
    const both = ['/cors/feature-name.txt', '/cors/feature-name.txt?v=1'];
    expect(paths(await registration.matchAll('feature-name.txt', { ignoreSearch: 1 } as never))).toEqual(both);
    expect(paths(await registration.matchAll('feature-name.txt', { ignoreSearch: 'yes' } as never))).toEqual(both);
    expect(paths(await registration.matchAll('feature-name.txt', { ignoreSearch: 0 } as never))).toEqual(['/cors/feature-name.txt']);
    // A function is an object too.
    expect(paths(await registration.matchAll('feature-name.txt', Object.assign(() => undefined, { ignoreSearch: true }) as never))).toEqual(both);
    await registration.abort();
  });

  test.each([
    ['a string', 'x', 'string'],
    ['a number', 1, 'number'],
    ['true', true, 'boolean'],
  ])('options that are %s reject with a TypeError naming what was given', async (_name, options, type) => {
    const registration = await running();
    const message = `match() options must be an object with ignoreSearch, ignoreMethod or ignoreVary, got ${type}.`;
    await expect(registration.match('feature-name.txt', options as never)).rejects.toThrow(new TypeError(message));
    await expect(registration.matchAll('feature-name.txt', options as never)).rejects.toThrow(new TypeError(message.replace('match()', 'matchAll()')));
    await registration.abort();
  });

  test('arguments are converted before the records are checked: a bad option is a TypeError even once records are gone', async () => {
    const manager = managers.create();
    const registration = await manager.fetch(uniqueId(), 'feature-name.txt');
    await lastValueFrom(registration.state$);
    await expect(registration.matchAll(undefined, 'x' as never)).rejects.toThrow(TypeError);
    await expect(registration.match(null as never)).rejects.toMatchObject({ name: 'InvalidStateError' });
  });
});
