import type { BackgroundFetchManager } from '../BackgroundFetchManager';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import { createHost, type Host } from './host';
import { channelName, isMessage, tag, toWire, type Call, type Message } from './protocol';

type Reply = (message: Message, transfer: Transferable[]) => void;

/**
 * Serves a scope's host: publishes states on the scope's `BroadcastChannel`, answers calls, and
 * answers a call id seen before with the first answer (calls are resent while unanswered).
 * A page host (`listen`) takes calls from that channel too; a service worker takes them from
 * its `message` events. Returns the function that takes one incoming call, and `stop()`.
 *
 * @example
 * const { take } = serveHost(manager, scope, false);
 * self.addEventListener('message', (event) => take(event.data, (m, t) => event.ports[0].postMessage(m, t)));
 */
export function serveHost(
  manager: BackgroundFetchManager,
  scope: string,
  listen: boolean,
  follow?: (registration: BackgroundFetchRegistration) => void,
): { host: Host; take: (data: unknown, reply: Reply) => Promise<void> | undefined; stop: () => void } {
  const channel = new BroadcastChannel(channelName(scope));
  let stopped = false;
  const post = (message: Message) => {
    if (!stopped) channel.postMessage(message);
  };
  // A BroadcastChannel cannot carry ports, so only a worker host (replies over a port) streams bodies.
  const host = createHost(manager, post, follow, !listen);
  const seen = new Map<string, Promise<Message>>();
  const answer = async (callId: string, call: Call): Promise<Message> => {
    try {
      const { value, transfer } = await host.handle(call);
      return Object.assign({ [tag]: 'reply' as const, callId, ok: true as const, value }, { transfer });
    } catch (error) {
      return { [tag]: 'reply', callId, ok: false, error: toWire(error) };
    }
  };
  const take = (data: unknown, reply: Reply): Promise<void> | undefined => {
    if (!isMessage(data) || data[tag] !== 'call') return undefined;
    const { callId, call } = data;
    // Bodies are moved, not copied, so a response is computed afresh for each send.
    let answered = call.method === 'response' ? undefined : seen.get(callId);
    if (answered === undefined) {
      answered = answer(callId, call);
      if (call.method !== 'response') seen.set(callId, answered);
      if (seen.size > 256) seen.delete(seen.keys().next().value as string);
    }
    return answered.then((message) => {
      const { transfer = [], ...plain } = message as Message & { transfer?: Transferable[] };
      reply(plain as Message, transfer);
    });
  };
  if (listen) {
    channel.addEventListener('message', (event: MessageEvent) => {
      if (!stopped) void take(event.data, post);
    });
  }
  // A page host that hands over stops taking calls and publishing; its manager closes after.
  const stop = () => {
    stopped = true;
    channel.close();
  };
  return { host, take, stop };
}
