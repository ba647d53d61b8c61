// The JMAP client (RFC 8620): the session resource, method calls batched into one
// request per tick, explicit batches with result references (§3.7), uploads with
// progress (§6.1) and download URLs (§6.2).
//
// Authentication is the webmail cookie; every request that is not a GET/HEAD carries
// the session's CSRF token in X-CSRF-Token (the server's contract). Any 401 means the
// session is gone (idle or absolute expiry, logout elsewhere): onUnauthorized runs once
// per failing request and the caller gets a SessionExpiredError.

import { CAP, type Id, type Invocation, type Session } from './types';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A JMAP method error (RFC 8620 §3.6.2): `type` such as "cannotCalculateChanges". */
export class MethodError extends Error {
  constructor(
    readonly type: string,
    readonly method: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`${method}: ${type}${details.description ? ` (${String(details.description)})` : ''}`);
  }
}

/** A request-level error (RFC 8620 §3.6.1), an HTTP status, or a network failure. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problemType: string | null = null,
  ) {
    super(message);
  }
}

export class SessionExpiredError extends RequestError {
  constructor() {
    super('session expired', 401);
  }
}

/** One call's answers: the method response and any implicit ones with the same call id
 * (e.g. the Email/set that onSuccessUpdateEmail produces, RFC 8621 §7.5). */
export class CallResult {
  constructor(
    readonly callId: string,
    readonly responses: Invocation[],
  ) {}

  /** The arguments of the first response named `name` (default: the call's own method);
   * throws MethodError when the server answered "error". */
  get<T = Record<string, any>>(name?: string): T {
    const first = this.responses[0];
    if (!first) throw new RequestError(`no response for call ${this.callId}`, 0);
    if (first[0] === 'error') {
      const args = first[1] as Record<string, unknown>;
      throw new MethodError(String(args.type), name ?? '?', args);
    }
    if (!name) return first[1] as T;
    const found = this.responses.find((r) => r[0] === name);
    if (!found) throw new RequestError(`no ${name} response for call ${this.callId}`, 0);
    return found[1] as T;
  }
}

/** A handle to one call of a batch, for building result references. */
export class CallHandle {
  constructor(
    readonly callId: string,
    readonly name: string,
  ) {}
  /** A ResultReference (RFC 8620 §3.7) to `path` of this call's response. */
  ref(path: string): { resultOf: string; name: string; path: string } {
    return { resultOf: this.callId, name: this.name, path };
  }
}

export interface UploadResult {
  accountId: Id;
  blobId: Id;
  type: string;
  size: number;
}

