import { describe, expect, it } from 'vitest';
import { addSend, draftEmail, emptyDraft, forwardDraft, parseAddressList, replyDraft } from '../src/mail/compose';
import { effectiveReceiptAction, emailIdOfBlob, receiptAction, receiptsFor } from '../src/mail/receipts';
import { dictionaries, browserLanguage, setLanguage, t } from '../src/i18n';
import { searchFilter, sortMailboxes } from '../src/ui/model';
import { JmapClient } from '../src/jmap/client';
import type { Email, Mailbox } from '../src/jmap/types';
import { fakeServer } from './fake';

const me = { id: 'I1', name: 'Alice', email: 'alice@example.test' };

function email(over: Partial<Email> = {}): Email {
  return {
    id: 'M1', blobId: 'B' + 'a'.repeat(64), threadId: 'T1', mailboxIds: { F1: true }, keywords: {}, size: 100, receivedAt: '2026-01-02T03:04:05Z',
    messageId: ['m1@x'], inReplyTo: null, references: ['m0@x'], from: [{ name: 'Bob', email: 'bob@example.test' }],
    to: [{ name: null, email: 'alice@example.test' }, { name: 'Carol', email: 'carol@example.test' }], cc: [{ name: null, email: 'dave@example.test' }],
    bcc: null, replyTo: null, subject: 'Hello', sentAt: '2026-01-02T03:04:05Z', hasAttachment: false, preview: '', ...over,
  };
}

const boxes = new Map<string, Mailbox>([
  ['F1', { id: 'F1', role: 'inbox' } as Mailbox],
  ['F2', { id: 'F2', role: 'sent' } as Mailbox],
]);

describe('addresses', () => {
  it('parses names, angle brackets, quotes and separators', () => {
    expect(parseAddressList('Ann <a@x.org>, b@y.org; "Doe, J" <j@z.org>')).toEqual({
      list: [{ name: 'Ann', email: 'a@x.org' }, { name: null, email: 'b@y.org' }, { name: 'Doe, J', email: 'j@z.org' }],
      bad: null,
    });
    expect(parseAddressList('ok@x.org, not an address').bad).toBe('not an address');
    expect(parseAddressList('  ,  ').list).toEqual([]);
  });
});

describe('drafts and sending', () => {
  it('builds the draft create object with the receipt request', () => {
    const d = { ...emptyDraft('I1'), to: 'bob@example.test', subject: 'S', body: 'B', requestReceipt: true };
    expect(draftEmail(d, me, 'D1', new Date('2026-03-04T05:06:07.890Z'), 'u1@example.test')).toEqual({
      mailboxIds: { D1: true },
      keywords: { $draft: true, $seen: true },
      from: [{ name: 'Alice', email: 'alice@example.test' }],
      to: [{ name: null, email: 'bob@example.test' }],
      cc: null,
      bcc: null,
      subject: 'S',
      messageId: ['u1@example.test'],
      sentAt: '2026-03-04T05:06:07Z',
      bodyValues: { body: { value: 'B' } },
      textBody: [{ partId: 'body', type: 'text/plain' }],
      attachments: [],
      'header:Disposition-Notification-To:asAddresses': [{ name: 'Alice', email: 'alice@example.test' }],
    });
  });

  it('reply-all answers everyone but me, quotes, and threads', () => {
    const d = replyDraft(email(), 'line1\n> old', me, true, (who, when) => `${who} @ ${when}`);
    expect(d.to).toBe('Bob <bob@example.test>');
    expect(d.cc).toBe('Carol <carol@example.test>, dave@example.test');
    expect(d.subject).toBe('Re: Hello');
    expect(d.body).toBe('\n\nBob <bob@example.test> @ 2026-01-02T03:04:05Z\n> line1\n>> old\n');
    expect(d.inReplyTo).toEqual(['m1@x']);
    expect(d.references).toEqual(['m0@x', 'm1@x']);
    expect(replyDraft(email({ subject: 'RE: x' }), '', me, false, () => '').subject).toBe('RE: x');
  });

  it('forwards as an attachment of the original bytes', () => {
    const d = forwardDraft(email({ subject: 'a/b' }), 'x', me, true, 'hdr');
    expect(d.subject).toBe('Fwd: a/b');
    expect(d.attachments).toEqual([{ blobId: 'B' + 'a'.repeat(64), name: 'a_b.eml', type: 'message/rfc822', size: 100 }]);
  });

  it('sends: create, submit with the move to Sent, mark the original answered', async () => {
    const srv = fakeServer({
      'Email/set': (a) => ['Email/set', { seen: a }],
      'EmailSubmission/set': (a) => ['EmailSubmission/set', { seen: a }],
    });
    const c = new JmapClient({ fetch: srv.fetch, csrfToken: 't' });
    await c.loadSession();
    const b = c.batch();
    addSend(b, { ...emptyDraft('I1'), to: 'b@x.org', replyOf: 'M7' }, me, 'D1', 'S1', 'M5');
    await b.send();
    const calls = srv.requests[1]!.body.methodCalls;
    expect(calls.map((x: unknown[]) => x[0])).toEqual(['Email/set', 'EmailSubmission/set', 'Email/set']);
    expect(calls[0][1].destroy).toEqual(['M5']);
    expect(calls[1][1]).toEqual({
      accountId: 'A1',
      create: { send: { identityId: 'I1', emailId: '#out' } },
      onSuccessUpdateEmail: { '#send': { mailboxIds: { S1: true }, 'keywords/$draft': null, 'keywords/$seen': true } },
    });
    expect(calls[2][1].update).toEqual({ M7: { 'keywords/$answered': true } });
  });
});

