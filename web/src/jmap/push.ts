// EventSource push (RFC 8620 §7.3) with reconnect. Postamt sends no `id:` lines and
// ignores Last-Event-ID (docs/protocols/jmap.md, Push), so after every reconnect the
// client must compare its states with the server's: onResync runs then.

import type { StateChange } from './types';

export interface EventSourceLike {
  addEventListener(type: string, fn: (e: MessageEvent) => void): void;
  close(): void;
  onerror: ((e: Event) => void) | null;
  onopen: ((e: Event) => void) | null;
}

export interface PushOptions {
  url: string; // the session's eventSourceUrl template
  onState: (changed: Record<string, string>) => void;
  /** After a reconnect: changes may have been missed. */
  onResync: () => void;
  /** Called before each reconnect; answer false to stop (e.g. the session expired). */
  beforeReconnect?: () => Promise<boolean>;
  accountId: string;
  create?: (url: string) => EventSourceLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  pingSeconds?: number;
}

/** The event source URL for all types, no close after state, with pings. */
export function eventSourceUrl(template: string, pingSeconds: number): string {
  return template
    .replace('{types}', '*')
    .replace('{closeafter}', 'no')
    .replace('{ping}', String(pingSeconds));
}

/** Reconnect delay after `failures` consecutive failures: 1 s doubling to 30 s. */
export function backoff(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

export class PushChannel {
  private es: EventSourceLike | null = null;
  private failures = 0;
  private timer: unknown = null;
  private stopped = false;
  private everOpened = false;
  private readonly create: (url: string) => EventSourceLike;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;

  constructor(private readonly opts: PushOptions) {
    this.create = opts.create ?? ((u) => new EventSource(u) as unknown as EventSourceLike);
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.es?.close();
    this.es = null;
  }

  private connect(): void {
    const es = this.create(eventSourceUrl(this.opts.url, this.opts.pingSeconds ?? 30));
    this.es = es;
    es.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.failures = 0;
      if (reconnected) this.opts.onResync();
    };
    es.addEventListener('state', (e) => {
      let change: StateChange;
      try {
        change = JSON.parse(String(e.data)) as StateChange;
      } catch {
        return;
      }
      const mine = change.changed?.[this.opts.accountId];
      if (mine) this.opts.onState(mine);
    });
    es.onerror = () => {
      // The browser's own retry would reuse a possibly dead session; reconnect ourselves.
      es.close();
      if (this.es !== es || this.stopped) return;
      this.es = null;
      this.failures++;
      this.timer = this.setTimer(() => void this.reconnect(), backoff(this.failures));
    };
  }

  private async reconnect(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    if (this.opts.beforeReconnect && !(await this.opts.beforeReconnect())) {
      this.stopped = true;
      return;
    }
    if (!this.stopped) this.connect();
  }
}
