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
  const call: Caller = (message, cancel) =>
    new Promise((resolve, reject) => {
      const callId = crypto.randomUUID();
      const channel = new MessageChannel();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const worker = activeWorker();
      if (worker === null) {
        reject(new TypeError('The service worker is no longer active; wait for navigator.serviceWorker.ready.'));
        return;
      }
      const stop = () => {
        clearTimeout(timer);
        channel.port1.close();
        cancel?.removeEventListener('abort', stop);
      };
      cancel?.addEventListener('abort', stop);
      channel.port1.onmessage = (event: MessageEvent) => {
        const reply = event.data as Message;
        if (!isMessage(reply) || reply[tag] !== 'reply') return;
        stop();
        if (reply.ok) resolve(reply.value as never);
        else reject(fromWire(reply.error));
      };
      worker.postMessage({ [tag]: 'call', callId, call: message } satisfies Message, [channel.port2]);
      if (message.method !== 'fetch') {
        timer = setTimeout(() => {
          // A port can be transferred once, so a resend is a new call on a new channel.
          stop();
          if (!cancel?.aborted) call(message, cancel).then(resolve as never, reject);
        }, resendMs);
      }
    });
  return call;
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
  return (call: Call, cancel?: AbortSignal) =>
    new Promise((resolve, reject) => {
      const callId = crypto.randomUUID();
      const send = () => channel.postMessage({ [tag]: 'call', callId, call } satisfies Message);
      const timer = setInterval(send, resendMs);
      const stop = () => {
        clearInterval(timer);
        waiting.delete(callId);
        cancel?.removeEventListener('abort', stop);
      };
      cancel?.addEventListener('abort', stop);
      waiting.set(callId, {
        resolve: (value) => {
          stop();
          resolve(value);
        },
        reject: (error) => {
          stop();
          reject(error);
        },
      });
      send();
    });
}

/**
 * Resolves when `worker` answers that it runs the polyfill's host; never for a worker that does
 * not. The message wakes a stopped worker, which answers once its script has run, however long
 * that takes.
 *
 * @example
 * void helloFrom(registration.active).then(() => console.log('the worker hosts'));
 */
export function helloFrom(worker: ServiceWorker): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    worker.postMessage({ [tag]: 'call', callId: crypto.randomUUID(), call: { method: 'hello' } } satisfies Message, [channel.port2]);
  });
}
