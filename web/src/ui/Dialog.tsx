// A modal dialog: role="dialog", aria-modal, labelled by its title, focus moved in and
// kept inside (Tab wraps), Escape closes, focus returns to where it was.

import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

let nextId = 0;

export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; describedBy?: string; initialFocus?: string; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useRef(`dlg-${nextId++}`);
  // Layout effect: focus moves in as the dialog appears, before the next key press.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const target = (props.initialFocus && el?.querySelector<HTMLElement>(props.initialFocus)) || el?.querySelector<HTMLElement>('input, select, textarea, button');
    target?.focus();
    return () => before?.focus?.();
  }, []);

  function keyDown(e: KeyboardEvent) {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      props.onClose();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex="0"]')];
    if (!items.length) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div class="overlay">
      <div class={`dialog${props.wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId.current} aria-describedby={props.describedBy} ref={ref} onKeyDown={keyDown}>
        <h2 id={titleId.current}>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
