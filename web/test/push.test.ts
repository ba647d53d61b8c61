import { describe, expect, it } from 'vitest';
import { PushChannel, backoff, eventSourceUrl, type EventSourceLike } from '../src/jmap/push';

class FakeES implements EventSourceLike {
  listeners: Record<string, ((e: MessageEvent) => void)[]> = {};
  onerror: ((e: Event) => void) | null = null;
  onopen: ((e: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    (this.listeners[type] ??= []).push(fn);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: string) {
    for (const fn of this.listeners[type] ?? []) fn({ data } as MessageEvent);
  }
}

function setup(beforeReconnect?: () => Promise<boolean>) {
  const made: FakeES[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: Record<string, string>[] = [];
  let resyncs = 0;
  const ch = new PushChannel({
    url: '/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}',
    accountId: 'A1',
    onState: (s) => states.push(s),
    onResync: () => resyncs++,
    beforeReconnect,
    create: (u) => {
      const es = new FakeES(u);
      made.push(es);
      return es;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  return { ch, made, timers, states, resyncs: () => resyncs };
}

describe('push', () => {
  it('fills the URL template', () => {
    expect(eventSourceUrl('/e?types={types}&closeafter={closeafter}&ping={ping}', 30)).toBe('/e?types=*&closeafter=no&ping=30');
  });

  it('backs off 1 s doubling up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoff)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('passes on the account state changes and ignores other accounts and bad JSON', () => {
    const t = setup();
    t.ch.start();
    const es = t.made[0]!;
    es.onopen!(new Event('open'));
    es.emit('state', JSON.stringify({ '@type': 'StateChange', changed: { A1: { Email: '7' }, A2: { Email: '9' } } }));
    es.emit('state', JSON.stringify({ '@type': 'StateChange', changed: { A2: { Email: '9' } } }));
    es.emit('state', '{not json');
    expect(t.states).toEqual([{ Email: '7' }]);
    expect(t.resyncs()).toBe(0);
  });

  it('reconnects after an error with back-off and asks for a resync once open again', async () => {
    const t = setup(async () => true);
    t.ch.start();
    t.made[0]!.onopen!(new Event('open'));
    t.made[0]!.onerror!(new Event('error'));
    expect(t.made[0]!.closed).toBe(true);
    expect(t.timers.map((x) => x.ms)).toEqual([1000]);
    t.timers[0]!.fn();
    await Promise.resolve();
    await Promise.resolve();
    expect(t.made).toHaveLength(2);
    t.made[1]!.onerror!(new Event('error'));
    expect(t.timers.map((x) => x.ms)).toEqual([1000, 2000]);
    t.timers[1]!.fn();
    await Promise.resolve();
    await Promise.resolve();
    t.made[2]!.onerror!(new Event('error'));
    expect(t.timers[2]!.ms).toBe(4000);
    t.timers[2]!.fn();
    await Promise.resolve();
    await Promise.resolve();
    t.made[3]!.onopen!(new Event('open'));
    expect(t.resyncs()).toBe(1);
  });

  it('stops reconnecting when the session is gone', async () => {
    const t = setup(async () => false);
    t.ch.start();
    t.made[0]!.onerror!(new Event('error'));
    t.timers[0]!.fn();
    await Promise.resolve();
    await Promise.resolve();
    expect(t.made).toHaveLength(1);
  });
});
