/**
 * WPT `background-fetch/idlharness.https.any.js` (ID-01), adapted: the WebIDL shape of the
 * exported classes (catalogue §8). The ponyfill's `BackgroundFetchManager` is constructible on
 * purpose (that is how it is used); registrations and records are not.
 */
import {
  BackgroundFetchEvent,
  BackgroundFetchManager,
  BackgroundFetchRecord,
  BackgroundFetchRegistration,
  BackgroundFetchUpdateUIEvent,
} from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FN, SLOW, cloneRegistration, expectOverAndIdFree, managerFactory, uniqueId } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

const attributes = ['id', 'uploadTotal', 'uploaded', 'downloadTotal', 'downloaded', 'result', 'failureReason', 'recordsAvailable'];
type Constructor = abstract new (...args: never[]) => unknown;
const loose = (Class: unknown) => Class as new (...args: unknown[]) => unknown;

describe('ID-01 idl_test background-fetch', () => {
  test('ID-01 interface objects have their IDL names and inheritance', () => {
    const classes: Array<[Constructor, string, Constructor]> = [
      [BackgroundFetchManager, 'BackgroundFetchManager', EventTarget],
      [BackgroundFetchRegistration, 'BackgroundFetchRegistration', EventTarget],
      [BackgroundFetchRecord, 'BackgroundFetchRecord', Object],
      [BackgroundFetchEvent, 'BackgroundFetchEvent', Event],
      [BackgroundFetchUpdateUIEvent, 'BackgroundFetchUpdateUIEvent', BackgroundFetchEvent],
    ];
    for (const [Class, name, Parent] of classes) {
      expect(Class.name).toBe(name);
      expect(Class.prototype).toBeInstanceOf(Parent === Object ? Object : Parent);
      expect(Class.prototype.constructor).toBe(Class);
    }
  });

  test('ID-01 operations have their IDL lengths and are enumerable prototype methods', () => {
    const operations: Array<[Constructor, string, number]> = [
      [BackgroundFetchManager, 'fetch', 2],
      [BackgroundFetchManager, 'get', 1],
      [BackgroundFetchManager, 'getIds', 0],
      [BackgroundFetchRegistration, 'abort', 0],
      [BackgroundFetchRegistration, 'match', 1],
      [BackgroundFetchRegistration, 'matchAll', 0],
      [BackgroundFetchUpdateUIEvent, 'updateUI', 0],
      [BackgroundFetchEvent, 'waitUntil', 1],
    ];
    for (const [Class, name, length] of operations) {
      const descriptor = Object.getOwnPropertyDescriptor(Class.prototype, name);
      expect({ name, type: typeof descriptor?.value }).toEqual({ name, type: 'function' });
      expect({ name, length: descriptor!.value.length }).toEqual({ name, length });
      expect({ name, enumerable: descriptor!.enumerable, configurable: descriptor!.configurable, writable: descriptor!.writable }).toEqual({
        name,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
  });

  test('ID-01 attributes are enumerable, configurable read-only accessors on the prototypes', () => {
    const readonly: Array<[Constructor, string]> = [
      ...attributes.map((name): [Constructor, string] => [BackgroundFetchRegistration, name]),
      [BackgroundFetchRecord, 'request'],
      [BackgroundFetchRecord, 'responseReady'],
      [BackgroundFetchEvent, 'registration'],
    ];
    for (const [Class, name] of readonly) {
      const descriptor = Object.getOwnPropertyDescriptor(Class.prototype, name);
      expect({ name, get: typeof descriptor?.get, set: typeof descriptor?.set }).toEqual({ name, get: 'function', set: 'undefined' });
      expect({ name, enumerable: descriptor!.enumerable, configurable: descriptor!.configurable }).toEqual({ name, enumerable: true, configurable: true });
    }
    const onprogress = Object.getOwnPropertyDescriptor(BackgroundFetchRegistration.prototype, 'onprogress');
    expect(typeof onprogress?.get).toBe('function');
    expect(typeof onprogress?.set).toBe('function');
    expect(onprogress?.enumerable).toBe(true);
  });

  test('ID-01 Symbol.toStringTag names each interface', () => {
    for (const Class of [BackgroundFetchManager, BackgroundFetchRegistration, BackgroundFetchRecord, BackgroundFetchEvent, BackgroundFetchUpdateUIEvent]) {
      expect(Symbol.toStringTag in Class.prototype).toBe(true);
      expect(Object.prototype.propertyIsEnumerable.call(Class.prototype, Symbol.toStringTag)).toBe(false);
    }
  });

  test('ID-01 registrations and records cannot be constructed from script; events need a registration', () => {
    expect(() => new (loose(BackgroundFetchRegistration))()).toThrow(TypeError);
    expect(() => new (loose(BackgroundFetchRegistration))(Symbol('BackgroundFetchRegistration'), {})).toThrow(TypeError);
    expect(() => new (loose(BackgroundFetchRecord))()).toThrow(TypeError);
    expect(() => new (loose(BackgroundFetchRecord))(Symbol('BackgroundFetchRecord'), new Request(server.url), async () => new Response())).toThrow(TypeError);
    for (const Class of [BackgroundFetchEvent, BackgroundFetchUpdateUIEvent]) {
      expect(Class.length).toBe(2); // constructor(DOMString type, BackgroundFetchEventInit init)
      expect(() => new (loose(Class))('backgroundfetchsuccess')).toThrow(TypeError);
      expect(() => new (loose(Class))('backgroundfetchsuccess', {})).toThrow(TypeError);
      expect(() => new (loose(Class))('backgroundfetchsuccess', { registration: undefined })).toThrow(TypeError);
      expect(() => new (loose(Class))('backgroundfetchsuccess', null)).toThrow(TypeError);
    }
  });

  test('ID-01 live objects: a for…in copy of a registration sees all eight attributes; events take (type, {registration})', async () => {
    const manager = managers.create();
    expect(Object.prototype.toString.call(manager)).toBe('[object BackgroundFetchManager]');
    const registration = await manager.fetch(uniqueId(), [FN, SLOW], { downloadTotal: 5000 });
    expect(Object.prototype.toString.call(registration)).toBe('[object BackgroundFetchRegistration]');
    expect(Object.keys(registration)).toEqual([]); // no own properties: everything lives on the prototype
    const copy = cloneRegistration(registration);
    for (const name of attributes) expect(copy).toHaveProperty(name, (registration as unknown as Record<string, unknown>)[name]);
    expect(copy).toMatchObject({ uploadTotal: 0, downloadTotal: 5000, result: '', failureReason: '', recordsAvailable: true });

    const [record] = await registration.matchAll();
    expect(Object.prototype.toString.call(record)).toBe('[object BackgroundFetchRecord]');
    expect(record).toBeInstanceOf(BackgroundFetchRecord);
    expect(record.request).toBeInstanceOf(Request);
    const ready = record.responseReady;
    ready.catch(() => undefined); // aborted below before its response arrives
    expect(record.responseReady).toBe(ready); // [SameObject]

    const event = new BackgroundFetchEvent('backgroundfetchabort', { registration });
    expect(event.type).toBe('backgroundfetchabort');
    expect(event.registration).toBe(registration);
    expect(Object.prototype.toString.call(event)).toBe('[object BackgroundFetchEvent]');
    const uiEvent = new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration, bubbles: false });
    expect(uiEvent).toBeInstanceOf(BackgroundFetchEvent);
    expect(uiEvent).toBeInstanceOf(Event);
    expect(uiEvent.registration).toBe(registration);
    expect(Object.prototype.toString.call(uiEvent)).toBe('[object BackgroundFetchUpdateUIEvent]');

    expect(await registration.abort()).toBe(true);
    await expectOverAndIdFree(manager, registration);
  });
});
