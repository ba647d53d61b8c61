// The reading pane: headers, the text or sanitised HTML body in a sandboxed frame,
// attachments, the read-receipt prompt, and for sent mail the receipts that came back.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Email, EmailBodyPart } from '../jmap/types';
import { formatDate, formatSize, t } from '../i18n';
import { FRAME_SANDBOX, buildSrcdoc, frameCsp } from '../safe/frame';
import type { Sanitized, SanitizeOptions } from '../safe/sanitize';
import { declineReceipt, effectiveReceiptAction, hasKeyword, receiptsFor, requestedReceiptFrom, sendReceipt, type ReceiptRow } from '../mail/receipts';
import { formatAddressList } from '../mail/compose';
import type { MailModel } from './model';
import { Dialog } from './Dialog';

const TRUSTED_KEY = 'postamt.remoteSenders';

export function trustedSenders(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(TRUSTED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

function trustSender(addr: string): void {
  const s = trustedSenders();
  s.add(addr.toLowerCase());
  localStorage.setItem(TRUSTED_KEY, JSON.stringify([...s].slice(-2000)));
}

export interface ReaderActions {
  reply: (e: Email, body: string, all: boolean) => void;
  forward: (e: Email, body: string, asAttachment: boolean) => void;
}

function bodyText(e: Email, parts: EmailBodyPart[] | undefined): string {
  return (parts ?? []).map((p) => (p.partId && e.bodyValues?.[p.partId]?.value) || '').join('\n');
}

async function blobAsDataUrl(url: string): Promise<string | null> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) return null;
  const blob = await res.blob();
  return new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => resolve(null);
    r.readAsDataURL(blob);
  });
}

function HtmlBody(props: { email: Email; model: MailModel }) {
  const { email, model } = props;
  const sender = email.from?.[0]?.email.toLowerCase() ?? '';
  const [allowed, setAllowed] = useState(() => trustedSenders().has(sender));
  const [cid, setCid] = useState<Map<string, string> | null>(null);
  const html = bodyText(email, email.htmlBody);
  const inline = (email.attachments ?? []).concat(email.htmlBody ?? []).filter((p) => p.cid && p.blobId && p.type.startsWith('image/'));

  useEffect(() => {
    let live = true;
    setAllowed(trustedSenders().has(sender));
    if (!inline.length) {
      setCid(new Map());
      return;
    }
    // cid: images become data: URLs so that the frame (opaque origin, no cookie) needs
    // nothing from this origin.
    Promise.all(inline.map(async (p) => [p.cid!.replace(/^<|>$/g, ''), p.size <= 5_000_000 ? await blobAsDataUrl(model.client.downloadUrl(p.blobId!, p.name ?? 'image', p.type)) : null] as const)).then((pairs) => {
      if (live) setCid(new Map(pairs.filter((x): x is readonly [string, string] => !!x[1])));
    });
    return () => {
      live = false;
    };
  }, [email.id]);

  const [sanitize, setSanitize] = useState<((h: string, o: SanitizeOptions) => Sanitized) | null>(null);
  useEffect(() => {
    // DOMPurify is loaded with the first HTML message, not with the page.
    import('../safe/sanitize').then((m) => setSanitize(() => m.sanitizeHtml), (e) => model.fail(e));
  }, []);
  const result = useMemo(() => (cid && sanitize ? sanitize(html, { allowRemote: allowed, cid }) : null), [html, allowed, cid, sanitize]);
  if (!result) return <p class="loading">{t('loading')}</p>;
  const srcdoc = buildSrcdoc(result.html, frameCsp(location.origin, allowed));
  return (
    <>
      {!allowed && result.blocked > 0 && (
        <div class="remote-bar" role="region" aria-label={t('remoteBlocked')}>
          <span>{t('remoteBlockedCount', { n: result.blocked })}</span>
          <button type="button" onClick={() => setAllowed(true)}>
            {t('show')}
          </button>
          {sender && (
            <button
              type="button"
              onClick={() => {
                trustSender(sender);
                setAllowed(true);
              }}
            >
              {t('alwaysFromSender', { sender })}
            </button>
          )}
        </div>
      )}
      <iframe class="body-frame" title={email.subject || t('message')} sandbox={FRAME_SANDBOX} srcdoc={srcdoc} referrerpolicy="no-referrer" />
    </>
  );
}

