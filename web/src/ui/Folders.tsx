// The folder pane: mailboxes in role order with unread counts, a drop target for
// dragged messages, and folder create/rename/delete.

import { useState } from 'preact/hooks';
import type { Id, Mailbox } from '../jmap/types';
import { t, type Key } from '../i18n';
import { sortMailboxes, type MailModel } from './model';
import { Dialog } from './Dialog';
import { Icon } from './Icon';

const ROLES = new Set(['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive']);

export function mailboxLabel(m: Mailbox): string {
  return m.role && ROLES.has(m.role) ? t(`role_${m.role}` as Key) : m.name;
}

function depth(m: Mailbox, byId: Map<Id, Mailbox>): number {
  let d = 0;
  for (let p = m.parentId; p && d < 10; p = byId.get(p)?.parentId ?? null) d++;
  return d;
}

type FolderDialog = { kind: 'create' } | { kind: 'rename'; m: Mailbox } | { kind: 'delete'; m: Mailbox };

export function Folders(props: { model: MailModel; onOpen: (id: Id) => void }) {
  const { model } = props;
  const [dialog, setDialog] = useState<FolderDialog | null>(null);
  const [name, setName] = useState('');
  const [dropTarget, setDropTarget] = useState<Id | null>(null);
  const list = sortMailboxes(model.mailboxes.all());
  const current = model.currentMailbox ? model.mailboxes.byId.get(model.currentMailbox) : undefined;

  async function submit(e: Event) {
    e.preventDefault();
    const d = dialog;
    setDialog(null);
    try {
      if (d?.kind === 'create') await model.mailboxSet({ create: { n: { name: name.trim(), parentId: null } } });
      else if (d?.kind === 'rename') await model.mailboxSet({ update: { [d.m.id]: { name: name.trim() } } });
      else if (d?.kind === 'delete') {
        await model.mailboxSet({ destroy: [d.m.id], onDestroyRemoveEmails: true });
        const inbox = model.byRole('inbox');
        if (inbox) props.onOpen(inbox.id);
      }
    } catch (err) {
      model.fail(err);
    }
  }

  return (
    <nav class="folders" aria-label={t('folders')}>
      <ul>
        {list.map((m) => (
          <li key={m.id} style={{ paddingLeft: `${depth(m, model.mailboxes.byId) * 12}px` }}>
            <button
              type="button"
              class={`folder${m.id === model.currentMailbox && !model.search ? ' current' : ''}${dropTarget === m.id ? ' drop' : ''}`}
              aria-current={m.id === model.currentMailbox && !model.search ? 'page' : undefined}
              data-mailbox={m.role ?? m.name}
              onClick={() => props.onOpen(m.id)}
              onDragOver={(e) => {
                if (e.dataTransfer?.types.includes('application/x-postamt-emails')) {
                  e.preventDefault();
                  setDropTarget(m.id);
                }
              }}
              onDragLeave={() => setDropTarget(null)}
              onDrop={(e) => {
                e.preventDefault();
                setDropTarget(null);
                const raw = e.dataTransfer?.getData('application/x-postamt-emails');
                if (raw) void model.move(JSON.parse(raw) as Id[], m.id).catch((err) => model.fail(err));
              }}
            >
              <Icon name={m.role && ROLES.has(m.role) ? m.role : 'folder'} />
              <span class="name">{mailboxLabel(m)}</span>
              {m.unreadEmails > 0 && (
                <>
                  <span class="count" aria-hidden="true">
                    {m.unreadEmails}
                  </span>
                  <span class="sr-only">{t('unreadCount', { n: m.unreadEmails })}</span>
                </>
              )}
            </button>
          </li>
        ))}
      </ul>
      <div class="folder-tools">
        <button type="button" onClick={() => (setName(''), setDialog({ kind: 'create' }))}>
          {t('newFolder')}
        </button>
        {current && !current.role && (
          <>
            <button type="button" onClick={() => (setName(current.name), setDialog({ kind: 'rename', m: current }))}>
              {t('renameFolder')}
            </button>
            <button type="button" onClick={() => setDialog({ kind: 'delete', m: current })}>
              {t('deleteFolder')}
            </button>
          </>
        )}
      </div>
      {dialog && (
        <Dialog title={dialog.kind === 'create' ? t('newFolder') : dialog.kind === 'rename' ? t('renameFolder') : t('deleteFolder')} onClose={() => setDialog(null)}>
          <form onSubmit={submit}>
            {dialog.kind === 'delete' ? (
              <p>{t('confirmDeleteFolder', { name: dialog.m.name })}</p>
            ) : (
              <div class="field">
                <label for="folder-name">{t('folderName')}</label>
                <input id="folder-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
              </div>
            )}
            <div class="dialog-buttons">
              <button type="submit" class="primary">
                {dialog.kind === 'create' ? t('create') : dialog.kind === 'rename' ? t('rename') : t('delete')}
              </button>
              <button type="button" onClick={() => setDialog(null)}>
                {t('cancel')}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </nav>
  );
}
