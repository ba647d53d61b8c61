import { describe, expect, it, vi } from 'vitest';
import { JmapClient, MethodError, SessionExpiredError, type XhrLike } from '../src/jmap/client';
import { fakeServer } from './fake';

async function client(handlers: Parameters<typeof fakeServer>[0], status = 200) {
  const srv = fakeServer(handlers);
  const onUnauthorized = vi.fn();
  const c = new JmapClient({ fetch: srv.fetch, csrfToken: 'tok123', onUnauthorized });
  await c.loadSession();
  if (status !== 200) {
    const bad = fakeServer(handlers, status);
    (c as any).fetchFn = bad.fetch;
    return { c, srv: bad, onUnauthorized };
  }
  return { c, srv, onUnauthorized };
}

describe('JmapClient', () => {
  it('reads the session and the primary mail account', async () => {
    const { c, srv } = await client({});
    expect(c.accountId).toBe('A1');
    expect(srv.requests[0]!.method).toBe('GET');
    expect(srv.requests[0]!.headers.get('X-CSRF-Token')).toBeNull();
  });

  it('batches calls of one tick into one request with the CSRF token and accountId', async () => {
    const { c, srv } = await client({
      'Mailbox/get': (a) => ['Mailbox/get', { accountId: a.accountId, list: [], state: '5' }],
      'Identity/get': () => ['Identity/get', { list: [{ id: 'I1' }], state: '5' }],
    });
    const [m, i] = await Promise.all([c.call('Mailbox/get', { ids: null }), c.call('Identity/get', { ids: null })]);
    expect(m.get().accountId).toBe('A1');
    expect(i.get().list[0].id).toBe('I1');
    expect(srv.requests).toHaveLength(2);
    const api = srv.requests[1]!;
    expect(api.method).toBe('POST');
    expect(api.headers.get('X-CSRF-Token')).toBe('tok123');
    expect(api.body.methodCalls.map((x: any) => x[0])).toEqual(['Mailbox/get', 'Identity/get']);
    expect(api.body.using).toContain('urn:ietf:params:jmap:mdn');
  });

  it('turns an error response into a MethodError', async () => {
    const { c } = await client({ 'Email/changes': () => ['error', { type: 'cannotCalculateChanges' }] });
    const r = await c.call('Email/changes', { sinceState: 'x' });
    expect(() => r.get()).toThrowError(MethodError);
    try {
      r.get();
    } catch (e) {
      expect((e as MethodError).type).toBe('cannotCalculateChanges');
    }
  });

  it('sends result references in a batch and returns implicit responses', async () => {
    const { c, srv } = await client({
      'Email/query': () => ['Email/query', { ids: ['M1', 'M2'], queryState: 'q1', total: 2, position: 0 }],
      'Email/get': (a) => ['Email/get', { list: [{ id: 'M1' }], seen: a['#ids'] }],
      'EmailSubmission/set': (_a, id) => [
        ['EmailSubmission/set', { created: { s: { id: 'S9' } } }, id],
        ['Email/set', { updated: { M1: null } }, id],
      ],
    });
    const b = c.batch();
    const q = b.add('Email/query', { filter: null });
    const g = b.add('Email/get', { '#ids': q.ref('/ids') });
    const s = b.add('EmailSubmission/set', { create: {} });
    const r = await b.send();
    expect(r.get(g).seen).toEqual({ resultOf: q.callId, name: 'Email/query', path: '/ids' });
    expect(r.get(s).created.s.id).toBe('S9');
    expect(r.get(s, 'Email/set').updated).toEqual({ M1: null });
    expect(srv.requests[1]!.body.methodCalls).toHaveLength(3);
  });

  it('calls onUnauthorized and throws SessionExpiredError on 401', async () => {
    const { c, onUnauthorized } = await client({}, 401);
    await expect(c.call('Mailbox/get', {})).rejects.toBeInstanceOf(SessionExpiredError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reports the problem detail of other HTTP errors', async () => {
    const { c } = await client({}, 403);
    await expect(c.call('Mailbox/get', {})).rejects.toMatchObject({ status: 403, message: 'nope' });
  });

  it('fills the download URL template with encoded parts', async () => {
    const { c } = await client({});
    expect(c.downloadUrl('Babc_1-2', 'a b/ü.pdf', 'application/pdf')).toBe(
      '/jmap/download/A1/Babc_1-2/a%20b%2F%C3%BC.pdf?accept=application%2Fpdf',
    );
  });

  it('uploads with progress, the CSRF token and the content type', async () => {
    const srv = fakeServer({});
    const sent: Record<string, string> = {};
    let fake!: XhrLike & { url: string };
    const c = new JmapClient({
      fetch: srv.fetch,
      csrfToken: 'tok123',
      xhr: () => {
        fake = {
          url: '',
          open: (_m, u) => (fake.url = u),
          setRequestHeader: (n, v) => (sent[n] = v),
          send: () => {
            fake.upload.onprogress!({ loaded: 5, total: 10, lengthComputable: true });
            fake.upload.onprogress!({ loaded: 10, total: 10, lengthComputable: true });
            fake.status = 201;
            fake.responseText = JSON.stringify({ accountId: 'A1', blobId: 'Bxyz', type: 'text/plain', size: 10 });
            fake.onload!();
          },
          abort: () => {},
          upload: { onprogress: null },
          onload: null,
          onerror: null,
          onabort: null,
          status: 0,
          responseText: '',
          withCredentials: false,
        };
        return fake;
      },
    });
    await c.loadSession();
    const progress: number[] = [];
    const r = await c.upload(new Blob(['0123456789']), 'text/plain', (l) => progress.push(l));
    expect(r.blobId).toBe('Bxyz');
    expect(progress).toEqual([5, 10]);
    expect(fake.url).toBe('/jmap/upload/A1/');
    expect(sent).toEqual({ 'Content-Type': 'text/plain', 'X-CSRF-Token': 'tok123' });
  });
});
