// Read receipts in the webmail (RFC 8098, RFC 9007 MDN/send, RFC 3503 $MDNSent).
// What to do when a message is opened, the MDN/send call, "don't send" as the keyword,
// and the receipts that came back for a sent message.

import type { JmapClient } from '../jmap/client';
import type { Email, EmailSubmission, Id, Mailbox, Mdn } from '../jmap/types';
import type { ReceiptChoice, Settings } from '../api/webmail';

export type ReceiptAction = 'none' | 'ask' | 'send';

export function hasKeyword(e: Pick<Email, 'keywords'>, kw: string): boolean {
  const want = kw.toLowerCase();
  return Object.entries(e.keywords ?? {}).some(([k, v]) => v && k.toLowerCase() === want);
}

export function requestedReceiptFrom(e: Email): string | null {
  const list = e['header:Disposition-Notification-To:asAddresses'];
  return list && list.length ? list[0]!.email : null;
}

/** What opening `e` leads to under the user's effective choice. Never anything when no
 * receipt was requested, when $MDNSent says one was sent or declined already (by
 * another device, an IMAP client, or the server's receipt on download), for the user's
 * own drafts and sent mail, or when the choice is "never". */
export function receiptAction(e: Email, choice: ReceiptChoice, mailboxes: Map<Id, Mailbox>): ReceiptAction {
  if (!requestedReceiptFrom(e)) return 'none';
  if (hasKeyword(e, '$mdnsent') || hasKeyword(e, '$draft')) return 'none';
  for (const id of Object.keys(e.mailboxIds)) {
    const role = mailboxes.get(id)?.role;
    if (role === 'sent' || role === 'drafts') return 'none';
  }
  if (choice === 'never') return 'none';
  return choice === 'always' ? 'send' : 'ask';
}

/** The action under the user's settings: when the administrator's policy has the server
 * send receipts itself (on download), the server answers and the webmail neither asks nor
 * sends; otherwise the user's choice (shown read-only when locked) decides. */
export function effectiveReceiptAction(e: Email, settings: Settings['receipts'] | undefined, mailboxes: Map<Id, Mailbox>): ReceiptAction {
  if (settings?.locked && settings.serverOnDownload !== 'off') return 'none';
  return receiptAction(e, settings?.choice ?? 'ask', mailboxes);
}

export type SendOutcome = { ok: true; already: boolean } | { ok: false; error: string };

/** MDN/send for `e` with disposition displayed; `manually` is true when the user said
 * yes in the prompt (RFC 8098 §3.2.6.2 MDN-sent-manually), false for "always". The
 * server sets $MDNSent itself when it records the receipt (docs/protocols/jmap.md);
 * onSuccessUpdateEmail asks for it too, as RFC 9007 §2.1 wants. mdnAlreadySent means
 * a receipt went out already: not a failure. */
export async function sendReceipt(client: JmapClient, e: Email, identityId: Id, manually: boolean, texts: { subject: string; body: string }): Promise<SendOutcome> {
  const r = await client.call('MDN/send', {
    identityId,
    send: {
      k1: {
        forEmailId: e.id,
        subject: texts.subject,
        textBody: texts.body,
        disposition: { actionMode: 'manual-action', sendingMode: manually ? 'mdn-sent-manually' : 'mdn-sent-automatically', type: 'displayed' },
      },
    },
    onSuccessUpdateEmail: { '#k1': { 'keywords/$mdnsent': true } },
  });
  let res: { sent?: Record<string, unknown> | null; notSent?: Record<string, { type: string; description?: string }> | null };
  try {
    res = r.get('MDN/send');
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (res.sent?.k1) return { ok: true, already: false };
  const failure = res.notSent?.k1;
  if (failure?.type === 'mdnAlreadySent') return { ok: true, already: true };
  return { ok: false, error: failure?.description ?? failure?.type ?? 'unknown error' };
}

/** "Don't send": $MDNSent without a receipt (RFC 3503 §2), so no other client asks. */
export async function declineReceipt(client: JmapClient, e: Email): Promise<void> {
  const r = await client.call('Email/set', { update: { [e.id]: { 'keywords/$mdnsent': true } } });
  const res = r.get<{ notUpdated?: Record<string, { type: string; description?: string }> | null }>();
  const err = res.notUpdated?.[e.id];
  if (err) throw new Error(err.description ?? err.type);
}

export interface ReceiptRow {
  recipient: string;
  /** Null: no receipt yet. */
  receipt: { disposition: string; blobId: Id; date: string | null } | null;
}

function bareAddress(finalRecipient: string | null): string {
  const v = (finalRecipient ?? '').trim();
  const i = v.indexOf(';');
  return (i >= 0 ? v.slice(i + 1) : v).trim().replace(/^<|>$/g, '').toLowerCase();
}

/** Postamt derives an Email id from its blob id (docs/protocols/jmap.md: blob `B` + 64
 * hex digits of the SHA-256, Email `M` + its first 24), which gives the receipt's date;
 * another server's ids give no date. */
export function emailIdOfBlob(blobId: Id): Id | null {
  return /^B[0-9a-f]{64}$/.test(blobId) ? `M${blobId.slice(1, 25)}` : null;
}

/** Receipts for a sent message, per recipient: EmailSubmission/query by emailId →
 * /get mdnBlobIds → MDN/parse of every blob, in one request (RFC 8620 §3.7 with the `*`
 * of the path flattening the lists); then the receipts' dates. */
export async function receiptsFor(client: JmapClient, e: Email): Promise<ReceiptRow[]> {
  const b = client.batch();
  const q = b.add('EmailSubmission/query', { filter: { emailIds: [e.id] } });
  const g = b.add('EmailSubmission/get', { '#ids': q.ref('/ids'), properties: ['id', 'emailId', 'mdnBlobIds', 'envelope', 'deliveryStatus'] });
  const p = b.add('MDN/parse', { '#blobIds': g.ref('/list/*/mdnBlobIds') });
  const res = await b.send();
  const subs = res.get<{ list: EmailSubmission[] }>(g).list;
  const blobs = subs.flatMap((s) => s.mdnBlobIds ?? []);
  const parsed = blobs.length ? (res.get<{ parsed: Record<Id, Mdn> | null }>(p).parsed ?? {}) : {};
  const dates = new Map<Id, string>();
  const ids = blobs.map(emailIdOfBlob).filter((x): x is Id => !!x);
  if (ids.length) {
    const r = await client.call('Email/get', { ids, properties: ['id', 'blobId', 'receivedAt'] });
    for (const m of r.get<{ list: Pick<Email, 'id' | 'blobId' | 'receivedAt'>[] }>().list) dates.set(m.blobId, m.receivedAt);
  }
  const recipients: string[] = [];
  const seen = new Set<string>();
  const add = (a: string) => {
    const k = a.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      recipients.push(a);
    }
  };
  for (const a of [...(e.to ?? []), ...(e.cc ?? []), ...(e.bcc ?? [])]) add(a.email);
  for (const s of subs) for (const r of s.envelope?.rcptTo ?? []) add(r.email);
  const byRecipient = new Map<string, ReceiptRow['receipt']>();
  for (const [blobId, mdn] of Object.entries(parsed)) {
    const who = bareAddress(mdn.finalRecipient);
    if (!byRecipient.has(who)) byRecipient.set(who, { disposition: mdn.disposition.type, blobId, date: dates.get(blobId) ?? null });
  }
  return recipients.map((r) => ({ recipient: r, receipt: byRecipient.get(r.toLowerCase()) ?? null }));
}
