import { describe, expect, it } from 'vitest';
import { JmapClient } from '../src/jmap/client';
import { ObjectCache } from '../src/jmap/store';
import { EmailQuery, spliceChanges } from '../src/jmap/query';
import { fakeServer, type Handler } from './fake';

async function mk(handlers: Record<string, Handler>) {
  const srv = fakeServer(handlers);
  const c = new JmapClient({ fetch: srv.fetch, csrfToken: 't' });
  await c.loadSession();
  return { c, srv };
}

describe('ObjectCache', () => {
  it('applies Mailbox/changes with the created and updated objects fetched by reference', async () => {
    let phase = 0;
    const { c, srv } = await mk({
      'Mailbox/get': (a) => {
        if (a.ids === null) return ['Mailbox/get', { list: [{ id: 'F1', name: 'Inbox' }, { id: 'F2', name: 'Old' }], state: '10' }];
        const path = a['#ids'].path;
        return ['Mailbox/get', { list: path === '/created' ? [{ id: 'F3', name: 'New' }] : [{ id: 'F1', name: 'Inbox2' }], state: '11' }];
      },
      'Mailbox/changes': (a) => {
        phase++;
        expect(a.sinceState).toBe('10');
        return ['Mailbox/changes', { oldState: '10', newState: '11', created: ['F3'], updated: ['F1'], destroyed: ['F2'], hasMoreChanges: false }];
      },
    });
    const m = new ObjectCache<{ id: string; name: string }>(c, 'Mailbox', null, true);
    let emitted = 0;
    m.subscribe(() => emitted++);
    await m.loadEverything();
    await m.sync('11');
    expect(phase).toBe(1);
    expect(m.all().map((x) => `${x.id}:${x.name}`).sort()).toEqual(['F1:Inbox2', 'F3:New']);
    expect(m.state).toBe('11');
    expect(emitted).toBe(2);
    // Same state again: no request.
    const n = srv.requests.length;
    await m.sync('11');
    expect(srv.requests.length).toBe(n);
  });

  it('loads again on cannotCalculateChanges', async () => {
    let gets = 0;
    const { c } = await mk({
      'Mailbox/get': (a) => {
        if (a.ids !== null) return ['Mailbox/get', { list: [], state: 'x' }];
        gets++;
        return ['Mailbox/get', { list: [{ id: 'F9', name: gets === 1 ? 'a' : 'b' }], state: String(gets) }];
      },
      'Mailbox/changes': () => ['error', { type: 'cannotCalculateChanges' }],
    });
    const m = new ObjectCache<{ id: string; name: string }>(c, 'Mailbox', null, true);
    await m.loadEverything();
    await m.sync('99');
    expect(m.byId.get('F9')!.name).toBe('b');
    expect(m.state).toBe('2');
  });

  it('refreshes only held Emails and follows hasMoreChanges', async () => {
    const asked: string[][] = [];
    const { c } = await mk({
      'Email/get': (a) => {
        asked.push(a.ids);
        return ['Email/get', { list: a.ids.map((id: string) => ({ id, keywords: { $seen: true } })), state: '5' }];
      },
      'Email/changes': (a) =>
        a.sinceState === '5'
          ? ['Email/changes', { newState: '6', created: ['M9'], updated: ['M1'], destroyed: ['M2'], hasMoreChanges: true }]
          : ['Email/changes', { newState: '7', created: [], updated: ['M3'], destroyed: [], hasMoreChanges: false }],
    });
    const e = new ObjectCache<{ id: string; keywords: Record<string, boolean> }>(c, 'Email', ['keywords'], false);
    await e.ensure(['M1', 'M2']);
    await e.sync('7');
    expect(asked).toEqual([['M1', 'M2'], ['M1']]);
    expect([...e.byId.keys()]).toEqual(['M1']);
    expect(e.state).toBe('7');
  });
});

describe('spliceChanges', () => {
  it('removes and inserts at indexes', () => {
    expect(spliceChanges(['a', 'b', 'c'], 3, ['b'], [{ id: 'x', index: 0 }], 3)).toEqual(['x', 'a', 'c']);
  });
  it('moves a changed id that stays in the result', () => {
    expect(spliceChanges(['a', 'b', 'c'], 3, ['c'], [{ id: 'c', index: 0 }], 3)).toEqual(['c', 'a', 'b']);
  });
  it('ignores removed ids never in the result when the counts add up', () => {
    expect(spliceChanges(['a', undefined, 'c'], 3, ['zz'], [], 3)).toEqual(['a', undefined, 'c']);
  });
  it('cuts at the first unknown position when a removed id was in an unloaded part', () => {
    expect(spliceChanges(['a', undefined, 'c', 'd'], 4, ['q'], [], 3)).toEqual(['a']);
  });
});

describe('EmailQuery', () => {
  it('pages windows and splices queryChanges; requeries on cannotCalculateChanges', async () => {
    let failChanges = false;
    const all = Array.from({ length: 250 }, (_, i) => `M${i}`);
    const { c, srv } = await mk({
      'Email/query': (a) => ['Email/query', { ids: all.slice(a.position, a.position + a.limit), position: a.position, total: all.length, queryState: 'q1' }],
      'Email/queryChanges': () =>
        failChanges
          ? ['error', { type: 'cannotCalculateChanges' }]
          : ['Email/queryChanges', { oldQueryState: 'q1', newQueryState: 'q2', removed: ['M5'], added: [{ id: 'N1', index: 0 }], total: 250 }],
    });
    const seen: string[][] = [];
    const q = new EmailQuery(c, { filter: { inMailbox: 'F1' }, sort: [{ property: 'receivedAt', isAscending: false }], collapseThreads: false }, async (ids) => {
      seen.push(ids);
    });
    await q.ensureRange(0, 50);
    expect(q.total).toBe(250);
    expect(q.ids.slice(0, 3)).toEqual(['M0', 'M1', 'M2']);
    await q.ensureRange(180, 220);
    expect(q.ids[150]).toBe('M150');
    expect(q.ids.filter(Boolean)).toHaveLength(250);
    // Already loaded: no request.
    const n = srv.requests.length;
    await q.ensureRange(0, 90);
    expect(srv.requests.length).toBe(n);
    await q.refresh();
    expect(q.ids.slice(0, 7)).toEqual(['N1', 'M0', 'M1', 'M2', 'M3', 'M4', 'M6']);
    expect(q.queryState).toBe('q2');
    expect(seen.at(-1)).toEqual(['N1']);
    failChanges = true;
    await q.refresh();
    expect(q.ids.slice(0, 2)).toEqual(['M0', 'M1']);
    expect(q.ids.filter(Boolean)).toHaveLength(100);
  });
});
