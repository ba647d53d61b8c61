// The signed-in webmail: the JMAP client, the caches, the current list, push. UI
// components read it and subscribe to `changed`; every action is a method here.

import { JmapClient, SessionExpiredError } from '../jmap/client';
import { ObjectCache } from '../jmap/store';
import { EmailQuery, type QuerySpec } from '../jmap/query';
import { PushChannel } from '../jmap/push';
import type { Email, Id, Identity, Mailbox } from '../jmap/types';
import { resume, type Settings, type WebSession } from '../api/webmail';

export const LIST_PROPS = ['id', 'blobId', 'threadId', 'mailboxIds', 'keywords', 'size', 'receivedAt', 'from', 'to', 'subject', 'hasAttachment', 'preview', 'sentAt'];
export const FULL_PROPS = [
  ...LIST_PROPS,
  'messageId', 'inReplyTo', 'references', 'cc', 'bcc', 'replyTo', 'textBody', 'htmlBody', 'attachments', 'bodyValues',
  'header:Disposition-Notification-To:asAddresses',
];

export type SortKey = 'receivedAt' | 'from' | 'subject' | 'size';

export interface SearchSpec {
  text?: string;
  from?: string;
  to?: string;
  subject?: string;
  body?: string;
  after?: string;
  before?: string;
  hasAttachment?: boolean;
}

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

export function sortMailboxes(list: Mailbox[]): Mailbox[] {
  const rank = (m: Mailbox) => (m.role && ROLE_ORDER.includes(m.role) ? ROLE_ORDER.indexOf(m.role) : 100);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
}

/** The JMAP filter of a search (RFC 8621 §4.4.1), AND of the fields given. */
export function searchFilter(s: SearchSpec): Record<string, unknown> | null {
  const f: Record<string, unknown> = {};
  for (const k of ['text', 'from', 'to', 'subject', 'body'] as const) if (s[k]?.trim()) f[k] = s[k]!.trim();
  if (s.after) f.after = new Date(`${s.after}T00:00:00Z`).toISOString().replace('.000', '');
  if (s.before) f.before = new Date(`${s.before}T00:00:00Z`).toISOString().replace('.000', '');
  if (s.hasAttachment) f.hasAttachment = true;
  return Object.keys(f).length ? f : null;
}

export class MailModel {
  readonly client: JmapClient;
  readonly mailboxes: ObjectCache<Mailbox>;
  readonly emails: ObjectCache<Email>;
  identities: Identity[] = [];
  settings: Settings | null = null;
  currentMailbox: Id | null = null;
  search: SearchSpec | null = null;
  sort: SortKey = 'receivedAt';
  ascending = false;
  threads = false;
  query: EmailQuery | null = null;
  snippets = new Map<Id, { subject: string | null; preview: string | null }>();
  /** Thread id → its Email ids, oldest first (Thread/get), for conversations. */
  threadsById = new Map<Id, Id[]>();
  notice: { text: string; error: boolean } | null = null;
  private listeners = new Set<() => void>();
  private push: PushChannel | null = null;
  private unsubs: (() => void)[] = [];

