import { invalidState } from './errors';
import { checkUIOptions } from './fetchOptions';
import { idlMembers } from './idlMembers';
import type { BackgroundFetchRegistration } from './BackgroundFetchRegistration';
import type { ImageResource } from './store/types';

// The platform's EventInit: lib.dom has it as a global, Node's types (@types/node) do not.
type PlatformEventInit = NonNullable<ConstructorParameters<typeof Event>[1]>;

/** The init dictionary of {@link BackgroundFetchEvent}: `registration` is required. */
export interface BackgroundFetchEventInit extends PlatformEventInit {
  /** The registration the event is about. */
  registration: BackgroundFetchRegistration;
}

/** What `updateUI()` may change. */
export interface BackgroundFetchUIOptions {
  /** The fetch's new title. */
  title?: string;
  /** The fetch's new icons. */
  icons?: ImageResource[];
}

interface Lifetime {
  trusted: boolean;
  dispatching: boolean;
  pending: Set<Promise<unknown>>;
  uiUpdated: boolean;
  onUpdateUI?: (options: BackgroundFetchUIOptions) => void;
}

// Module-level as a private field would be (keyed by the event, gone with it): `Event`'s own
// members must stay as the platform has them, and subclasses share one lifetime per event.
const lifetimes = new WeakMap<Event, Lifetime>();

function lifetimeOf(event: Event): Lifetime {
  const lifetime = lifetimes.get(event);
  if (lifetime === undefined) throw new TypeError('Illegal invocation: not a BackgroundFetchEvent.');
  return lifetime;
}

function isActive(lifetime: Lifetime): boolean {
  return lifetime.dispatching || lifetime.pending.size > 0;
}

/**
 * The event of `backgroundfetchabort` and `backgroundfetchclick`. Its `waitUntil()` works like
 * `ExtendableEvent`'s (a script-made `ExtendableEvent` refuses `waitUntil`, so this is our own):
 * callable while the event is dispatched or while a promise it was given is pending.
 *
 * @example
 * manager.addEventListener('backgroundfetchabort', (event) =>
 *   event.waitUntil(cleanUp(event.registration.id)));
 */
export class BackgroundFetchEvent extends Event {
  // @ts-expect-error TS6133: never read; it runs once, for its effect (see idlMembers).
  static #idl = /* @__PURE__ */ idlMembers(this, 'BackgroundFetchEvent');
  readonly #registration: BackgroundFetchRegistration;

  constructor(type: string, init: BackgroundFetchEventInit) {
    if (init === null || typeof init !== 'object' || init.registration === undefined) {
      throw new TypeError("BackgroundFetchEvent: the init dictionary's `registration` member is required.");
    }
    super(type, init);
    this.#registration = init.registration;
    lifetimes.set(this, { trusted: false, dispatching: false, pending: new Set(), uiUpdated: false });
  }

  /** The registration of the fetch this event is about. */
  get registration(): BackgroundFetchRegistration {
    return this.#registration;
  }

  /** Extends the event's lifetime until `promise` settles; throws `InvalidStateError` once the event is over. */
  waitUntil(promise: Promise<unknown>): void {
    const lifetime = lifetimeOf(this);
    if (!lifetime.trusted || !isActive(lifetime)) {
      throw invalidState('waitUntil() was called on an event that is not being dispatched and has no pending promise.');
    }
    const tracked = Promise.resolve(promise).then(
      () => undefined,
      () => undefined,
    );
    lifetime.pending.add(tracked);
    void tracked.then(() => lifetime.pending.delete(tracked));
  }
}

/**
 * The event of `backgroundfetchsuccess` and `backgroundfetchfail`: adds `updateUI()`, which
 * resolves once per event while it is active and rejects `InvalidStateError` after that, on a
 * second call, or on an event made by script (`TypeError` for a bad title or icon list).
 *
 * @example
 * self.addEventListener('backgroundfetchsuccess', (event) =>
 *   event.waitUntil(event.updateUI({ title: 'Episode ready' })));
 */
export class BackgroundFetchUpdateUIEvent extends BackgroundFetchEvent {
  // @ts-expect-error TS6133: never read; it runs once, for its effect (see idlMembers).
  static #idl = /* @__PURE__ */ idlMembers(this, 'BackgroundFetchUpdateUIEvent');
  // Spelled out so that `BackgroundFetchUpdateUIEvent.length` is 2, as WebIDL gives it (an implicit one has 0).
  constructor(type: string, init: BackgroundFetchEventInit) {
    super(type, init);
  }

  /** Changes the title and icons of the fetch's UI; once per event, while it is active. */
  updateUI(options: BackgroundFetchUIOptions = {}): Promise<void> {
    let lifetime: Lifetime;
    try {
      lifetime = lifetimeOf(this);
      checkUIOptions(options, 'updateUI()');
    } catch (error) {
      return Promise.reject(error);
    }
    if (!lifetime.trusted) return Promise.reject(invalidState('updateUI() only works on events the library dispatched.'));
    if (lifetime.uiUpdated) return Promise.reject(invalidState('updateUI() may be called only once per event.'));
    if (!isActive(lifetime)) {
      return Promise.reject(invalidState('updateUI() was called after the event ended; call it inside event.waitUntil().'));
    }
    lifetime.uiUpdated = true;
    lifetime.onUpdateUI?.(options ?? {});
    return Promise.resolve();
  }
}

/**
 * Dispatches a library-made event on `target` and resolves once dispatch is over and every
 * promise given to `waitUntil()` (including ones added while others were pending) has settled.
 *
 * @example
 * await dispatchExtendable(self, new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration }));
 */
export async function dispatchExtendable(
  target: EventTarget,
  event: BackgroundFetchEvent,
  onUpdateUI?: (options: BackgroundFetchUIOptions) => void,
): Promise<void> {
  const lifetime = lifetimeOf(event);
  lifetime.trusted = true;
  lifetime.onUpdateUI = onUpdateUI;
  lifetime.dispatching = true;
  try {
    target.dispatchEvent(event);
  } finally {
    lifetime.dispatching = false;
  }
  while (lifetime.pending.size > 0) await Promise.all(lifetime.pending);
}
