// Compose: To/Cc/Bcc with address suggestions, subject, a plain-text message,
// attachments (button or drop) uploaded with a progress bar, the read-receipt request,
// drafts saved to Drafts automatically, and Send through EmailSubmission.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { EmailAddress, Id } from '../jmap/types';
import { formatSize, t } from '../i18n';
import { addSend, draftEmail, formatAddress, parseAddressList, type Draft } from '../mail/compose';
import type { MailModel } from './model';

const AUTOSAVE_MS = 3000;
const CACHE_KEY = 'postamt.addresses';

interface Upload {
  key: number;
  name: string;
  loaded: number;
  total: number;
  abort: AbortController;
}

/** Addresses from the user's own mail (the most recent 200 messages' From and To) and
 * those cached from earlier sessions. */
async function knownAddresses(model: MailModel): Promise<EmailAddress[]> {
  const seen = new Map<string, EmailAddress>();
  try {
    for (const a of JSON.parse(localStorage.getItem(CACHE_KEY) ?? '[]') as EmailAddress[]) seen.set(a.email.toLowerCase(), a);
  } catch {
    /* a damaged cache is rebuilt */
  }
  const b = model.client.batch();
  const q = b.add('Email/query', { sort: [{ property: 'receivedAt', isAscending: false }], limit: 200 });
  const g = b.add('Email/get', { '#ids': q.ref('/ids'), properties: ['from', 'to', 'cc'] });
  const res = await b.send();
  for (const e of res.get<{ list: { from: EmailAddress[] | null; to: EmailAddress[] | null; cc: EmailAddress[] | null }[] }>(g).list)
    for (const a of [...(e.from ?? []), ...(e.to ?? []), ...(e.cc ?? [])]) {
      const key = a.email.toLowerCase();
      // Keep the first form seen, but a name beats none.
      if (!seen.has(key) || (!seen.get(key)!.name && a.name)) seen.set(key, a);
    }
  const list = [...seen.values()].slice(0, 2000);
  localStorage.setItem(CACHE_KEY, JSON.stringify(list));
  return list;
}

