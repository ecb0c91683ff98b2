import { from, switchMap, type Observable } from 'rxjs';
import type { StoredRequest } from '../../operators/types';
import type { BackgroundFetchRegistration } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import type { BackgroundFetchOptions } from '../fetchOptions';

/**
 * The service worker's backend: its engine starts only once the worker holds the scope's Web
 * Lock (a page may still be hosting), so calls made before that wait for it. Ids reserved in
 * the meantime are held here, then on the engine for the call that needs them.
 *
 * @example
 * const backend = new LockedBackend(scope, location.href, lock.held.then(() => new LocalBackend(settings, self)));
 * const manager = new BackgroundFetchManager({ [backendOption]: backend });
 */
export class LockedBackend implements ManagerBackend {
  readonly scope: string;
  readonly baseURL: string | undefined;
  readonly #ready: Promise<ManagerBackend>;
  readonly #early = new Set<string>();
  #backend: ManagerBackend | undefined;

  constructor(scope: string, baseURL: string | undefined, ready: Promise<ManagerBackend>) {
    this.scope = scope;
    this.baseURL = baseURL;
    this.#ready = ready.then((backend) => (this.#backend = backend));
  }

  reserve(id: string): () => void {
    if (this.#backend !== undefined) return this.#backend.reserve(id);
    if (this.#early.has(id)) throw new TypeError(`A background fetch with id "${id}" is already being started in scope "${this.scope}".`);
    this.#early.add(id);
    return () => this.#early.delete(id);
  }

  async fetch(id: string, requests: StoredRequest[], options: Required<BackgroundFetchOptions>): Promise<BackgroundFetchRegistration> {
    const backend = await this.#ready;
    if (!this.#early.has(id)) return backend.fetch(id, requests, options);
    const release = backend.reserve(id);
    try {
      return await backend.fetch(id, requests, options);
    } finally {
      release();
    }
  }

  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    return (await this.#ready).get(id);
  }

  async getIds(): Promise<string[]> {
    return (await this.#ready).getIds();
  }

  get ids$(): Observable<string[]> {
    return from(this.#ready).pipe(switchMap((backend) => backend.ids$));
  }

  /** Closes the engine, or, while the lock is still awaited, the engine the lock will bring. */
  async close(): Promise<void> {
    if (this.#backend !== undefined) return this.#backend.close();
    void this.#ready.then((backend) => backend.close());
  }
}
