import type { BackgroundFetchState, StoredRequest } from '../../operators/types';
import type { BackgroundFetchManager } from '../BackgroundFetchManager';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { storedFetchOf } from '../engine/registrationKeys';
import { storeRequest, toLiveRequest } from '../normalizeRequests';
import { tag, toWire, type Answers, type BodyMessage, type Call, type Message, type RemoteFetch } from './protocol';

/** Answers pages' calls for one scope and publishes the state of its fetches. */
export interface Host {
  /** Answers one call; `transfer` lists buffers the reply may move instead of copy. */
  handle(call: Call): Promise<{ value: Answers[Call['method']]; transfer: Transferable[] }>;
}

/**
 * The host side of the polyfill: runs on the realm that does the downloads (the service worker,
 * or the page holding the scope's Web Lock) over a local manager. Every state change of every
 * fetch goes out on `publish` with a sequence number, so pages mirror it live; `follow` is told
 * of each registration the host starts to publish (notifications use it). A host whose replies
 * can carry a port (`streams`: the service worker's) streams response bodies; the others send
 * them whole.
 *
 * @example
 * const host = createHost(manager, (message) => channel.postMessage(message));
 * const { value } = await host.handle({ method: 'getIds' });
 */
export function createHost(
  manager: BackgroundFetchManager,
  publish: (message: Message) => void,
  follow: (registration: BackgroundFetchRegistration) => void = () => undefined,
  streams = false,
): Host {
  const watched = new Map<string, { registration: BackgroundFetchRegistration; seq: number; state: BackgroundFetchState; waiting: boolean }>();
  // Sequence numbers start past those of any earlier host (a worker restarted, a page handed
  // over), so pages that mirror a fetch take the new host's states: 1000 per ms outruns any host.
  const firstSeq = Date.now() * 1000;

  const remote = (registration: BackgroundFetchRegistration): RemoteFetch => {
    const key = storedFetchOf(registration)?.key;
    if (key === undefined) throw new TypeError('The host can only publish registrations its own manager made.');
    let entry = watched.get(key);
    if (entry === undefined) {
      const fresh = { registration, seq: firstSeq, state: snapshot(registration), waiting: false };
      watched.set(key, (entry = fresh));
      const send = () => {
        fresh.seq++;
        publish({ [tag]: 'state', fetch: { key, seq: fresh.seq, state: fresh.state, waiting: fresh.waiting } });
      };
      registration.state$.subscribe({
        next(state) {
          fresh.state = state;
          send();
        },
        complete: () => watched.delete(key),
      });
      registration.waiting$.subscribe((waiting) => {
        if (waiting === fresh.waiting) return;
        fresh.waiting = waiting;
        send();
      });
      follow(registration);
    }
    return { key, seq: entry.seq, state: entry.state, waiting: entry.waiting };
  };
  const registrationOf = (key: string) => watched.get(key)?.registration;
  const matching = (key: string, query: StoredRequest | null, options: object) => {
    const registration = registrationOf(key);
    if (registration === undefined) throw new DOMException('The records of this background fetch are no longer available.', 'InvalidStateError');
    return registration.matchAll(query === null ? undefined : toLiveRequest(query), options);
  };

  // Every fetch of the scope is published from its start, whoever started it (a page, the
  // worker's own code, a resume from the store), so every page learns of it.
  manager.ids$.subscribe((ids) => {
    for (const id of ids) {
      void manager.get(id).then((registration) => {
        if (registration !== undefined) remote(registration);
      });
    }
  });

  const answers: { [M in Call['method']]: (call: Extract<Call, { method: M }>) => Promise<{ value: Answers[M]; transfer: Transferable[] }> } = {
    hello: async () => ({ value: { scope: 'host' }, transfer: [] }),
    keepalive: async () => ({ value: null, transfer: [] }),
    fetch: async ({ id, requests, options }) => ({ value: remote(await manager.fetch(id, requests.map((stored) => toLiveRequest(stored)), options)), transfer: [] }),
    get: async ({ id }) => {
      const registration = await manager.get(id);
      return { value: registration === undefined ? null : remote(registration), transfer: [] };
    },
    getIds: async () => ({ value: await manager.getIds(), transfer: [] }),
    abort: async ({ key }) => ({ value: (await registrationOf(key)?.abort()) ?? false, transfer: [] }),
    matchAll: async ({ key, query, options }) => {
      const records = await matching(key, query, options);
      return { value: await Promise.all(records.map((record) => storeRequest(record.request))), transfer: [] };
    },
    response: async ({ key, query, options, position }) => {
      const record = (await matching(key, query, options))[position];
      if (record === undefined) throw new TypeError('That record no longer matches.');
      const response = await record.responseReady;
      const head = { url: response.url, status: response.status, statusText: response.statusText, headers: [...response.headers] };
      if (response.body !== null && streams) {
        // The page gets the head now and the body as it arrives, as responseReady promises.
        const channel = new MessageChannel();
        void pump(response.body, channel.port1);
        return { value: { head, body: null, port: channel.port2 }, transfer: [channel.port2] };
      }
      const body = response.body === null ? null : await response.arrayBuffer();
      return { value: { head, body, port: null }, transfer: body === null ? [] : [body] };
    },
  };

  return {
    handle: (call) => (answers[call.method] as (call: Call) => Promise<{ value: Answers[Call['method']]; transfer: Transferable[] }>)(call),
  };
}

/** Sends a body's chunks over `port` as they are read (copied, never transferred: they may be the store's own). */
async function pump(body: ReadableStream<Uint8Array>, port: MessagePort): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      port.postMessage({ chunk: value } satisfies BodyMessage);
    }
    port.postMessage({ done: true } satisfies BodyMessage);
  } catch (error) {
    port.postMessage({ error: toWire(error) } satisfies BodyMessage);
  } finally {
    port.close();
  }
}

function snapshot(registration: BackgroundFetchRegistration): BackgroundFetchState {
  const { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable } = registration;
  return { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable };
}
