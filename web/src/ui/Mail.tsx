// The signed-in layout: top bar (search, new message, settings, help, sign out),
// folder pane, message list with its toolbar, reading pane; keyboard shortcuts.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Email, Id } from '../jmap/types';
import { formatDate, t, type Lang } from '../i18n';
import { emptyDraft, forwardDraft, replyDraft, type Draft } from '../mail/compose';
import { hasKeyword } from '../mail/receipts';
import { useSubscription } from './hooks';
import { MessageList, type Selection } from './MessageList';
import { Reader } from './Reader';
import { Compose } from './Compose';
import { Folders, mailboxLabel } from './Folders';
import { HelpDialog, SettingsDialog } from './Settings';
import { Dialog } from './Dialog';
import { sortMailboxes, type MailModel, type SearchSpec, type SortKey } from './model';

const NO_SELECTION: Selection = { ids: new Set(), focus: -1, anchor: -1 };

function SearchBox(props: { model: MailModel; inputRef: { current: HTMLInputElement | null } }) {
  const [text, setText] = useState('');
  const [adv, setAdv] = useState(false);
  const [spec, setSpec] = useState<SearchSpec>({});
  function run(e: Event) {
    e.preventDefault();
    void props.model.runSearch({ ...spec, text });
  }
  const field = (k: 'from' | 'to' | 'subject' | 'body', label: string) => (
    <div class="field">
      <label for={`adv-${k}`}>{label}</label>
      <input id={`adv-${k}`} value={spec[k] ?? ''} onInput={(e) => setSpec({ ...spec, [k]: e.currentTarget.value })} />
    </div>
  );
  return (
    <form class="search" role="search" onSubmit={run}>
      <label for="search" class="sr-only">
        {t('search')}
      </label>
      <input id="search" ref={props.inputRef} type="search" placeholder={t('search')} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit">{t('search')}</button>
      <button type="button" aria-expanded={adv ? 'true' : 'false'} onClick={() => setAdv(!adv)}>
        {t('advancedSearch')}
      </button>
      {props.model.search && (
        <button
          type="button"
          onClick={() => {
            setText('');
            setSpec({});
            void props.model.runSearch(null);
          }}
        >
          {t('clearSearch')}
        </button>
      )}
      {adv && (
        <div class="advanced">
          {field('from', t('searchFrom'))}
          {field('to', t('searchTo'))}
          {field('subject', t('searchSubject'))}
          {field('body', t('searchBody'))}
          <div class="field">
            <label for="adv-after">{t('searchAfter')}</label>
            <input id="adv-after" type="date" value={spec.after ?? ''} onInput={(e) => setSpec({ ...spec, after: e.currentTarget.value })} />
          </div>
          <div class="field">
            <label for="adv-before">{t('searchBefore')}</label>
            <input id="adv-before" type="date" value={spec.before ?? ''} onInput={(e) => setSpec({ ...spec, before: e.currentTarget.value })} />
          </div>
          <label class="check">
            <input type="checkbox" checked={!!spec.hasAttachment} onChange={(e) => setSpec({ ...spec, hasAttachment: e.currentTarget.checked })} /> {t('hasAttachment')}
          </label>
        </div>
      )}
    </form>
  );
}

