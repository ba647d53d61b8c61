// A paged Email/query result (RFC 8620 §5.5) for the virtual list: positions are
// loaded in windows on demand, kept current with Email/queryChanges (§5.6), and
// queried again when the server cannot calculate the changes.

import { MethodError, type JmapClient } from './client';
import type { Id } from './types';

export interface QuerySpec {
  filter: Record<string, unknown> | null;
  sort: { property: string; isAscending: boolean }[];
  collapseThreads: boolean;
}

export const WINDOW = 100;

/** Applies a queryChanges answer to a possibly sparse id list (RFC 8620 §5.6): removed
 * ids go, added ones are inserted at their indexes in ascending order. Postamt lists
 * every changed Email in `removed`, also those never in the result, so a removed id not
 * found proves nothing; but when the counts do not add up (oldTotal - removed found +
 * added != total), a removed id was in a part never loaded and every position after the
 * first unloaded one is unknown: the list is cut there. */
export function spliceChanges(
  ids: (Id | undefined)[],
  oldTotal: number,
  removed: Id[],
  added: { id: Id; index: number }[],
  total: number,
): (Id | undefined)[] {
  const gone = new Set(removed);
  const out: (Id | undefined)[] = [];
  let found = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id !== undefined && gone.has(id)) found++;
    else out.push(id);
  }
  for (const a of [...added].sort((x, y) => x.index - y.index)) {
    while (out.length < a.index) out.push(undefined);
    out.splice(a.index, 0, a.id);
  }
  // An Email that changed and stayed in the result is both found and added: it counts
  // out and back in.
  if (oldTotal - found + added.length !== total) {
    const hole = out.indexOf(undefined);
    if (hole >= 0) out.length = hole;
  }
  if (out.length > total) out.length = total;
  return out;
}

export class EmailQuery {
  ids: (Id | undefined)[] = [];
  total = 0;
  queryState: string | null = null;
  loaded = false;
  private inflight = new Map<number, Promise<void>>();
  private listeners = new Set<() => void>();
  private generation = 0;

  constructor(
    private readonly client: JmapClient,
    readonly spec: QuerySpec,
    /** Called with the ids of each loaded window so the caller can fetch the Emails. */
    private readonly onIds: (ids: Id[]) => Promise<void>,
  ) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  private args(position: number, limit: number): Record<string, unknown> {
    return {
      filter: this.spec.filter,
      sort: this.spec.sort,
      collapseThreads: this.spec.collapseThreads,
      position,
      limit,
      calculateTotal: true,
    };
  }

  /** Makes sure positions [from, to) are loaded (window-aligned). */
  async ensureRange(from: number, to: number): Promise<void> {
    const first = Math.floor(Math.max(0, from) / WINDOW);
    const last = Math.floor(Math.max(0, (this.loaded ? Math.min(to, this.total) : to) - 1) / WINDOW);
    const waits: Promise<void>[] = [];
    for (let w = first; w <= last; w++) {
      const start = w * WINDOW;
      let complete = this.loaded;
      for (let i = start; complete && i < Math.min(start + WINDOW, this.total); i++) if (this.ids[i] === undefined) complete = false;
      if (complete) continue;
      let p = this.inflight.get(w);
      if (!p) {
        p = this.loadWindow(start).finally(() => this.inflight.delete(w));
        this.inflight.set(w, p);
      }
      waits.push(p);
    }
    await Promise.all(waits);
  }

  private async loadWindow(position: number, retries = 2): Promise<void> {
    const gen = this.generation;
    const r = await this.client.call('Email/query', this.args(position, WINDOW));
    const res = r.get<{ ids: Id[]; total: number; queryState: string; position: number }>();
    if (gen !== this.generation) return;
    if (this.queryState !== null && res.queryState !== this.queryState) {
      // The result moved under us: bring what we have up to date, then ask again.
      await this.refresh();
      if (retries > 0) await this.loadWindow(position, retries - 1);
      return;
    }
    this.queryState = res.queryState;
    this.total = res.total;
    if (this.ids.length > this.total) this.ids.length = this.total;
    for (let i = 0; i < res.ids.length; i++) this.ids[res.position + i] = res.ids[i];
    this.loaded = true;
    await this.onIds(res.ids);
    this.emit();
  }

  /** After an Email StateChange: Email/queryChanges, or a fresh query when the server
   * cannot calculate them. */
  async refresh(): Promise<void> {
    if (this.queryState === null) {
      await this.ensureRange(0, WINDOW);
      return;
    }
    const r = await this.client.call('Email/queryChanges', {
      filter: this.spec.filter,
      sort: this.spec.sort,
      collapseThreads: this.spec.collapseThreads,
      sinceQueryState: this.queryState,
      maxChanges: 1000,
      calculateTotal: true,
    });
    let res: { removed: Id[]; added: { id: Id; index: number }[]; total: number; newQueryState: string };
    try {
      res = r.get();
    } catch (e) {
      if (e instanceof MethodError && (e.type === 'cannotCalculateChanges' || e.type === 'tooManyChanges')) {
        await this.requery();
        return;
      }
      throw e;
    }
    this.ids = spliceChanges(this.ids, this.total, res.removed, res.added, res.total);
    this.total = res.total;
    this.queryState = res.newQueryState;
    await this.onIds(res.added.map((a) => a.id));
    this.emit();
  }

  /** Forgets the result and loads the first window again. */
  async requery(): Promise<void> {
    this.generation++;
    this.ids = [];
    this.queryState = null;
    this.loaded = false;
    this.inflight.clear();
    await this.ensureRange(0, WINDOW);
  }

  /** Local removal (after a move or delete) until the server's change arrives. */
  removeLocally(ids: Id[]): void {
    const gone = new Set(ids);
    const before = this.ids.length;
    this.ids = this.ids.filter((id) => id === undefined || !gone.has(id));
    this.total -= before - this.ids.length;
    this.emit();
  }
}
