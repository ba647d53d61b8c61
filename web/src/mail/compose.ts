// Building messages: the Email/set create object of a draft (RFC 8621 §4.6), reply,
// reply-all and forward drafts from an original, and the send batch (§7.5: create
// the Email, submit it, move it from Drafts to Sent on success).

import type { Batch, CallHandle } from '../jmap/client';
import type { Email, EmailAddress, Id, Identity } from '../jmap/types';

export interface Attachment {
  blobId: Id;
  name: string;
  type: string;
  size: number;
}

export interface Draft {
  identityId: Id | null;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  attachments: Attachment[];
  requestReceipt: boolean;
  inReplyTo: string[] | null;
  references: string[] | null;
  /** The original this replies to or forwards, to mark $answered / $forwarded. */
  replyOf: Id | null;
  forwardOf: Id | null;
}

export function emptyDraft(identityId: Id | null): Draft {
  return { identityId, to: '', cc: '', bcc: '', subject: '', body: '', attachments: [], requestReceipt: false, inReplyTo: null, references: null, replyOf: null, forwardOf: null };
}

/** Splits an address field as typed ("Ann <a@x>, b@y; c@z") into addresses. Returns
 * null for the first part that is not an address. */
export function parseAddressList(text: string): { list: EmailAddress[]; bad: string | null } {
  const list: EmailAddress[] = [];
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '<') angle = true;
    if (!quoted && ch === '>') angle = false;
    if (!quoted && !angle && (ch === ',' || ch === ';' || ch === '\n')) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    const m = /^(.*?)<\s*([^<>\s]+)\s*>$/.exec(p);
    const email = (m ? m[2]! : p).trim();
    const name = m ? m[1]!.trim().replace(/^"(.*)"$/, '$1').trim() : '';
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) && !/^[^@\s]+@[^@\s]+$/.test(email)) return { list, bad: p };
    list.push({ name: name || null, email });
  }
  return { list, bad: null };
}

