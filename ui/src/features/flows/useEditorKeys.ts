import { useEffect, useRef } from 'react';

function typing(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Ctrl/⌘+Z, Ctrl/⌘+Shift+Z (or Y), Ctrl/⌘+C and V on the canvas; fields keep their own shortcuts. */
export function useEditorKeys(enabled: boolean, k: { undo: () => void; redo: () => void; copy: () => boolean; paste: () => void }) {
  const ref = useRef(k);
  ref.current = k;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || typing(e.target)) return;
      const key = e.key.toLowerCase();
      const k = ref.current;
      if (key === 'z' && !e.shiftKey) k.undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') k.redo();
      else if (key === 'c') {
        if (window.getSelection()?.toString()) return;
        if (!k.copy()) return;
      } else if (key === 'v') k.paste();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
