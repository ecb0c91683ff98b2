import type { BackgroundFetchState, RecordStatus, StoredRequest } from '../../operators/types';
import { quotaExceeded } from '../errors';
import type { BackgroundFetchOptions } from '../fetchOptions';

/** Every message of the polyfill carries this tag, so other messages pass untouched. */
export const tag = 'rx-background-fetch';

/** The BroadcastChannel on which a scope's host publishes states and (page hosts) takes calls. */
export function channelName(scope: string): string {
  return `${tag}:${scope}`;
}

/** One record's status as the host tells it: the record's index and where it stands. */
export type RecordUpdate = readonly [index: number, status: RecordStatus];

/**
 * A fetch as a page knows it: its store key, and its state (and whether it waits for the
 * network) with a sequence number, and record statuses (response head, bytes, result) that
 * pages mirror to match locally: in a reply, every record that has moved; in a published state,
 * the records that changed since the host's previous state of that fetch.
 */
export interface RemoteFetch {
  readonly key: string;
  readonly seq: number;
  readonly state: BackgroundFetchState;
  readonly waiting: boolean;
  readonly records: readonly RecordUpdate[];
}

/** The calls a page makes to the host that runs the downloads. */
export type Call =
  | { readonly method: 'hello' }
  | { readonly method: 'keepalive' }
  /** Requests and options the page has checked already: the host passes them on as they are. */
  | { readonly method: 'fetch'; readonly id: string; readonly requests: StoredRequest[]; readonly options: Required<BackgroundFetchOptions> }
  | { readonly method: 'get'; readonly id: string }
  | { readonly method: 'getIds' }
  | { readonly method: 'abort'; readonly key: string }
  /** A record's stored body chunks from chunk number `from` on, a body stream's few at most: the only call reading records makes. */
  | { readonly method: 'chunks'; readonly key: string; readonly index: number; readonly from: number };

/** What each call answers. */
export interface Answers {
  hello: { readonly scope: string };
  keepalive: null;
  /** The page that called has the requests already. */
  fetch: RemoteFetch;
  /** With the fetch's requests, which the page mirrors. */
  get: (RemoteFetch & { readonly requests: readonly StoredRequest[] }) | null;
  getIds: string[];
  abort: boolean;
  chunks: Uint8Array[];
}

/** An error as it crosses realms: its name and message, and a `QuotaExceededError`'s figures. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly quota?: number | null;
  readonly requested?: number | null;
}

/** Messages on the wire. */
export type Message =
  | { readonly [tag]: 'call'; readonly callId: string; readonly call: Call }
  | { readonly [tag]: 'reply'; readonly callId: string; readonly ok: true; readonly value: unknown }
  | { readonly [tag]: 'reply'; readonly callId: string; readonly ok: false; readonly error: WireError }
  | { readonly [tag]: 'state'; readonly fetch: RemoteFetch }
  /** A service worker that runs the polyfill has started for the scope: a page that hosts hands over. */
  | { readonly [tag]: 'worker' }
  /** The worker could not show a notification; pages fire `notificationerror` on their manager. */
  | { readonly [tag]: 'notificationerror'; readonly message: string };

/**
 * An error made fit to cross realms, and back: `TypeError`/`RangeError` stay what they were, a
 * `QuotaExceededError` keeps its `quota` and `requested` (and is an instance of that class again
 * where the realm has it), anything else becomes a `DOMException` of the same name.
 *
 * @example
 * port.postMessage({ error: toWire(error) });
 * throw fromWire(message.error);
 */
export function toWire(error: unknown): WireError {
  if (error instanceof Error || error instanceof DOMException) {
    if (error.name !== 'QuotaExceededError') return { name: error.name, message: error.message };
    const { quota = null, requested = null } = error as { quota?: number | null; requested?: number | null };
    return { name: error.name, message: error.message, quota, requested };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The error a {@link WireError} stands for, made in this realm.
 *
 * @example
 * reject(fromWire(message.error));
 * controller.error(fromWire(message.error));
 */
export function fromWire(error: WireError): Error {
  if (error.name === 'TypeError') return new TypeError(error.message);
  if (error.name === 'RangeError') return new RangeError(error.message);
  if (error.name === 'QuotaExceededError') return quotaExceeded(error.message, error);
  return new DOMException(error.message, error.name);
}

/** Is this one of our messages? */
export function isMessage(data: unknown): data is Message {
  return typeof data === 'object' && data !== null && tag in data;
}
