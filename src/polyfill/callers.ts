import { fromWire, isMessage, tag, type Call, type Message } from './protocol';
import type { Caller } from './remoteBackend';

// An unanswered call is sent again after this long (a worker restarted, a lock changed hands).
const resendMs = 3000;

/**
 * Calls the scope's service worker: each call goes to the active worker with a port for the
 * reply (a message wakes a stopped worker). Calls other than `fetch` are sent again while
 * unanswered, in case the worker was stopped before it replied.
 *
 * @example
 * const call = workerCaller(() => registration.active);
 * await call({ method: 'getIds' });
 */
export function workerCaller(activeWorker: () => ServiceWorker | null): Caller {
  return (call) =>
    new Promise((resolve, reject) => {
      const callId = crypto.randomUUID();
      const channel = new MessageChannel();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const send = () => {
        const worker = activeWorker();
        if (worker === null) {
          reject(new TypeError('The service worker is no longer active; wait for navigator.serviceWorker.ready.'));
          return;
        }
        worker.postMessage({ [tag]: 'call', callId, call } satisfies Message, [channel.port2]);
      };
      channel.port1.onmessage = (event: MessageEvent) => {
        const message = event.data as Message;
        if (!isMessage(message) || message[tag] !== 'reply') return;
        clearTimeout(timer);
        channel.port1.close();
        if (message.ok) resolve(message.value as never);
        else reject(fromWire(message.error));
      };
      send();
      if (call.method !== 'fetch') {
        timer = setTimeout(() => {
          // A port can be transferred once, so a resend is a new call on a new channel.
          channel.port1.close();
          workerCaller(activeWorker)(call).then(resolve as never, reject);
        }, resendMs);
      }
    });
}

/**
 * Calls a page host over a `BroadcastChannel`, sending again every few seconds until some host
 * answers (the lock may be changing hands); the host ignores a call id it has already seen.
 *
 * @example
 * const call = broadcastCaller(new BroadcastChannel(channelName(scope)));
 * await call({ method: 'getIds' });
 */
export function broadcastCaller(channel: BroadcastChannel): Caller {
  const waiting = new Map<string, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  channel.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as unknown;
    if (!isMessage(message) || message[tag] !== 'reply') return;
    const found = waiting.get(message.callId);
    if (found === undefined) return;
    waiting.delete(message.callId);
    if (message.ok) found.resolve(message.value as never);
    else found.reject(fromWire(message.error));
  });
  return (call: Call) =>
    new Promise((resolve, reject) => {
      const callId = crypto.randomUUID();
      const send = () => channel.postMessage({ [tag]: 'call', callId, call } satisfies Message);
      const timer = setInterval(send, resendMs);
      waiting.set(callId, {
        resolve: (value) => {
          clearInterval(timer);
          resolve(value);
        },
        reject: (error) => {
          clearInterval(timer);
          reject(error);
        },
      });
      send();
    });
}

/**
 * Asks a service worker whether it runs the polyfill's host: `true` if it answers within `ms`.
 *
 * @example
 * if (await probeWorker(registration.active, 3000)) console.log('downloads run in the worker');
 */
export function probeWorker(worker: ServiceWorker, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve(false);
    }, ms);
    channel.port1.onmessage = () => {
      clearTimeout(timer);
      channel.port1.close();
      resolve(true);
    };
    worker.postMessage({ [tag]: 'call', callId: crypto.randomUUID(), call: { method: 'hello' } } satisfies Message, [channel.port2]);
  });
}
