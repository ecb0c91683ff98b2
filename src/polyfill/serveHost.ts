import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import { createHost, type Host } from './host';
import { channelName, isMessage, tag, toWire, type Call, type Message } from './protocol';

type Reply = (message: Message) => void;

/**
 * Serves a scope's host over a manager's backend: publishes states on the scope's
 * `BroadcastChannel`, answers calls, and answers a call id seen before with the first answer
 * (calls are resent while unanswered). A page host (`listen`) takes calls from that channel
 * too; a service worker takes them from its `message` events. Returns the function that takes
 * one incoming call, and `stop()`.
 *
 * @example
 * const { take } = serveHost(backend, scope, false);
 * self.addEventListener('message', (event) => take(event.data, (m) => event.ports[0].postMessage(m)));
 */
export function serveHost(
  backend: ManagerBackend,
  scope: string,
  listen: boolean,
  follow?: (registration: BackgroundFetchRegistration) => void,
): { host: Host; take: (data: unknown, reply: Reply) => Promise<void> | undefined; stop: () => void } {
  const channel = new BroadcastChannel(channelName(scope));
  let stopped = false;
  const post = (message: Message) => {
    if (!stopped) channel.postMessage(message);
  };
  const host = createHost(backend, post, follow);
  const seen = new Map<string, Promise<Message>>();
  const answer = async (callId: string, call: Call): Promise<Message> => {
    try {
      return { [tag]: 'reply', callId, ok: true, value: await host.handle(call) };
    } catch (error) {
      return { [tag]: 'reply', callId, ok: false, error: toWire(error) };
    }
  };
  const take = (data: unknown, reply: Reply): Promise<void> | undefined => {
    if (!isMessage(data) || data[tag] !== 'call') return undefined;
    const { callId, call } = data;
    // Body chunks are read again for a resend rather than kept here, where they would stay.
    const kept = call.method !== 'chunks';
    let answered = kept ? seen.get(callId) : undefined;
    if (answered === undefined) {
      answered = answer(callId, call);
      if (kept) seen.set(callId, answered);
      if (seen.size > 256) seen.delete(seen.keys().next().value as string);
    }
    return answered.then(reply);
  };
  if (listen) {
    channel.addEventListener('message', (event: MessageEvent) => {
      if (!stopped) void take(event.data, post);
    });
  }
  // A page host that hands over stops taking calls and publishing; its backend closes after.
  const stop = () => {
    stopped = true;
    channel.close();
  };
  return { host, take, stop };
}