/** What an upload needs from XMLHttpRequest (injectable for tests). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  status: number;
  responseText: string;
  withCredentials: boolean;
}

export interface ClientOptions {
  fetch?: FetchLike;
  xhr?: () => XhrLike;
  csrfToken: string;
  sessionUrl?: string;
  onUnauthorized?: () => void;
}

const USING = [CAP.core, CAP.mail, CAP.submission, CAP.mdn, CAP.vacation];

export class JmapClient {
  session!: Session;
  accountId!: Id;
  private readonly fetchFn: FetchLike;
  private readonly xhrFn: () => XhrLike;
  private nextCall = 0;
  private pending: { inv: Invocation; resolve: (r: CallResult) => void; reject: (e: unknown) => void }[] = [];
  private flushScheduled = false;

  constructor(private readonly opts: ClientOptions) {
    this.fetchFn = opts.fetch ?? ((i, init) => fetch(i, init));
    this.xhrFn = opts.xhr ?? (() => new XMLHttpRequest() as unknown as XhrLike);
  }

  get csrfToken(): string {
    return this.opts.csrfToken;
  }

  /** GET the session resource; the mail account is the primary account of the mail
   * capability. */
  async loadSession(): Promise<Session> {
    const res = await this.http(this.opts.sessionUrl ?? '/jmap/session', { method: 'GET' });
    this.session = (await res.json()) as Session;
    const account = this.session.primaryAccounts[CAP.mail];
    if (!account) throw new RequestError('the session names no mail account', 0);
    this.accountId = account;
    return this.session;
  }

  hasCapability(cap: string): boolean {
    return cap in (this.session?.capabilities ?? {});
  }

  /** Queues one method call; calls made in the same tick travel in one request.
   * `accountId` is filled in when the arguments do not name one. */
  call(name: string, args: Record<string, unknown>): Promise<CallResult> {
    const inv: Invocation = [name, this.withAccount(name, args), `c${this.nextCall++}`];
    return new Promise((resolve, reject) => {
      this.pending.push({ inv, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  /** An explicit batch whose calls may reference each other's results. */
  batch(): Batch {
    return new Batch(this);
  }

  /** Sends invocations as one API request; answers the responses grouped by call id. */
  async request(calls: Invocation[]): Promise<Map<string, CallResult>> {
    const body = JSON.stringify({ using: USING, methodCalls: calls });
    const res = await this.http(this.session.apiUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const json = (await res.json()) as { methodResponses: Invocation[] };
    const grouped = new Map<string, Invocation[]>();
    for (const r of json.methodResponses ?? []) {
      const list = grouped.get(r[2]) ?? [];
      list.push(r);
      grouped.set(r[2], list);
    }
    const out = new Map<string, CallResult>();
    for (const c of calls) out.set(c[2], new CallResult(c[2], grouped.get(c[2]) ?? []));
    return out;
  }

  /** The download URL of a blob (RFC 8620 §6.2 template). */
  downloadUrl(blobId: Id, name: string, type: string): string {
    return this.session.downloadUrl
      .replace('{accountId}', encodeURIComponent(this.accountId))
      .replace('{blobId}', encodeURIComponent(blobId))
      .replace('{name}', encodeURIComponent(name || 'download'))
      .replace('{type}', encodeURIComponent(type || 'application/octet-stream'));
  }

  /** Uploads a blob with XMLHttpRequest so that progress can be shown; `signal` aborts. */
  upload(blob: Blob, type: string, onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<UploadResult> {
    const url = this.session.uploadUrl.replace('{accountId}', encodeURIComponent(this.accountId));
    return new Promise((resolve, reject) => {
      const xhr = this.xhrFn();
      xhr.open('POST', url);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Content-Type', type || 'application/octet-stream');
      xhr.setRequestHeader('X-CSRF-Token', this.opts.csrfToken);
      xhr.upload.onprogress = (e) => {
        if (onProgress) onProgress(e.loaded, e.lengthComputable ? e.total : blob.size);
      };
      xhr.onload = () => {
        if (xhr.status === 401) {
          this.opts.onUnauthorized?.();
          reject(new SessionExpiredError());
        } else if (xhr.status === 201 || xhr.status === 200) {
          resolve(JSON.parse(xhr.responseText) as UploadResult);
        } else {
          reject(new RequestError(problemDetail(xhr.responseText) ?? `upload failed (${xhr.status})`, xhr.status));
        }
      };
      xhr.onerror = () => reject(new RequestError('upload failed (network)', 0));
      xhr.onabort = () => reject(new RequestError('upload cancelled', 0));
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(blob);
    });
  }

  /** A fetch of this origin with the session cookie and, for writes, the CSRF token. */
  async http(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') headers.set('X-CSRF-Token', this.opts.csrfToken);
    let res: Response;
    try {
      res = await this.fetchFn(url, { ...init, headers, credentials: 'same-origin' });
    } catch (e) {
      throw new RequestError(`network error: ${(e as Error).message}`, 0);
    }
    if (res.status === 401) {
      this.opts.onUnauthorized?.();
      throw new SessionExpiredError();
    }
    if (!res.ok) {
      let type: string | null = null;
      let detail = `HTTP ${res.status}`;
      try {
        const p = (await res.json()) as { type?: string; detail?: string };
        type = p.type ?? null;
        if (p.detail) detail = p.detail;
      } catch {
        /* not a problem document */
      }
      throw new RequestError(detail, res.status, type);
    }
    return res;
  }

  private withAccount(name: string, args: Record<string, unknown>): Record<string, unknown> {
    if (name === 'Core/echo' || 'accountId' in args) return args;
    return { accountId: this.accountId, ...args };
  }

  /** Internal: prepares an invocation for a Batch. */
  invocation(name: string, args: Record<string, unknown>): Invocation {
    return [name, this.withAccount(name, args), `b${this.nextCall++}`];
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const maxCalls = Number((this.session?.capabilities?.[CAP.core] as { maxCallsInRequest?: number } | undefined)?.maxCallsInRequest ?? 16);
    while (this.pending.length) {
      const chunk = this.pending.splice(0, maxCalls);
      try {
        const results = await this.request(chunk.map((p) => p.inv));
        for (const p of chunk) p.resolve(results.get(p.inv[2])!);
      } catch (e) {
        for (const p of chunk) p.reject(e);
      }
    }
  }
}

/** Calls sent together, later ones referring to earlier results:
 *   const b = client.batch();
 *   const q = b.add('Email/query', {...});
 *   const g = b.add('Email/get', { '#ids': q.ref('/ids') });
 *   const r = await b.send(); r.get(g) */
export class Batch {
  private readonly calls: Invocation[] = [];
  constructor(private readonly client: JmapClient) {}

  add(name: string, args: Record<string, unknown>): CallHandle {
    const inv = this.client.invocation(name, args);
    this.calls.push(inv);
    return new CallHandle(inv[2], name);
  }

  get size(): number {
    return this.calls.length;
  }

  async send(): Promise<BatchResult> {
    return new BatchResult(await this.client.request(this.calls));
  }
}

export class BatchResult {
  constructor(private readonly results: Map<string, CallResult>) {}
  /** The response of `h` (or the implicit response `name` with its call id). */
  get<T = Record<string, any>>(h: CallHandle, name?: string): T {
    return this.results.get(h.callId)!.get<T>(name ?? h.name);
  }
  raw(h: CallHandle): CallResult {
    return this.results.get(h.callId)!;
  }
}

function problemDetail(text: string): string | null {
  try {
    return (JSON.parse(text) as { detail?: string }).detail ?? null;
  } catch {
    return null;
  }
}