export function formatAddress(a: EmailAddress): string {
  if (!a.name) return a.email;
  const name = /[",;<>@()]/.test(a.name) ? `"${a.name.replace(/"/g, "'")}"` : a.name;
  return `${name} <${a.email}>`;
}

export function formatAddressList(list: EmailAddress[] | null | undefined): string {
  return (list ?? []).map(formatAddress).join(', ');
}

/** A new Message-ID (RFC 5322 §3.6.4) on the identity's domain. */
export function newMessageId(identity: Identity, random: () => string = () => crypto.randomUUID()): string {
  const domain = identity.email.slice(identity.email.lastIndexOf('@') + 1) || 'localhost';
  return `${random()}@${domain}`;
}

/** The Email/set create object of a draft in Drafts (keywords $draft and $seen). Each
 * version gets its own Message-ID and Date: an Email's id is derived from its bytes, so
 * two identical versions would be one Email, and replacing the old version (create the
 * new, destroy the old in one call) would destroy the new one too. */
export function draftEmail(d: Draft, identity: Identity, draftsId: Id, now: Date = new Date(), messageId: string = newMessageId(identity)): Record<string, unknown> {
  const addr = (s: string) => {
    const r = parseAddressList(s);
    return r.list.length ? r.list : null;
  };
  const email: Record<string, unknown> = {
    mailboxIds: { [draftsId]: true },
    keywords: { $draft: true, $seen: true },
    from: [{ name: identity.name || null, email: identity.email }],
    to: addr(d.to),
    cc: addr(d.cc),
    bcc: addr(d.bcc),
    subject: d.subject,
    messageId: [messageId],
    sentAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    bodyValues: { body: { value: d.body } },
    textBody: [{ partId: 'body', type: 'text/plain' }],
    attachments: d.attachments.map((a) => ({ blobId: a.blobId, type: a.type, name: a.name, disposition: 'attachment' })),
  };
  if (d.inReplyTo?.length) email['header:In-Reply-To:asMessageIds'] = d.inReplyTo;
  if (d.references?.length) email['header:References:asMessageIds'] = d.references;
  // RFC 8098 §2.1: the receipt goes to the address in Disposition-Notification-To.
  if (d.requestReceipt) email['header:Disposition-Notification-To:asAddresses'] = [{ name: identity.name || null, email: identity.email }];
  return email;
}

function prefixed(prefix: string, subject: string | null): string {
  const s = (subject ?? '').trim();
  return new RegExp(`^${prefix}:`, 'i').test(s) ? s : `${prefix}: ${s}`;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`))
    .join('\n');
}

/** A reply draft; `all` also answers every other recipient except the user. */
export function replyDraft(orig: Email, bodyText: string, me: Identity, all: boolean, wrote: (who: string, when: string) => string): Draft {
  const d = emptyDraft(me.id);
  const from = orig.replyTo?.length ? orig.replyTo : orig.from ?? [];
  const mine = (a: EmailAddress) => a.email.toLowerCase() === me.email.toLowerCase();
  const to = [...from];
  const cc: EmailAddress[] = [];
  if (all) {
    for (const a of [...(orig.to ?? []), ...(orig.cc ?? [])]) {
      if (mine(a) || [...to, ...cc].some((x) => x.email.toLowerCase() === a.email.toLowerCase())) continue;
      cc.push(a);
    }
  }
  const toList = to.filter((a) => !mine(a));
  d.to = formatAddressList(toList.length ? toList : to);
  d.cc = formatAddressList(cc);
  d.subject = prefixed('Re', orig.subject);
  const who = formatAddressList(orig.from);
  d.body = `\n\n${wrote(who, orig.sentAt ?? orig.receivedAt)}\n${quote(bodyText)}\n`;
  d.inReplyTo = orig.messageId ?? null;
  d.references = [...(orig.references ?? orig.inReplyTo ?? []), ...(orig.messageId ?? [])];
  d.replyOf = orig.id;
  return d;
}

/** A forward draft: inline (quoted text and the original's attachments) or as a
 * message/rfc822 attachment of the original's bytes. */
export function forwardDraft(orig: Email, bodyText: string, me: Identity, asAttachment: boolean, header: string): Draft {
  const d = emptyDraft(me.id);
  d.subject = prefixed('Fwd', orig.subject);
  d.forwardOf = orig.id;
  if (asAttachment) {
    d.attachments = [{ blobId: orig.blobId, name: `${(orig.subject || 'message').replace(/[\\/:*?"<>|]/g, '_')}.eml`, type: 'message/rfc822', size: orig.size }];
  } else {
    d.body = `\n\n${header}\n${bodyText}\n`;
    d.attachments = (orig.attachments ?? [])
      .filter((a) => a.blobId)
      .map((a) => ({ blobId: a.blobId!, name: a.name ?? 'attachment', type: a.type, size: a.size }));
  }
  return d;
}

export interface SendHandles {
  create: CallHandle;
  submit: CallHandle;
}

/** Adds the send calls to a batch: the final Email created in Drafts (replacing the
 * saved draft, if any), an EmailSubmission of it whose success moves it to Sent, read,
 * and no longer a draft, and the original marked $answered/$forwarded. */
export function addSend(b: Batch, d: Draft, identity: Identity, draftsId: Id, sentId: Id, savedDraftId: Id | null): SendHandles {
  const create = b.add('Email/set', {
    create: { out: draftEmail(d, identity, draftsId) },
    destroy: savedDraftId ? [savedDraftId] : null,
  });
  const submit = b.add('EmailSubmission/set', {
    create: { send: { identityId: identity.id, emailId: '#out' } },
    onSuccessUpdateEmail: { '#send': { mailboxIds: { [sentId]: true }, 'keywords/$draft': null, 'keywords/$seen': true } },
  });
  const mark = d.replyOf ? { id: d.replyOf, kw: '$answered' } : d.forwardOf ? { id: d.forwardOf, kw: '$forwarded' } : null;
  if (mark) b.add('Email/set', { update: { [mark.id]: { [`keywords/${mark.kw}`]: true } } });
  return { create, submit };
}