function SentReceipts(props: { email: Email; model: MailModel }) {
  const [rows, setRows] = useState<ReceiptRow[] | null>(null);
  const stamp = Object.keys(props.email.keywords).join(',');
  useEffect(() => {
    let live = true;
    receiptsFor(props.model.client, props.email)
      .then((r) => live && setRows(r))
      .catch((e) => props.model.fail(e));
    return () => {
      live = false;
    };
  }, [props.email.id, stamp, props.model.emails.state]);
  return (
    <section class="receipts" aria-labelledby="receipts-title">
      <h3 id="receipts-title">{t('receiptsTitle')}</h3>
      {!rows ? (
        <p>{t('loading')}</p>
      ) : (
        <ul>
          {rows.map((r) => (
            <li key={r.recipient} data-recipient={r.recipient}>
              <span class="rcpt">{r.recipient}</span>{' '}
              {r.receipt ? (
                <>
                  <span class="receipt-state ok">{t('receiptArrived', { disposition: r.receipt.disposition, date: formatDate(r.receipt.date) })}</span>{' '}
                  <a href={props.model.client.downloadUrl(r.receipt.blobId, 'receipt.eml', 'message/rfc822')} download="receipt.eml">
                    {t('openReceipt')}
                  </a>
                </>
              ) : (
                <span class="receipt-state">{t('receiptNone')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Escape only dismisses: nothing is decided, so the next opening asks again. */
function ReceiptPrompt(props: { onSend: () => void; onDecline: () => void; onDismiss: () => void }) {
  return (
    <Dialog title={t('receiptTitle')} onClose={props.onDismiss} describedBy="receipt-text" initialFocus=".primary">
      <p id="receipt-text">{t('receiptText')}</p>
      <div class="dialog-buttons">
        <button type="button" class="primary" onClick={props.onSend}>
          {t('sendReceipt')}
        </button>
        <button type="button" onClick={props.onDecline}>
          {t('dontSend')}
        </button>
      </div>
    </Dialog>
  );
}

/** The other messages of the conversation, to open them here. */
function Conversation(props: { model: MailModel; email: Email; onOpen: (id: string) => void }) {
  const { model, email } = props;
  const ids = model.threadsById.get(email.threadId);
  useEffect(() => {
    model
      .loadThreads([email.threadId], true)
      .then(() => model.emails.ensure(model.threadsById.get(email.threadId) ?? []))
      .catch((e) => model.fail(e));
  }, [email.id]);
  if (!ids || ids.length < 2) return null;
  return (
    <nav class="conversation" aria-label={t('conversation', { n: ids.length })}>
      <h3>{t('conversation', { n: ids.length })}</h3>
      <ol>
        {ids.map((id) => {
          const m = model.emails.byId.get(id);
          return (
            <li key={id}>
              {id === email.id ? (
                <span aria-current="true" class="current">
                  {formatAddressList(m?.from ?? email.from)} · {formatDate(m?.receivedAt ?? email.receivedAt)}
                </span>
              ) : (
                <button type="button" class="link" onClick={() => props.onOpen(id)}>
                  {m ? `${formatAddressList(m.from)} · ${formatDate(m.receivedAt)}` : id}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

export function Reader(props: { model: MailModel; emailId: string | null; actions: ReaderActions; onOpen: (id: string) => void }) {
  const { model } = props;
  const [email, setEmail] = useState<Email | null>(null);
  const [prompt, setPrompt] = useState<Email | null>(null);
  const loadedFor = useRef<string | null>(null);

  useEffect(() => {
    let live = true;
    setEmail(null);
    setPrompt(null);
    loadedFor.current = props.emailId;
    if (!props.emailId) return;
    model
      .loadFull(props.emailId)
      .then(async (e) => {
        if (!live || !e) return;
        setEmail(e);
        if (!hasKeyword(e, '$seen')) void model.setKeyword([e.id], '$seen', true).catch((err) => model.fail(err));
        const action = effectiveReceiptAction(e, model.settings?.receipts, model.mailboxes.byId);
        if (action === 'ask') setPrompt(e);
        else if (action === 'send') await answerReceipt(e, false);
      })
      .catch((err) => model.fail(err));
    return () => {
      live = false;
    };
  }, [props.emailId]);

  // Keywords change (e.g. $MDNSent from another device): keep the shown ones current.
  const cached = props.emailId ? model.emails.byId.get(props.emailId) : undefined;
  const shown = email && cached && email.id === cached.id ? { ...email, keywords: cached.keywords, mailboxIds: cached.mailboxIds } : email;
  useEffect(() => {
    if (prompt && shown && hasKeyword(shown, '$mdnsent')) setPrompt(null);
  }, [shown?.keywords]);

  async function answerReceipt(e: Email, manually: boolean) {
    const id = model.identity();
    if (!id) return;
    const subject = e.subject ?? '';
    const r = await sendReceipt(model.client, e, id.id, manually, { subject: t('receiptSubject', { subject }), body: t('receiptBody', { subject }) });
    model.emails.patch(e.id, (x) => ({ ...x, keywords: { ...x.keywords, $mdnsent: true } }));
    if (!r.ok) model.fail(new Error(t('receiptFailed', { error: r.error })));
    else if (manually && !r.already) model.say(t('receiptSent'));
  }

  if (!props.emailId)
    return (
      <section class="reader empty" aria-label={t('reading')}>
        <p>{t('selectMessage')}</p>
      </section>
    );
  if (!shown)
    return (
      <section class="reader" aria-label={t('reading')} aria-busy="true">
        <p class="loading">{t('loading')}</p>
      </section>
    );
  const e = shown;
  const text = bodyText(e, e.textBody);
  const hasHtml = (e.htmlBody ?? []).some((p) => p.type === 'text/html');
  const sentBox = model.byRole('sent');
  const isSent = !!sentBox && !!e.mailboxIds[sentBox.id];
  const requested = !!requestedReceiptFrom(e);
  const attachments = (e.attachments ?? []).filter((a) => a.blobId && !(a.cid && hasHtml && (e.htmlBody ?? []).some((h) => h.partId === a.partId)));
  return (
    <section class="reader" aria-label={t('reading')}>
      <header class="reader-head">
        <h2 class="reader-subject">{e.subject || t('noSubject')}</h2>
        <dl class="reader-meta">
          <dt>{t('from')}</dt>
          <dd class="meta-from">{formatAddressList(e.from)}</dd>
          <dt>{t('to')}</dt>
          <dd class="meta-to">{formatAddressList(e.to)}</dd>
          {!!e.cc?.length && (
            <>
              <dt>{t('cc')}</dt>
              <dd>{formatAddressList(e.cc)}</dd>
            </>
          )}
          <dt>{t('date')}</dt>
          <dd>{formatDate(e.sentAt ?? e.receivedAt)}</dd>
        </dl>
        <div class="reader-actions" role="toolbar" aria-label={t('reading')}>
          <button type="button" onClick={() => props.actions.reply(e, text, false)}>
            {t('reply')}
          </button>
          <button type="button" onClick={() => props.actions.reply(e, text, true)}>
            {t('replyAll')}
          </button>
          <button type="button" onClick={() => props.actions.forward(e, text, false)}>
            {t('forward')}
          </button>
          <button type="button" onClick={() => props.actions.forward(e, text, true)}>
            {t('forwardAsAttachment')}
          </button>
        </div>
      </header>
      {isSent && requested && <SentReceipts email={e} model={model} />}
      <Conversation model={model} email={e} onOpen={props.onOpen} />
      <div class="reader-body">{hasHtml ? <HtmlBody email={e} model={model} /> : <div class="text-body">{text}</div>}</div>
      {attachments.length > 0 && (
        <section class="attachments" aria-label={t('attachments')}>
          <h3>{t('attachments')}</h3>
          <ul>
            {attachments.map((a) => {
              const url = model.client.downloadUrl(a.blobId!, a.name ?? 'attachment', a.type);
              return (
                <li key={a.blobId}>
                  {a.type.startsWith('image/') && a.size < 10_000_000 && <img class="thumb" src={url} alt={a.name ?? ''} />}
                  <a href={url} download={a.name ?? 'attachment'}>
                    {a.name ?? 'attachment'}
                  </a>{' '}
                  <span class="muted">
                    {a.type}, {formatSize(a.size)}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      {prompt && (
        <ReceiptPrompt
          onDismiss={() => setPrompt(null)}
          onSend={() => {
            setPrompt(null);
            void answerReceipt(prompt, true).catch((err) => model.fail(err));
          }}
          onDecline={() => {
            setPrompt(null);
            model.emails.patch(prompt.id, (x) => ({ ...x, keywords: { ...x.keywords, $mdnsent: true } }));
            void declineReceipt(model.client, prompt).catch((err) => model.fail(err));
          }}
        />
      )}
    </section>
  );
}
