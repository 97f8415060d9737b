import { useEffect, useRef, type RefObject } from 'react';
import type { Conversation } from './types';

function typing(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

interface Opts {
  rows: Conversation[];
  activeId: string | undefined;
  open: (id: string) => void;
  filterRef: RefObject<HTMLInputElement | null>;
  onHelp: () => void;
}

/** j / k move through the list, / focuses the filter, ? shows the help. Ignored while typing. */
export function useInboxShortcuts(opts: Opts) {
  const ref = useRef(opts);
  ref.current = opts;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      if (document.querySelector('[role="dialog"]')) return;
      const { rows, activeId, open, filterRef, onHelp } = ref.current;
      if (e.key === 'j' || e.key === 'k') {
        if (rows.length === 0) return;
        const i = rows.findIndex((r) => r.id === activeId);
        const next = i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + (e.key === 'j' ? 1 : -1)));
        e.preventDefault();
        open(rows[next].id);
      } else if (e.key === '/') {
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
      } else if (e.key === '?') {
        e.preventDefault();
        onHelp();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
