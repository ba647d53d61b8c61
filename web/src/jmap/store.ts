// A small cache of JMAP objects keyed by id, one per type, kept current with
// Foo/changes (RFC 8620 §5.2) when a StateChange names the type; cannotCalculateChanges
// drops the cache and loads again. Listeners run after every change.

import { MethodError, type JmapClient } from './client';
import type { Id } from './types';

export type Listener = () => void;

export class ObjectCache<T extends { id: Id }> {
  readonly byId = new Map<Id, T>();
  state: string | null = null;
  private listeners = new Set<Listener>();
  private syncing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly client: JmapClient,
    readonly type: string,
    private readonly properties: string[] | null,
    /** Mailbox: load every object; Email: only those asked for. */
    private readonly loadAll: boolean,
  ) {}

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  protected emit(): void {
    for (const l of this.listeners) l();
  }

  all(): T[] {
    return [...this.byId.values()];
  }

  /** Loads every object (types with few objects, like Mailbox). */
  async loadEverything(): Promise<void> {
    const r = await this.client.call(`${this.type}/get`, { ids: null, properties: this.properties });
    const res = r.get<{ list: T[]; state: string }>();
    this.byId.clear();
    for (const o of res.list) this.byId.set(o.id, o);
    this.state = res.state;
    this.emit();
  }

  /** Fetches the given ids that are not cached yet (or all of them with `force`). */
  async ensure(ids: Id[], force = false): Promise<void> {
    const missing = force ? ids : ids.filter((id) => !this.byId.has(id));
    if (!missing.length) return;
    const r = await this.client.call(`${this.type}/get`, { ids: missing, properties: this.properties });
    const res = r.get<{ list: T[]; state: string }>();
    for (const o of res.list) this.byId.set(o.id, o);
    if (this.state === null) this.state = res.state;
    this.emit();
  }

  /** Puts objects fetched elsewhere (e.g. by a batch) into the cache. */
  put(list: T[], state?: string): void {
    for (const o of list) this.byId.set(o.id, o);
    if (state && this.state === null) this.state = state;
    this.emit();
  }

  /** Applies local knowledge of a change (optimistic update after a /set). */
  patch(id: Id, fn: (o: T) => T): void {
    const o = this.byId.get(id);
    if (!o) return;
    this.byId.set(id, fn(o));
    this.emit();
  }

  /** Brings the cache up to `newState` (from a StateChange) with /changes; concurrent
   * calls coalesce into one more round. */
  sync(newState?: string): Promise<void> {
    if (newState !== undefined && newState === this.state) return Promise.resolve();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.runSync().finally(() => {
      this.syncing = null;
      if (this.again) {
        this.again = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    if (this.state === null) {
      if (this.loadAll) await this.loadEverything();
      return;
    }
    for (let round = 0; round < 50; round++) {
      const b = this.client.batch();
      const ch = b.add(`${this.type}/changes`, { sinceState: this.state, maxChanges: 500 });
      // Types loaded whole fetch what changed in the same request; others only refresh
      // the objects they hold (below).
      const cr = this.loadAll ? b.add(`${this.type}/get`, { '#ids': ch.ref('/created'), properties: this.properties }) : null;
      const up = this.loadAll ? b.add(`${this.type}/get`, { '#ids': ch.ref('/updated'), properties: this.properties }) : null;
      const res = await b.send();
      let changes: { created: Id[]; updated: Id[]; destroyed: Id[]; newState: string; hasMoreChanges: boolean };
      try {
        changes = res.get(ch);
      } catch (e) {
        if (e instanceof MethodError && e.type === 'cannotCalculateChanges') {
          await this.reset();
          return;
        }
        throw e;
      }
      if (cr && up) {
        for (const o of res.get<{ list: T[] }>(cr).list) this.byId.set(o.id, o);
        for (const o of res.get<{ list: T[] }>(up).list) this.byId.set(o.id, o);
      } else {
        const held = [...changes.created, ...changes.updated].filter((id) => this.byId.has(id));
        for (let i = 0; i < held.length; i += 500) {
          const r = await this.client.call(`${this.type}/get`, { ids: held.slice(i, i + 500), properties: this.properties });
          for (const o of r.get<{ list: T[] }>().list) this.byId.set(o.id, o);
        }
      }
      for (const id of changes.destroyed) this.byId.delete(id);
      this.state = changes.newState;
      if (!changes.hasMoreChanges) break;
    }
    this.emit();
  }

  /** Forgets everything (cannotCalculateChanges) and loads again what is needed. */
  async reset(): Promise<void> {
    const known = [...this.byId.keys()];
    this.byId.clear();
    this.state = null;
    if (this.loadAll) await this.loadEverything();
    else if (known.length) await this.ensure(known.slice(0, 500));
    else this.emit();
  }
}
