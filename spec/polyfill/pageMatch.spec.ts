/**
 * The polyfill's page side against a real host, in Node: a host served over the scope's
 * BroadcastChannel (as a page that holds the lock serves it, serveHost with listen) runs the
 * downloads on a memory store from the real test server; the page's manager has a
 * RemoteBackend whose calls go through broadcastCaller, as install() wires it. Every call the
 * page sends passes through one counting Caller: the seam between the page and its host.
 */
import { BackgroundFetchManager } from '../../src/BackgroundFetchManager';
import type { BackgroundFetchRegistration } from '../../src/BackgroundFetchRegistration';
import { backendOption } from '../../src/backend';
import { LocalBackend } from '../../src/localBackend';
import type { BackgroundFetchUpdateUIEvent } from '../../src/events';
import { resolveManagerOptions, type BackgroundFetchManagerOptions } from '../../src/managerOptions';
import { broadcastCaller } from '../../src/polyfill/callers';
import { channelName, isMessage, tag, type Call } from '../../src/polyfill/protocol';
import { RemoteBackend, type Caller } from '../../src/polyfill/remoteBackend';
import { serveHost } from '../../src/polyfill/serveHost';
import { sharedIndexedDBStore } from '../../src/store/indexedDBStore';
import { bodyOf, startTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
beforeAll(async () => (server = await startTestServer()));
afterAll(() => server.close());

interface Rig {
  readonly manager: BackgroundFetchManager;
  /** The method of every call the page sent, in order. */
  readonly calls: Call['method'][];
  /** Resolves with the host's completion event; the event is held (records stay available) until `release()`. */
  readonly completed: Promise<BackgroundFetchUpdateUIEvent>;
  release(): void;
  close(): Promise<void>;
}

let scopes = 0;

function rig(): Rig {
  const scope = `page-match-${process.pid}-${scopes++}`;
  const events = new EventTarget();
  const host = new LocalBackend(resolveManagerOptions({ scope, store: 'memory', events, progressInterval: 0 }, globalThis as never, sharedIndexedDBStore), events);
  const served = serveHost(host, scope, true);
  const channel = new BroadcastChannel(channelName(scope));
  const calls: Call['method'][] = [];
  const toHost = broadcastCaller(channel);
  const counted: Caller = (call, cancel) => {
    calls.push(call.method);
    return toHost(call, cancel);
  };
  const remote = new RemoteBackend(scope, `${server.url}/`, counted);
  channel.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as unknown;
    if (isMessage(data) && data[tag] === 'state') remote.receive(data.fetch);
  });
  const manager = new BackgroundFetchManager({ [backendOption]: remote } as BackgroundFetchManagerOptions);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const completed = new Promise<BackgroundFetchUpdateUIEvent>((resolve) => {
    for (const type of ['backgroundfetchsuccess', 'backgroundfetchfail']) {
      events.addEventListener(type, (event) => {
        (event as BackgroundFetchUpdateUIEvent).waitUntil(held);
        resolve(event as BackgroundFetchUpdateUIEvent);
      });
    }
  });
  return {
    manager,
    calls,
    completed,
    release,
    async close() {
      release();
      await manager.close();
      served.stop();
      channel.close();
      await host.close();
    },
  };
}

/** Resolves once the page's registration shows the fetch ended. */
function ended(registration: BackgroundFetchRegistration): Promise<void> {
  return new Promise((resolve) => {
    const subscription = registration.state$.subscribe((state) => {
      if (state.result === '') return;
      resolve();
      queueMicrotask(() => subscription.unsubscribe());
    });
  });
}

describe("a page's match() on the mirrored records", () => {
  it('makes no call to the host for a finished record until its body is read, then one', async () => {
    const page = rig();
    try {
      const registration = await page.manager.fetch('album', ['bytes?size=5000&type=audio/mpeg', 'text?body=hello']);
      await page.completed;
      await ended(registration);
      page.calls.length = 0;

      const record = await registration.match('text?body=hello');
      const all = await registration.matchAll();
      expect(all.map((each) => each.request.url)).toEqual([`${server.url}/bytes?size=5000&type=audio/mpeg`, `${server.url}/text?body=hello`]);
      const response = await record!.responseReady;
      expect([response.status, response.url, response.headers.get('content-type')]).toEqual([200, `${server.url}/text?body=hello`, 'text/plain']);
      const audio = await all[0].responseReady;
      expect(audio.headers.get('content-type')).toBe('audio/mpeg');
      expect(await registration.match('nothing-like-it')).toBeUndefined();
      expect(page.calls).toEqual([]);

      expect(await response.text()).toBe('hello');
      expect(page.calls).toEqual(['chunks']);
      expect(Buffer.from(await audio.arrayBuffer()).equals(bodyOf(5000))).toBe(true);
      expect(page.calls).toEqual(['chunks', 'chunks']);
    } finally {
      await page.close();
    }
  });

  it('matches on the mirrored response heads (Vary) and request data (method) without a call', async () => {
    const page = rig();
    try {
      const registration = await page.manager.fetch('variants', [
        new Request(`${server.url}/vary`, { headers: { 'X-Variant': 'a' } }),
        new Request(`${server.url}/echo`, { method: 'POST', body: 'up' }),
      ]);
      await page.completed;
      await ended(registration);
      page.calls.length = 0;

      expect(await registration.match(new Request(`${server.url}/vary`, { headers: { 'X-Variant': 'b' } }))).toBeUndefined();
      expect(await registration.match(new Request(`${server.url}/vary`, { headers: { 'X-Variant': 'a' } }))).toBeDefined();
      expect(await registration.match(new Request(`${server.url}/vary`, { headers: { 'X-Variant': 'b' } }), { ignoreVary: true })).toBeDefined();
      expect(await registration.match(`${server.url}/echo`)).toBeUndefined();
      const posted = await registration.match(`${server.url}/echo`, { ignoreMethod: true });
      expect(posted?.request.method).toBe('POST');
      expect(await posted?.request.text()).toBe('up');
      expect(page.calls).toEqual([]);
      expect(await (await posted!.responseReady).text()).toBe('up');
    } finally {
      await page.close();
    }
  });

  it('waits on the mirror for a running record: its head, then its bytes as the host publishes them', async () => {
    const page = rig();
    try {
      const registration = await page.manager.fetch('slow', ['slow?delay=300&size=2000']);
      const [record] = await registration.matchAll();
      const response = await record.responseReady;
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(bodyOf(2000))).toBe(true);
      expect(page.calls.filter((method) => method !== 'chunks')).toEqual(['fetch']);
    } finally {
      await page.close();
    }
  });

  it('rejects a failed record with a TypeError from the mirror alone', async () => {
    const page = rig();
    try {
      // A POST whose answer breaks off is not sent again: the record fails at once.
      const cut = `${server.url}/reset?size=100000&times=99`;
      const registration = await page.manager.fetch('gone', [new Request(cut, { method: 'POST', body: 'x' }), 'text?body=ok']);
      await page.completed;
      await ended(registration);
      page.calls.length = 0;
      expect(registration.failureReason).toBe('fetch-error');
      const [failed] = await registration.matchAll(cut, { ignoreMethod: true });
      await expect(failed.responseReady).rejects.toThrow(TypeError);
      expect(page.calls).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