  constructor(
    readonly web: WebSession,
    private readonly onExpired: () => void,
    fetchFn?: (i: string, init?: RequestInit) => Promise<Response>,
  ) {
    this.client = new JmapClient({ csrfToken: web.csrfToken, fetch: fetchFn, onUnauthorized: () => this.expire() });
    this.mailboxes = new ObjectCache<Mailbox>(this.client, 'Mailbox', null, true);
    this.emails = new ObjectCache<Email>(this.client, 'Email', LIST_PROPS, false);
    this.unsubs.push(this.mailboxes.subscribe(() => this.emit()), this.emails.subscribe(() => this.emit()));
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(): void {
    for (const l of this.listeners) l();
  }

  private expired = false;
  private expire(): void {
    if (this.expired) return;
    this.expired = true;
    this.stop();
    this.onExpired();
  }

  async start(): Promise<void> {
    await this.client.loadSession();
    const [, ids] = await Promise.all([this.mailboxes.loadEverything(), this.client.call('Identity/get', { ids: null })]);
    this.identities = ids.get<{ list: Identity[] }>().list;
    const inbox = this.byRole('inbox');
    await this.openMailbox(inbox?.id ?? sortMailboxes(this.mailboxes.all())[0]?.id ?? null);
    this.push = new PushChannel({
      url: this.client.session.eventSourceUrl,
      accountId: this.client.accountId,
      onState: (changed) => void this.onState(changed),
      onResync: () => void this.onState({ Mailbox: '', Email: '' }),
      beforeReconnect: async () => {
        try {
          if (await resume()) return true;
        } catch {
          return true; // the server is away; keep trying
        }
        this.expire();
        return false;
      },
    });
    this.push.start();
  }

  stop(): void {
    this.push?.stop();
    this.push = null;
    for (const u of this.unsubs) u();
    this.unsubs = [];
  }

  private async onState(changed: Record<string, string>): Promise<void> {
    try {
      const work: Promise<void>[] = [];
      if ('Mailbox' in changed) work.push(this.mailboxes.sync(changed.Mailbox || undefined));
      if ('Email' in changed) {
        work.push(this.emails.sync(changed.Email || undefined));
        if (this.query) work.push(this.query.refresh());
      }
      await Promise.all(work);
    } catch (e) {
      this.fail(e);
    }
  }

  fail(e: unknown): void {
    if (e instanceof SessionExpiredError) return;
    this.notice = { text: (e as Error).message, error: true };
    this.emit();
  }

  say(text: string): void {
    this.notice = { text, error: false };
    this.emit();
  }

  byRole(role: string): Mailbox | undefined {
    return this.mailboxes.all().find((m) => m.role === role);
  }

  identity(): Identity | null {
    return this.identities[0] ?? null;
  }

  spec(): QuerySpec {
    const sortProp = this.sort;
    const base: QuerySpec['sort'] = [{ property: sortProp, isAscending: this.ascending }];
    if (sortProp !== 'receivedAt') base.push({ property: 'receivedAt', isAscending: false });
    let filter: Record<string, unknown> | null;
    if (this.search) filter = searchFilter(this.search);
    else filter = this.currentMailbox ? { inMailbox: this.currentMailbox } : null;
    return { filter, sort: base, collapseThreads: this.threads };
  }

  async openMailbox(id: Id | null): Promise<void> {
    this.currentMailbox = id;
    this.search = null;
    await this.requery();
  }

  async runSearch(s: SearchSpec | null): Promise<void> {
    this.search = s && searchFilter(s) ? s : null;
    await this.requery();
  }

  async requery(): Promise<void> {
    const q = new EmailQuery(this.client, this.spec(), async (ids) => {
      await this.emails.ensure(ids);
      if (this.search && ids.length) await this.loadSnippets(ids);
      if (this.threads && ids.length) await this.loadThreads(ids.map((id) => this.emails.byId.get(id)?.threadId).filter((x): x is Id => !!x), true);
    });
    this.query = q;
    this.snippets.clear();
    q.subscribe(() => this.emit());
    this.emit();
    try {
      await q.ensureRange(0, 100);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Thread/get for the given threads (those not known yet, unless `force`). */
  async loadThreads(threadIds: Id[], force = false): Promise<void> {
    const want = [...new Set(threadIds)].filter((t) => force || !this.threadsById.has(t)).slice(0, 500);
    if (!want.length) return;
    const r = await this.client.call('Thread/get', { ids: want });
    for (const th of r.get<{ list: { id: Id; emailIds: Id[] }[] }>().list) this.threadsById.set(th.id, th.emailIds);
    this.emit();
  }

  private async loadSnippets(ids: Id[]): Promise<void> {
    const filter = searchFilter(this.search ?? {});
    if (!filter) return;
    const r = await this.client.call('SearchSnippet/get', { filter, emailIds: ids.slice(0, 500) });
    for (const s of r.get<{ list: { emailId: Id; subject: string | null; preview: string | null }[] }>().list) {
      this.snippets.set(s.emailId, { subject: s.subject, preview: s.preview });
    }
  }

  async setKeyword(ids: Id[], keyword: string, on: boolean): Promise<void> {
    if (!ids.length) return;
    for (const id of ids)
      this.emails.patch(id, (e) => {
        const k = { ...e.keywords };
        if (on) k[keyword] = true;
        else delete k[keyword];
        return { ...e, keywords: k };
      });
    const update: Record<Id, unknown> = {};
    for (const id of ids) update[id] = { [`keywords/${keyword}`]: on ? true : null };
    await this.setEmails({ update });
  }

  async move(ids: Id[], target: Id): Promise<void> {
    if (!ids.length) return;
    const update: Record<Id, unknown> = {};
    for (const id of ids) update[id] = { mailboxIds: { [target]: true } };
    if (!this.search) this.query?.removeLocally(ids);
    await this.setEmails({ update });
  }

  /** To Trash, or destroyed when already in Trash (or Junk's "delete for good"). */
  async remove(ids: Id[]): Promise<void> {
    const trash = this.byRole('trash');
    if (!trash || this.currentMailbox === trash.id) {
      this.query?.removeLocally(ids);
      await this.setEmails({ destroy: ids });
    } else await this.move(ids, trash.id);
  }

  async emptyMailbox(id: Id): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const b = this.client.batch();
      const q = b.add('Email/query', { filter: { inMailbox: id }, limit: 500 });
      const res = await b.send();
      const ids = res.get<{ ids: Id[] }>(q).ids;
      if (!ids.length) break;
      await this.setEmails({ destroy: ids });
    }
    if (this.currentMailbox === id) await this.requery();
  }

  async setEmails(args: Record<string, unknown>): Promise<void> {
    const r = await this.client.call('Email/set', args);
    const res = r.get<{ notUpdated?: Record<Id, { description?: string; type: string }> | null; notDestroyed?: Record<Id, { description?: string; type: string }> | null }>();
    const err = Object.values({ ...(res.notUpdated ?? {}), ...(res.notDestroyed ?? {}) })[0];
    if (err) throw new Error(err.description ?? err.type);
  }

  async mailboxSet(args: Record<string, unknown>): Promise<void> {
    const r = await this.client.call('Mailbox/set', args);
    const res = r.get<Record<string, Record<Id, { description?: string; type: string }> | null>>();
    const err = Object.values({ ...(res.notCreated ?? {}), ...(res.notUpdated ?? {}), ...(res.notDestroyed ?? {}) })[0];
    if (err) throw new Error(err.description ?? err.type);
    await this.mailboxes.sync();
  }

  /** The whole Email with bodies (this counts as a download for the server's receipt
   * policy, docs/protocols/jmap.md). */
  async loadFull(id: Id): Promise<Email | null> {
    const r = await this.client.call('Email/get', {
      ids: [id],
      properties: FULL_PROPS,
      fetchTextBodyValues: true,
      fetchHTMLBodyValues: true,
      maxBodyValueBytes: 4_000_000,
    });
    return r.get<{ list: Email[] }>().list[0] ?? null;
  }
}
