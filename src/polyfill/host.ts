import type { BackgroundFetchState } from '../../operators/types';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import { streamedChunks } from '../engine/recordResponse';
import { recordsOf, type FetchRecords } from '../engine/registrationKeys';
import { invalidState } from '../errors';
import type { Answers, Call, Message, RemoteFetch } from './protocol';
import { tag } from './protocol';
import { followRecords, type RecordChanges } from './recordChanges';

// Ms a record's new head or result may wait to be published with the ones after it.
const urgentDelay = 16;

/** Answers pages' calls for one scope and publishes the state of its fetches. */
export interface Host {
  /** Answers one call. */
  handle<C extends Call>(call: C): Promise<Answers[C['method']]>;
}

interface Watched {
  readonly registration: BackgroundFetchRegistration;
  readonly records: FetchRecords;
  readonly changes: RecordChanges;
  seq: number;
  state: BackgroundFetchState;
  waiting: boolean;
}

/**
 * The host side of the polyfill: runs on the realm that does the downloads (the service worker,
 * or the page holding the scope's Web Lock) over its manager's backend, the engine's seam: a
 * page's `fetch()` checked and stored its requests already, so they go to the engine as they
 * came. Every state change of every fetch goes out on `publish` with a sequence number and the
 * records that changed (response heads, bytes, results; a head or a result goes out within
 * 16 ms, with those that came meanwhile), so pages mirror both and match locally; a page
 * calls only to read stored body chunks. `follow` is told of each registration the host starts
 * to publish (notifications use it).
 *
 * @example
 * const host = createHost(backend, (message) => channel.postMessage(message));
 * const ids = await host.handle({ method: 'getIds' });
 */
export function createHost(
  backend: ManagerBackend,
  publish: (message: Message) => void,
  follow: (registration: BackgroundFetchRegistration) => void = () => undefined,
): Host {
  const watched = new Map<string, Watched>();
  // Sequence numbers start past those of any earlier host (a worker restarted, a page handed
  // over), so pages that mirror a fetch take the new host's states: 1000 per ms outruns any host.
  const firstSeq = Date.now() * 1000;

  const watch = (registration: BackgroundFetchRegistration): Watched => {
    const records = recordsOf(registration);
    if (records === undefined) throw new TypeError('The host can only publish registrations its own backend made.');
    const { key } = records.fetch;
    const known = watched.get(key);
    if (known !== undefined) return known;
    let soon: ReturnType<typeof setTimeout> | undefined;
    const send = () => {
      clearTimeout(soon);
      soon = undefined;
      entry.seq++;
      const { seq, state, waiting } = entry;
      publish({ [tag]: 'state', fetch: { key, seq, state, waiting, records: entry.changes.take() } });
    };
    // Heads and results go out within `urgentDelay`, together: a post costs a Chromium worker
    // about 0.25 ms, and one per head and per result was a fifth of its time on 200 small records.
    const sendSoon = () => {
      soon ??= setTimeout(send, urgentDelay);
    };
    // Records first: the state a tally brings then goes out with the records it changed.
    const changes = followRecords(records, sendSoon);
    const entry: Watched = { registration, records, changes, seq: firstSeq, state: snapshot(registration), waiting: false };
    watched.set(key, entry);
    registration.state$.subscribe({
      next(state) {
        entry.state = state;
        send();
      },
      complete() {
        clearTimeout(soon);
        changes.stop();
        watched.delete(key);
      },
    });
    registration.waiting$.subscribe((waiting) => {
      if (waiting === entry.waiting) return;
      entry.waiting = waiting;
      send();
    });
    follow(registration);
    return entry;
  };
  const remote = (entry: Watched): RemoteFetch => {
    const { records, seq, state, waiting, changes } = entry;
    return { key: records.fetch.key, seq, state, waiting, records: changes.all() };
  };
  const recordsNamed = (key: string): FetchRecords => {
    const entry = watched.get(key);
    if (entry === undefined) throw invalidState('The records of this background fetch are no longer available: read them in its completion event.');
    return entry.records;
  };

  // Every fetch of the scope is published from its start, whoever started it (a page, the
  // worker's own code, a resume from the store), so every page learns of it.
  backend.ids$.subscribe((ids) => {
    for (const id of ids) {
      void backend.get(id).then((registration) => {
        if (registration !== undefined) watch(registration);
      });
    }
  });

  const answers: { [M in Call['method']]: (call: Extract<Call, { method: M }>) => Promise<Answers[M]> } = {
    hello: async () => ({ scope: 'host' }),
    keepalive: async () => null,
    fetch: async ({ id, requests, options }) => {
      // As the manager does: the id is claimed before any await, so two calls for it collide.
      const release = backend.reserve(id);
      try {
        return remote(watch(await backend.fetch(id, requests, options)));
      } finally {
        release();
      }
    },
    get: async ({ id }) => {
      const registration = await backend.get(id);
      if (registration === undefined) return null;
      const entry = watch(registration);
      return { ...remote(entry), requests: entry.records.fetch.requests };
    },
    getIds: () => backend.getIds(),
    abort: async ({ key }) => (await watched.get(key)?.registration.abort()) ?? false,
    // A chunk that views part of a larger buffer would cross realms with all of that buffer.
    chunks: async ({ key, index, from }) => (await recordsNamed(key).readChunks(index, from, streamedChunks)).map((chunk) => (chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice())),
  };

  return {
    handle: (call) => (answers[call.method] as (call: Call) => Promise<never>)(call),
  };
}

function snapshot(registration: BackgroundFetchRegistration): BackgroundFetchState {
  const { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable } = registration;
  return { id, uploadTotal, uploaded, downloadTotal, downloaded, result, failureReason, recordsAvailable };
}