function AddressField(props: { id: string; label: string; value: string; onChange: (v: string) => void; known: EmailAddress[] }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const parts = props.value.split(/,/);
  const term = (parts[parts.length - 1] ?? '').trim().toLowerCase();
  const matches = term.length >= 1 ? props.known.filter((a) => a.email.toLowerCase().includes(term) || (a.name ?? '').toLowerCase().includes(term)).slice(0, 8) : [];
  const show = open && matches.length > 0;

  function pick(a: EmailAddress) {
    const head = parts.slice(0, -1).map((p) => p.trim()).filter(Boolean);
    props.onChange([...head, formatAddress(a)].join(', ') + ', ');
    setOpen(false);
  }

  return (
    <div class="field address-field">
      <label for={props.id}>{props.label}</label>
      <div class="combo">
        <input
          id={props.id}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={show ? 'true' : 'false'}
          aria-controls={show ? `${props.id}-list` : undefined}
          aria-activedescendant={show ? `${props.id}-opt-${active}` : undefined}
          autocomplete="off"
          value={props.value}
          onInput={(e) => {
            props.onChange(e.currentTarget.value);
            setOpen(true);
            setActive(0);
          }}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(e) => {
            if (!show) return;
            if (e.key === 'ArrowDown') setActive((active + 1) % matches.length);
            else if (e.key === 'ArrowUp') setActive((active - 1 + matches.length) % matches.length);
            else if (e.key === 'Enter' || e.key === 'Tab') pick(matches[active]!);
            else if (e.key === 'Escape') setOpen(false);
            else return;
            e.preventDefault();
            e.stopPropagation();
          }}
        />
        {show && (
          <ul class="suggestions" role="listbox" id={`${props.id}-list`} aria-label={t('suggestions')}>
            {matches.map((a, i) => (
              <li key={a.email} id={`${props.id}-opt-${i}`} role="option" aria-selected={i === active ? 'true' : 'false'} onMouseDown={(e) => (e.preventDefault(), pick(a))}>
                {formatAddress(a)}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

export function Compose(props: { model: MailModel; initial: Draft; onClose: () => void }) {
  const { model } = props;
  const [d, setD] = useState<Draft>(props.initial);
  const [showCc, setShowCc] = useState(!!(props.initial.cc || props.initial.bcc));
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [known, setKnown] = useState<EmailAddress[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [dragging, setDragging] = useState(false);
  const savedId = useRef<Id | null>(null);
  const dirty = useRef(false);
  const saving = useRef<Promise<void> | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const uploadKey = useRef(0);
  const latest = useRef(d);
  latest.current = d;

  useEffect(() => {
    knownAddresses(model).then(setKnown, () => {});
  }, []);

  function update(patch: Partial<Draft>) {
    dirty.current = true;
    setD((x) => ({ ...x, ...patch }));
  }

  /** Saves the draft: the new version created, the previous one destroyed, in one call. */
  async function saveDraft(): Promise<void> {
    if (saving.current) await saving.current;
    if (!dirty.current) return;
    const drafts = model.byRole('drafts');
    const id = model.identity();
    if (!drafts || !id) return;
    dirty.current = false;
    const run = (async () => {
      const r = await model.client.call('Email/set', { create: { draft: draftEmail(latest.current, id, drafts.id) }, destroy: savedId.current ? [savedId.current] : null });
      const res = r.get<{ created?: Record<string, { id: Id }> | null; notCreated?: Record<string, { description?: string; type: string }> | null }>();
      const created = res.created?.draft;
      if (created) {
        savedId.current = created.id;
        setStatus(t('draftSaved', { time: new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) }));
      } else {
        dirty.current = true;
        const err = res.notCreated?.draft;
        setError(err?.description ?? err?.type ?? 'draft not saved');
      }
    })();
    saving.current = run;
    try {
      await run;
    } finally {
      saving.current = null;
    }
  }

  useEffect(() => {
    if (!dirty.current || sending) return;
    const timer = setTimeout(() => void saveDraft().catch((e) => setError((e as Error).message)), AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [d]);

  function addFiles(files: FileList | File[]) {
    for (const file of Array.from(files)) {
      const key = uploadKey.current++;
      const abort = new AbortController();
      setUploads((u) => [...u, { key, name: file.name, loaded: 0, total: file.size, abort }]);
      model.client
        .upload(file, file.type || 'application/octet-stream', (loaded, total) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, loaded, total } : x))), abort.signal)
        .then((r) => {
          setD((x) => ({ ...x, attachments: [...x.attachments, { blobId: r.blobId, name: file.name, type: file.type || r.type || 'application/octet-stream', size: r.size }] }));
          dirty.current = true;
        })
        .catch((e) => setError((e as Error).message))
        .finally(() => setUploads((u) => u.filter((x) => x.key !== key)));
    }
  }

  async function send(e: Event) {
    e.preventDefault();
    setError(null);
    for (const field of [d.to, d.cc, d.bcc]) {
      const r = parseAddressList(field);
      if (r.bad) {
        setError(t('badAddress', { addr: r.bad }));
        return;
      }
    }
    if (!parseAddressList(`${d.to},${d.cc},${d.bcc}`).list.length) {
      setError(t('noRecipients'));
      return;
    }
    const drafts = model.byRole('drafts');
    const sent = model.byRole('sent');
    const id = model.identity();
    if (!drafts || !sent || !id) return;
    setSending(true);
    try {
      if (saving.current) await saving.current;
      const b = model.client.batch();
      const h = addSend(b, d, id, drafts.id, sent.id, savedId.current);
      const res = await b.send();
      const created = res.get<{ notCreated?: Record<string, { description?: string; type: string }> | null }>(h.create);
      const cerr = created.notCreated?.out;
      if (cerr) throw new Error(cerr.description ?? cerr.type);
      const sub = res.get<{ notCreated?: Record<string, { description?: string; type: string }> | null }>(h.submit);
      const serr = sub.notCreated?.send;
      if (serr) {
        // The new version stays in Drafts; remember it so the next attempt replaces it.
        const c = res.get<{ created?: Record<string, { id: Id }> }>(h.create).created?.out;
        if (c) savedId.current = c.id;
        throw new Error(serr.description ?? serr.type);
      }
      dirty.current = false;
      model.say(t('sent'));
      props.onClose();
    } catch (err) {
      setError(t('sendFailed', { error: (err as Error).message }));
      setSending(false);
    }
  }

  async function discard() {
    dirty.current = false;
    if (saving.current) await saving.current.catch(() => {});
    if (savedId.current) await model.setEmails({ destroy: [savedId.current] }).catch((e) => model.fail(e));
    props.onClose();
  }

  async function close() {
    await saveDraft().catch((e) => model.fail(e));
    props.onClose();
  }

  const identity = model.identity();
  return (
    <div class="overlay">
      <div class={`dialog compose${dragging ? ' dragging' : ''}`} role="dialog" aria-modal="true" aria-labelledby="compose-title">
      <form
        class="compose-form"
        onSubmit={send}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') void close();
        }}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes('Files')) {
            e.preventDefault();
            setDragging(true);
          }
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          if (!e.dataTransfer?.files.length) return;
          e.preventDefault();
          setDragging(false);
          addFiles(e.dataTransfer.files);
        }}
      >
        <h2 id="compose-title">{t('newMessage')}</h2>
        <div class="field">
          <label for="compose-from">{t('identity')}</label>
          <select id="compose-from" value={d.identityId ?? ''} onChange={(e) => update({ identityId: e.currentTarget.value })}>
            {model.identities.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name ? `${i.name} <${i.email}>` : i.email}
              </option>
            ))}
          </select>
        </div>
        <AddressField id="compose-to" label={t('to')} value={d.to} onChange={(to) => update({ to })} known={known} />
        {showCc ? (
          <>
            <AddressField id="compose-cc" label={t('cc')} value={d.cc} onChange={(cc) => update({ cc })} known={known} />
            <AddressField id="compose-bcc" label={t('bcc')} value={d.bcc} onChange={(bcc) => update({ bcc })} known={known} />
          </>
        ) : (
          <button type="button" class="link" onClick={() => setShowCc(true)}>
            {t('cc')} / {t('bcc')}
          </button>
        )}
        <div class="field">
          <label for="compose-subject">{t('subject')}</label>
          <input id="compose-subject" type="text" value={d.subject} onInput={(e) => update({ subject: e.currentTarget.value })} />
        </div>
        <div class="field grow">
          <label for="compose-body">{t('message')}</label>
          <textarea id="compose-body" value={d.body} onInput={(e) => update({ body: e.currentTarget.value })} rows={12} />
        </div>
        {(d.attachments.length > 0 || uploads.length > 0) && (
          <ul class="compose-attachments" aria-label={t('attachments')}>
            {d.attachments.map((a) => (
              <li key={a.blobId + a.name}>
                <span>{a.name}</span> <span class="muted">{formatSize(a.size)}</span>{' '}
                <button type="button" class="link" aria-label={t('removeAttachment', { name: a.name })} onClick={() => update({ attachments: d.attachments.filter((x) => x !== a) })}>
                  ×
                </button>
              </li>
            ))}
            {uploads.map((u) => (
              <li key={`u${u.key}`}>
                <label>
                  {t('uploading', { name: u.name })} <progress max={u.total || 1} value={u.loaded} />
                </label>{' '}
                <button type="button" class="link" onClick={() => u.abort.abort()}>
                  {t('cancel')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <p class="drop-hint muted">{t('dropFiles')}</p>
        <label class="check">
          <input type="checkbox" checked={d.requestReceipt} onChange={(e) => update({ requestReceipt: e.currentTarget.checked })} /> {t('requestReceipt')}
        </label>
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        {status && !error && (
          <p class="muted" role="status">
            {status}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="submit" class="primary" disabled={sending || uploads.length > 0 || !identity}>
            {sending ? t('sending') : t('send')}
          </button>
          <button type="button" onClick={() => fileInput.current?.click()}>
            {t('attach')}
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            aria-hidden="true"
            tabIndex={-1}
            onChange={(e) => {
              if (e.currentTarget.files) addFiles(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
          <button type="button" onClick={() => void close()}>
            {t('close')}
          </button>
          <button type="button" onClick={() => void discard()}>
            {t('discard')}
          </button>
        </div>
      </form>
      </div>
    </div>
  );
}
