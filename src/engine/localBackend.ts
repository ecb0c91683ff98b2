import { defer, from, switchMap, type Observable } from 'rxjs';
import type { StoredRequest } from '../../operators/types';
import { BackgroundFetchRegistration, registrationToken } from '../BackgroundFetchRegistration';
import type { ManagerBackend } from '../backend';
import { quotaExceeded } from '../errors';
import type { BackgroundFetchOptions } from '../fetchOptions';
import type { ManagerSettings } from '../managerOptions';
import { Engine, type ManagerLink } from './Engine';
import type { FetchJob } from './FetchJob';
import { rememberFetch } from './registrationKeys';

/**
 * Runs a manager's fetches in this realm, on the engine of its scope and store, and makes the
 * manager's registration objects (one per fetch).
 *
 * @example
 * const backend = new LocalBackend(resolveManagerOptions(options, readPlatform(), sharedIndexedDBStore), manager);
 * await backend.getIds();
 */
export class LocalBackend implements ManagerBackend {
  readonly #settings: ManagerSettings;
  readonly #engine: Engine;
  readonly #link: ManagerLink;
  readonly #views = new WeakMap<FetchJob, BackgroundFetchRegistration>();

  constructor(settings: ManagerSettings, manager: EventTarget) {
    this.#settings = settings;
    this.#link = { events: settings.events ?? manager, view: (job) => this.#view(job) };
    this.#engine = Engine.attach(settings, this.#link);
  }

  get baseURL(): string | undefined {
    return this.#settings.baseURL;
  }

  get scope(): string {
    return this.#settings.scope;
  }

  reserve(id: string): () => void {
    if (!this.#engine.reserve(id)) throw this.#taken(id);
    return () => this.#engine.release(id);
  }

  async fetch(id: string, requests: StoredRequest[], options: Required<BackgroundFetchOptions>): Promise<BackgroundFetchRegistration> {
    await this.#engine.ready;
    if (this.#engine.active(id) !== undefined) throw this.#taken(id);
    if (options.downloadTotal > 0 && this.#settings.quota !== undefined) {
      const { usage, quota } = await this.#settings.quota();
      if (options.downloadTotal > quota - usage) {
        throw quotaExceeded(`downloadTotal (${options.downloadTotal} bytes) is more than the ${Math.max(0, quota - usage)} bytes of storage quota free.`, {
          quota,
          requested: usage + options.downloadTotal,
        });
      }
    }
    return this.#view(await this.#engine.create(id, requests, options));
  }

  async get(id: string): Promise<BackgroundFetchRegistration | undefined> {
    await this.#engine.ready;
    const job = this.#engine.active(id);
    return job === undefined ? undefined : this.#view(job);
  }

  get ids$(): Observable<string[]> {
    return defer(() => from(this.#engine.ready)).pipe(switchMap(() => this.#engine.ids$));
  }

  async getIds(): Promise<string[]> {
    await this.#engine.ready;
    return this.#engine.ids();
  }

  close(): Promise<void> {
    return this.#engine.detach(this.#link);
  }

  #view(job: FetchJob): BackgroundFetchRegistration {
    let view = this.#views.get(job);
    if (view === undefined) {
      view = new BackgroundFetchRegistration(registrationToken, job.source());
      this.#views.set(job, view);
      rememberFetch(view, job);
    }
    return view;
  }

  #taken(id: string): TypeError {
    return new TypeError(`A background fetch with id "${id}" is already active in scope "${this.#settings.scope}"; pick another id or abort it first.`);
  }
}
