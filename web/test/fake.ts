// A fake JMAP server for unit tests: answers API requests with a handler per method and
// records every request.
import type { FetchLike } from '../src/jmap/client';
import type { Invocation } from '../src/jmap/types';

export const SESSION = {
  username: 'alice@example.test',
  apiUrl: '/jmap/api',
  downloadUrl: '/jmap/download/{accountId}/{blobId}/{name}?accept={type}',
  uploadUrl: '/jmap/upload/{accountId}/',
  eventSourceUrl: '/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}',
  state: 's1',
  capabilities: { 'urn:ietf:params:jmap:core': { maxCallsInRequest: 32 }, 'urn:ietf:params:jmap:mail': {} },
  accounts: { A1: { name: 'alice@example.test', isPersonal: true, accountCapabilities: {} } },
  primaryAccounts: { 'urn:ietf:params:jmap:mail': 'A1' },
};

export type Handler = (args: Record<string, any>, callId: string) => Invocation[] | [string, Record<string, any>];

export interface Recorded {
  url: string;
  method: string;
  headers: Headers;
  body: any;
}

export function fakeServer(handlers: Record<string, Handler>, status = 200) {
  const requests: Recorded[] = [];
  const f: FetchLike = async (url, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const body = init?.body ? JSON.parse(String(init.body)) : null;
    requests.push({ url, method, headers, body });
    if (status !== 200) return new Response(JSON.stringify({ type: 'about:blank', status, detail: 'nope' }), { status });
    if (url === '/jmap/session') return Response.json(SESSION);
    const responses: Invocation[] = [];
    for (const [name, args, callId] of body.methodCalls as Invocation[]) {
      const h = handlers[name];
      if (!h) {
        responses.push(['error', { type: 'unknownMethod' }, callId]);
        continue;
      }
      const r = h(args, callId);
      if (typeof r[0] === 'string') responses.push([r[0] as string, r[1] as Record<string, any>, callId]);
      else for (const inv of r as Invocation[]) responses.push(inv);
    }
    return Response.json({ methodResponses: responses, sessionState: 's1' });
  };
  return { fetch: f, requests };
}