export function Mail(props: { model: MailModel; onSignOut: (everywhere: boolean) => void; onLanguage: (l: Lang | null) => void }) {
  const { model } = props;
  useSubscription(model);
  useSubscription(model.query);
  const [selection, setSelection] = useState<Selection>(NO_SELECTION);
  const [openId, setOpenId] = useState<Id | null>(null);
  const [compose, setCompose] = useState<{ draft: Draft; key: number } | null>(null);
  const [dialog, setDialog] = useState<'help' | 'settings' | 'empty' | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const composeKey = useRef(0);

  const current = model.currentMailbox ? model.mailboxes.byId.get(model.currentMailbox) : undefined;
  const selectedIds = [...selection.ids];
  const targetIds = selectedIds.length ? selectedIds : openId ? [openId] : [];

  useEffect(() => {
    setSelection(NO_SELECTION);
    setOpenId(null);
  }, [model.query]);

  useEffect(() => {
    if (!model.notice) return;
    const timer = setTimeout(() => {
      model.notice = null;
      model.emit();
    }, 6000);
    return () => clearTimeout(timer);
  }, [model.notice]);

  function act(p: Promise<void>) {
    p.catch((e) => model.fail(e));
  }

  function openCompose(d: Draft) {
    setCompose({ draft: d, key: composeKey.current++ });
  }

  const me = model.identity();
  const wrote = (who: string, when: string) => t('wrote', { who, when: formatDate(when) });
  const actions = {
    reply: (e: Email, body: string, all: boolean) => me && openCompose(replyDraft(e, body, me, all, wrote)),
    forward: (e: Email, body: string, asAttachment: boolean) => me && openCompose(forwardDraft(e, body, me, asAttachment, t('forwarded'))),
  };

  function select(s: Selection, open: boolean) {
    setSelection(s);
    if (open && s.ids.size === 1) setOpenId([...s.ids][0]!);
  }

  function onKey(e: KeyboardEvent) {
    const target = e.target as HTMLElement;
    if (compose || dialog || target.closest('input, textarea, select, [role="dialog"]') || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key;
    const ids = targetIds;
    switch (key) {
      case 'c':
        openCompose(emptyDraft(me?.id ?? null));
        break;
      case '/':
        searchRef.current?.focus();
        break;
      case '?':
        setDialog('help');
        break;
      case '#':
      case 'Delete':
        if (ids.length) act(model.remove(ids));
        break;
      case 'u':
        if (ids.length) act(model.setKeyword(ids, '$seen', false));
        break;
      case 's':
        if (ids.length) {
          const first = model.emails.byId.get(ids[0]!);
          act(model.setKeyword(ids, '$flagged', !(first && hasKeyword(first, '$flagged'))));
        }
        break;
      case 'r':
      case 'a':
      case 'f': {
        const btn = document.querySelector<HTMLButtonElement>(`.reader-actions button:nth-child(${key === 'r' ? 1 : key === 'a' ? 2 : 3})`);
        btn?.click();
        break;
      }
      case 'j':
      case 'k': {
        if (!target.closest('[role="listbox"]')) {
          const lb = document.querySelector<HTMLElement>('.list-viewport');
          lb?.focus();
          lb?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: false }));
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
  }

  // Shortcuts listen on the document, so they work wherever the focus is (also on the
  // page itself after a dialog closed); the handler is the latest render's.
  const keyHandler = useRef(onKey);
  keyHandler.current = onKey;
  useEffect(() => {
    const listener = (e: KeyboardEvent) => keyHandler.current(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const sentOrDrafts = current?.role === 'sent' || current?.role === 'drafts';
  const anyUnread = !targetIds.length || targetIds.some((id) => {
    const e = model.emails.byId.get(id);
    return e && !hasKeyword(e, '$seen');
  });
  const anyUnflagged = !targetIds.length || targetIds.some((id) => {
    const e = model.emails.byId.get(id);
    return e && !hasKeyword(e, '$flagged');
  });
  const canEmpty = current && (current.role === 'trash' || current.role === 'junk') && current.totalEmails > 0;
  const title = model.search ? t('searchResults') : current ? mailboxLabel(current) : t('messages');

  return (
    <div class="app">
      <header class="topbar">
        <span class="brand">{t('appName')}</span>
        <SearchBox model={model} inputRef={searchRef} />
        <button type="button" class="primary" onClick={() => openCompose(emptyDraft(me?.id ?? null))}>
          {t('newMessage')}
        </button>
        <span class="user">{model.web.username}</span>
        <button type="button" onClick={() => setDialog('settings')}>
          {t('settings')}
        </button>
        <button type="button" aria-label={t('shortcutsHelp')} onClick={() => setDialog('help')}>
          ?
        </button>
        <button type="button" onClick={() => props.onSignOut(false)}>
          {t('signOut')}
        </button>
      </header>
      {model.notice && (
        <p class={`toast${model.notice.error ? ' error' : ''}`} role={model.notice.error ? 'alert' : 'status'}>
          {model.notice.error ? t('error', { error: model.notice.text }) : model.notice.text}
        </p>
      )}
      <Folders model={model} onOpen={(id) => act(model.openMailbox(id))} />
      <main class="list-pane" aria-label={title} ref={listRef}>
        <div class="list-head">
          <h1 class="list-title">{title}</h1>
          <span class="muted">{model.query?.loaded ? model.query.total : ''}</span>
        </div>
        <div class="toolbar" role="toolbar" aria-label={t('messages')}>
          <label for="sort" class="sr-only">
            {t('sortBy')}
          </label>
          <select
            id="sort"
            value={model.sort}
            onChange={(e) => {
              model.sort = e.currentTarget.value as SortKey;
              act(model.requery());
            }}
          >
            <option value="receivedAt">{t('sortDate')}</option>
            <option value="from">{t('sortFrom')}</option>
            <option value="subject">{t('sortSubject')}</option>
            <option value="size">{t('sortSize')}</option>
          </select>
          <label class="check">
            <input
              type="checkbox"
              checked={model.ascending}
              onChange={(e) => {
                model.ascending = e.currentTarget.checked;
                act(model.requery());
              }}
            />{' '}
            {t('ascending')}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={model.threads}
              onChange={(e) => {
                model.threads = e.currentTarget.checked;
                act(model.requery());
              }}
            />{' '}
            {t('threads')}
          </label>
          <span class="sep" />
          <button type="button" disabled={!targetIds.length} onClick={() => act(model.setKeyword(targetIds, '$seen', anyUnread))}>
            {anyUnread ? t('markRead') : t('markUnread')}
          </button>
          <button type="button" disabled={!targetIds.length} onClick={() => act(model.setKeyword(targetIds, '$flagged', anyUnflagged))}>
            {anyUnflagged ? t('flag') : t('unflag')}
          </button>
          <label for="move-to" class="sr-only">
            {t('moveTo')}
          </label>
          <select
            id="move-to"
            disabled={!targetIds.length}
            value=""
            onChange={(e) => {
              const to = e.currentTarget.value;
              e.currentTarget.value = '';
              if (to) act(model.move(targetIds, to));
              if (openId && targetIds.includes(openId)) setOpenId(null);
            }}
          >
            <option value="">{t('moveTo')}</option>
            {sortMailboxes(model.mailboxes.all())
              .filter((m) => m.id !== model.currentMailbox)
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {mailboxLabel(m)}
                </option>
              ))}
          </select>
          <button
            type="button"
            disabled={!targetIds.length}
            onClick={() => {
              act(model.remove(targetIds));
              setSelection(NO_SELECTION);
              setOpenId(null);
            }}
          >
            {t('deleteMessages')}
          </button>
          {canEmpty && (
            <button type="button" onClick={() => setDialog('empty')}>
              {t('emptyFolder', { name: mailboxLabel(current!) })}
            </button>
          )}
          {selection.ids.size > 1 && <span class="muted">{t('selectedCount', { n: selection.ids.size })}</span>}
        </div>
        <MessageList model={model} selection={selection} onSelect={select} onOpen={(i) => model.query?.ids[i] && setOpenId(model.query.ids[i]!)} showTo={sentOrDrafts} />
      </main>
      <Reader model={model} emailId={openId} actions={actions} onOpen={setOpenId} />
      {compose && <Compose key={compose.key} model={model} initial={compose.draft} onClose={() => setCompose(null)} />}
      {dialog === 'help' && <HelpDialog onClose={() => setDialog(null)} />}
      {dialog === 'settings' && (
        <SettingsDialog model={model} onClose={() => setDialog(null)} onLanguage={props.onLanguage} onSignOutEverywhere={() => props.onSignOut(true)} />
      )}
      {dialog === 'empty' && current && (
        <Dialog title={t('emptyFolder', { name: mailboxLabel(current) })} onClose={() => setDialog(null)}>
          <p>{t('confirmEmpty', { n: current.totalEmails, name: mailboxLabel(current) })}</p>
          <div class="dialog-buttons">
            <button
              type="button"
              class="primary"
              onClick={() => {
                setDialog(null);
                act(model.emptyMailbox(current.id));
              }}
            >
              {t('delete')}
            </button>
            <button type="button" onClick={() => setDialog(null)}>
              {t('cancel')}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
