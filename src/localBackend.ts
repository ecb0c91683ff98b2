import { defer, from, switchMap, type Observable } from 'rxjs';
import type { FetchUI, StoredRequest } from '../operators/types';
import { BackgroundFetchRecord, recordToken } from './BackgroundFetchRecord';
import { BackgroundFetchRegistration, registrationToken } from './BackgroundFetchRegistration';
import type { ManagerBackend } from './backend';
import { Engine, type CompletionType, type ManagerLink } from './engine/Engine';
import type { FetchJob } from './engine/FetchJob';
import { recordResponse } from './engine/recordResponse';
import { rememberFetch } from './engine/registrationKeys';
import { quotaExceeded } from './errors';
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent, dispatchExtendable } from './events';
import type { BackgroundFetchOptions } from './fetchOptions';
import type { ManagerSettings } from './managerOptions';
import { toLiveRequest } from './normalizeRequests';

/**
 * Runs a manager's fetches in this realm, on the engine of its scope and store, and makes the
 * Web API objects from the engine's states and record data: the manager's registration objects
 * (one per fetch), their records, and the completion events. A fetch runs with the settings
 * of the manager that started it; each manager's registrations throttle `progress` by its own
 * `progressInterval` and resolve relative `match()` URLs against its own `baseURL`.
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
    this.#link = {
      settings,
      events: settings.events ?? manager,
      complete: (job, type, updateUI) => this.#complete(job, type, updateUI),
    };
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
    return this.#view(await this.#engine.create(id, requests, options, this.#settings));
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
      const { progressInterval, baseURL } = this.#settings;
      view = new BackgroundFetchRegistration(registrationToken, {
        state$: job.states(progressInterval),
        waiting$: job.waiting$,
        abort: async () => job.abort(),
        matchAll: async (request, options) =>
          job.match(request, options, baseURL).map((index) => new BackgroundFetchRecord(recordToken, () => toLiveRequest(job.fetch.requests[index]), () => recordResponse(job, index))),
      });
      this.#views.set(job, view);
      rememberFetch(view, job);
    }
    return view;
  }

  #complete(job: FetchJob, type: CompletionType, updateUI: (ui: Partial<FetchUI>) => void): Promise<void> {
    const Kind = type === 'backgroundfetchabort' ? BackgroundFetchEvent : BackgroundFetchUpdateUIEvent;
    return dispatchExtendable(this.#link.events, new Kind(type, { registration: this.#view(job) }), updateUI);
  }

  #taken(id: string): TypeError {
    return new TypeError(`A background fetch with id "${id}" is already active in scope "${this.#settings.scope}"; pick another id or abort it first.`);
  }
}