describe('receipt decisions', () => {
  const asking = (over: Partial<Email> = {}) => email({ 'header:Disposition-Notification-To:asAddresses': [{ name: null, email: 'bob@example.test' }], ...over });
  it('follows the choice', () => {
    expect(receiptAction(asking(), 'ask', boxes)).toBe('ask');
    expect(receiptAction(asking(), 'always', boxes)).toBe('send');
    expect(receiptAction(asking(), 'never', boxes)).toBe('none');
  });
  it('never acts without a request, after $MDNSent (any case), or in Sent', () => {
    expect(receiptAction(email(), 'ask', boxes)).toBe('none');
    expect(receiptAction(asking({ keywords: { $mdnsent: true } }), 'always', boxes)).toBe('none');
    expect(receiptAction(asking({ keywords: { $MDNSent: true } }), 'ask', boxes)).toBe('none');
    expect(receiptAction(asking({ mailboxIds: { F2: true } }), 'ask', boxes)).toBe('none');
  });
  it('leaves receipts to the server when its locked policy sends them on download', () => {
    const locked = { choice: 'always' as const, locked: true, lockedReason: 'the server sends receipts', serverOnDownload: 'displayed' as const };
    expect(effectiveReceiptAction(asking(), locked, boxes)).toBe('none');
    expect(effectiveReceiptAction(asking(), { ...locked, serverOnDownload: 'off' }, boxes)).toBe('send');
    expect(effectiveReceiptAction(asking(), { ...locked, locked: false, choice: 'ask' }, boxes)).toBe('ask');
    expect(effectiveReceiptAction(asking(), undefined, boxes)).toBe('ask');
  });
  it('derives Postamt email ids from blob ids', () => {
    expect(emailIdOfBlob('B' + '0123456789abcdef'.repeat(4))).toBe('M0123456789abcdef01234567');
    expect(emailIdOfBlob('Bxyz_1')).toBeNull();
  });
  it('lists receipts per recipient from the submissions and MDN/parse', async () => {
    const blob = 'B' + 'c'.repeat(64);
    const srv = fakeServer({
      'EmailSubmission/query': () => ['EmailSubmission/query', { ids: ['S1'] }],
      'EmailSubmission/get': () => ['EmailSubmission/get', { list: [{ id: 'S1', mdnBlobIds: [blob], envelope: { mailFrom: { email: 'alice@example.test' }, rcptTo: [{ email: 'carol@example.test' }, { email: 'bob@example.test' }] } }] }],
      'MDN/parse': (a) => ['MDN/parse', { parsed: { [blob]: { finalRecipient: 'rfc822; Carol@Example.test', disposition: { type: 'displayed' } } }, ref: a['#blobIds'] }],
      'Email/get': () => ['Email/get', { list: [{ id: 'M' + 'c'.repeat(24), blobId: blob, receivedAt: '2026-02-03T04:05:06Z' }] }],
    });
    const c = new JmapClient({ fetch: srv.fetch, csrfToken: 't' });
    await c.loadSession();
    const rows = await receiptsFor(c, email({ to: [{ name: null, email: 'bob@example.test' }], cc: [{ name: null, email: 'carol@example.test' }] }));
    expect(rows).toEqual([
      { recipient: 'bob@example.test', receipt: null },
      { recipient: 'carol@example.test', receipt: { disposition: 'displayed', blobId: blob, date: '2026-02-03T04:05:06Z' } },
    ]);
    expect(srv.requests[1]!.body.methodCalls[2][1]['#blobIds'].path).toBe('/list/*/mdnBlobIds');
  });
});

describe('i18n', () => {
  it('has every key in both languages, each with the same placeholders', () => {
    const en = dictionaries.en as Record<string, string>;
    const de = dictionaries.de as Record<string, string>;
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en)) expect((de[k]!.match(/\{\w+\}/g) ?? []).sort(), k).toEqual((en[k]!.match(/\{\w+\}/g) ?? []).sort());
  });
  it('picks the browser language and fills placeholders', () => {
    expect(browserLanguage(['de-AT', 'en'])).toBe('de');
    expect(browserLanguage(['fr-FR'])).toBe('en');
    setLanguage('de');
    expect(t('unreadCount', { n: 3 })).toBe('3 ungelesen');
    setLanguage('en');
    expect(t('unreadCount', { n: 3 })).toBe('3 unread');
  });
});

describe('lists and searches', () => {
  it('orders mailboxes by role, then sortOrder and name', () => {
    const list = [
      { id: '1', name: 'Zeta', role: null, sortOrder: 100 },
      { id: '2', name: 'Trash', role: 'trash', sortOrder: 4 },
      { id: '3', name: 'INBOX', role: 'inbox', sortOrder: 0 },
      { id: '4', name: 'Alpha', role: null, sortOrder: 100 },
      { id: '5', name: 'Sent', role: 'sent', sortOrder: 1 },
    ] as Mailbox[];
    expect(sortMailboxes(list).map((m) => m.name)).toEqual(['INBOX', 'Sent', 'Trash', 'Alpha', 'Zeta']);
  });
  it('builds the advanced search filter', () => {
    expect(searchFilter({ text: ' zebra ', from: 'bob', after: '2026-01-01', hasAttachment: true })).toEqual({ text: 'zebra', from: 'bob', after: '2026-01-01T00:00:00Z', hasAttachment: true });
    expect(searchFilter({ text: '  ' })).toBeNull();
  });
});
