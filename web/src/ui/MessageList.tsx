// The message list: a virtualised role="listbox" over the paged Email/query. Only the
// rows in view (plus a margin) exist in the DOM; windows of 100 positions are loaded as
// they scroll into view, so a mailbox of 100 000 messages costs what one screen costs.

import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Email, Id } from '../jmap/types';
import { formatDate, formatSize, t } from '../i18n';
import { parseSnippet } from '../safe/snippet';
import type { MailModel } from './model';
import { hasKeyword } from '../mail/receipts';

export const ROW_HEIGHT = 70;
const OVERSCAN = 8;

export interface Selection {
  ids: Set<Id>;
  focus: number;
  /** Where a Shift range starts: an index, and the id there (the list may change in
   * between, e.g. new mail arriving above it, so the id wins when it is still listed). */
  anchor: number;
  anchorId?: Id;
}

export function Snippet(props: { text: string | null }) {
  return (
    <>
      {parseSnippet(props.text).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

function Row(props: { email: Email | undefined; index: number; total: number; selected: boolean; focused: boolean; showTo: boolean; model: MailModel; onMouseDown: (e: MouseEvent) => void; onDragStart: (e: DragEvent) => void }) {
  const e = props.email;
  const style = { top: `${props.index * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px` };
  if (!e)
    return (
      <div role="option" id={`row-${props.index}`} aria-selected="false" aria-posinset={props.index + 1} aria-setsize={props.total} class="row placeholder" style={style}>
        <span class="sr-only">{t('loading')}</span>
      </div>
    );
  const unread = !hasKeyword(e, '$seen');
  const flagged = hasKeyword(e, '$flagged');
  const who = props.showTo ? e.to : e.from;
  const snippet = props.model.snippets.get(e.id);
  return (
    <div
      role="option"
      id={`row-${props.index}`}
      data-id={e.id}
      aria-selected={props.selected ? 'true' : 'false'}
      aria-posinset={props.index + 1}
      aria-setsize={props.total}
      class={`row${unread ? ' unread' : ''}${props.selected ? ' selected' : ''}${props.focused ? ' focused' : ''}`}
      style={style}
      draggable
      onMouseDown={props.onMouseDown}
      onDragStart={props.onDragStart}
    >
      <span class="row-flags">
        {unread && <span class="dot" title={t('unread')} aria-label={t('unread')} role="img" />}
        {flagged && (
          <span class="flag" title={t('flagged')} aria-label={t('flagged')} role="img">
            ★
          </span>
        )}
        {e.hasAttachment && (
          <svg class="clip" width="12" height="14" viewBox="0 0 12 14" role="img" aria-label={t('hasAttachment')}>
            <path d="M8 4v6a2 2 0 01-4 0V3a1.5 1.5 0 013 0v6.5" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
          </svg>
        )}
      </span>
      <span class="row-from">{(who ?? []).map((a) => a.name || a.email).join(', ') || '—'}</span>
      <span class="row-date">{formatDate(e.receivedAt)}</span>
      <span class="row-subject">{snippet?.subject ? <Snippet text={snippet.subject} /> : e.subject || t('noSubject')}</span>
      {props.model.threads && (props.model.threadsById.get(e.threadId)?.length ?? 1) > 1 && (
        <span class="row-count">
          <span aria-hidden="true">{props.model.threadsById.get(e.threadId)!.length}</span>
          <span class="sr-only">{t('threadCount', { n: props.model.threadsById.get(e.threadId)!.length })}</span>
        </span>
      )}
      <span class="row-preview">{snippet?.preview ? <Snippet text={snippet.preview} /> : e.preview}</span>
      {props.model.sort === 'size' && <span class="row-size">{formatSize(e.size)}</span>}
    </div>
  );
}

export function MessageList(props: {
  model: MailModel;
  selection: Selection;
  onSelect: (s: Selection, open: boolean) => void;
  onOpen: (index: number) => void;
  showTo: boolean;
}) {
  const { model, selection } = props;
  const q = model.query;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    setHeight(el.clientHeight || 600);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, [q]);

  const total = q?.total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (q && q.loaded) q.ensureRange(first, last).catch((e) => model.fail(e));
  }, [q, first, last, q?.total]);

  // Keep the focused row in view.
  useEffect(() => {
    const el = viewport.current;
    if (!el || selection.focus < 0) return;
    const top = selection.focus * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [selection.focus]);

  function idAt(i: number): Id | undefined {
    return q?.ids[i];
  }

  function rangeIds(a: number, b: number): Set<Id> {
    const s = new Set<Id>();
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
      const id = idAt(i);
      if (id) s.add(id);
    }
    return s;
  }

  function anchorIndex(fallback: number): number {
    const byId = selection.anchorId && q ? q.ids.indexOf(selection.anchorId) : -1;
    return byId >= 0 ? byId : selection.anchor >= 0 ? selection.anchor : fallback;
  }

  function mouseDown(i: number, e: MouseEvent) {
    if (e.button !== 0) return;
    const id = idAt(i);
    if (!id) return;
    if (e.shiftKey) {
      const a = anchorIndex(i);
      props.onSelect({ ids: rangeIds(a, i), focus: i, anchor: a, anchorId: idAt(a) }, false);
    } else if (e.ctrlKey || e.metaKey) {
      const ids = new Set(selection.ids);
      if (ids.has(id)) ids.delete(id);
      else ids.add(id);
      props.onSelect({ ids, focus: i, anchor: i, anchorId: id }, false);
    } else if (selection.ids.has(id) && selection.ids.size > 1) {
      // Possibly the start of dragging the selection; a plain click opens on mouseup.
      const up = () => {
        document.removeEventListener('mouseup', up);
        props.onSelect({ ids: new Set([id]), focus: i, anchor: i, anchorId: id }, true);
      };
      document.addEventListener('mouseup', up);
      const cancel = () => document.removeEventListener('mouseup', up);
      document.addEventListener('dragstart', cancel, { once: true });
    } else {
      props.onSelect({ ids: new Set([id]), focus: i, anchor: i, anchorId: id }, true);
    }
    viewport.current?.focus();
  }

  function dragStart(i: number, e: DragEvent) {
    const id = idAt(i);
    if (!id || !e.dataTransfer) return;
    const ids = selection.ids.has(id) ? [...selection.ids] : [id];
    e.dataTransfer.setData('application/x-postamt-emails', JSON.stringify(ids));
    e.dataTransfer.effectAllowed = 'move';
  }

  function keyDown(e: KeyboardEvent) {
    if (!total) return;
    const cur = selection.focus < 0 ? -1 : selection.focus;
    let next = cur;
    if (e.key === 'ArrowDown' || e.key === 'j') next = Math.min(total - 1, cur + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') next = Math.max(0, cur - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = total - 1;
    else if (e.key === 'PageDown') next = Math.min(total - 1, cur + Math.floor(height / ROW_HEIGHT));
    else if (e.key === 'PageUp') next = Math.max(0, cur - Math.floor(height / ROW_HEIGHT));
    else if (e.key === 'Enter') {
      if (cur >= 0) props.onOpen(cur);
      e.preventDefault();
      return;
    } else if (e.key === ' ') {
      const id = idAt(cur);
      if (id) {
        const ids = new Set(selection.ids);
        if (ids.has(id)) ids.delete(id);
        else ids.add(id);
        props.onSelect({ ids, focus: cur, anchor: cur }, false);
      }
      e.preventDefault();
      return;
    } else if (e.key === 'a' && (e.ctrlKey || e.metaKey)) {
      props.onSelect({ ids: rangeIds(0, Math.min(total, q!.ids.length) - 1), focus: cur, anchor: 0 }, false);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    e.stopPropagation();
    const id = idAt(next);
    if (e.shiftKey) {
      const a = anchorIndex(next);
      props.onSelect({ ids: rangeIds(a, next), focus: next, anchor: a, anchorId: idAt(a) }, false);
    } else props.onSelect({ ids: id ? new Set([id]) : new Set(), focus: next, anchor: next, anchorId: id }, e.key === 'j' || e.key === 'k');
  }

  const rows = [];
  for (let i = first; i < last; i++) {
    const id = idAt(i);
    rows.push(
      // Keyed by the Email, so a row's element stays that message's while the list moves
      // under it (new mail above it, a push, a placeholder filled in elsewhere); by
      // position ("#" is not in any JMAP id) only until its id is known.
      <Row
        key={id ?? `#${i}`}
        index={i}
        total={total}
        email={id ? model.emails.byId.get(id) : undefined}
        selected={!!id && selection.ids.has(id)}
        focused={i === selection.focus}
        showTo={props.showTo}
        model={model}
        onMouseDown={(e) => mouseDown(i, e)}
        onDragStart={(e) => dragStart(i, e)}
      />,
    );
  }

  return (
    <>
    {q?.loaded && total === 0 && <p class="empty">{t('noMessages')}</p>}
    <div
      class="list-viewport"
      ref={viewport}
      role="listbox"
      aria-label={t('messageList')}
      aria-multiselectable="true"
      aria-activedescendant={selection.focus >= 0 && selection.focus < total ? `row-${selection.focus}` : undefined}
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={keyDown}
    >
      <div class="list-spacer" style={{ height: `${total * ROW_HEIGHT}px` }}>
        {rows}
      </div>
    </div>
    </>
  );
}
