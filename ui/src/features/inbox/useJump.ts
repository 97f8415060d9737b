// Opening a thread at a message (a search hit): load newest → target in one
// page into the thread's own cache (so live updates and older pages keep
// working), then scroll to it and highlight it for a moment.
import { useCallback, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { fetchMessagesUntil, messagesKey, type MsgPages } from './api';

export const HIGHLIGHT_MS = 2500;

export interface Jump {
  /** The first page is being loaded by the jump: keep the normal query paused. */
  loading: boolean;
  /** The message to scroll to once it is rendered (cleared by `landed`). */
  focus: string | null;
  landed: (id: string) => void;
  /** The message that is highlighted right now. */
  highlighted: string | null;
}

export function useJump(conversationId: string, target: string | null | undefined, onDone?: () => void): Jump {
  const qc = useQueryClient();
  // which jump has settled (found, not found or failed); until then the normal first page waits,
  // from the very first render (an early normal fetch would overwrite the jump's page)
  const [settled, setSettled] = useState<string | null>(null);
  const jumpKey = target ? `${conversationId}:${target}` : null;
  const loading = jumpKey !== null && settled !== jumpKey;
  const [focus, setFocus] = useState<string | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);

  useEffect(() => {
    setFocus(null);
    setHighlighted(null);
  }, [conversationId]);

  useEffect(() => {
    if (!target) {
      setSettled(null);
      return;
    }
    const key = messagesKey(conversationId);
    const cached = qc.getQueryData<MsgPages>(key);
    const done = `${conversationId}:${target}`;
    if (cached?.pages.some((p) => p.items.some((m) => m.id === target))) {
      setFocus(target);
      setSettled(done);
      onDone?.();
      return;
    }
    const ctrl = new AbortController();
    void qc.cancelQueries({ queryKey: key });
    fetchMessagesUntil(conversationId, target, ctrl.signal)
      .then((page) => {
        const found = page.items.some((m) => m.id === target);
        // not found (deleted, out of reach): the thread opens as usual
        if (found || !qc.getQueryData(key)) qc.setQueryData<MsgPages>(key, { pages: [page], pageParams: [null] });
        if (found) setFocus(target);
      })
      .catch(() => undefined)
      .finally(() => {
        if (ctrl.signal.aborted) return;
        setSettled(done);
        onDone?.();
      });
    return () => ctrl.abort();
    // onDone is a callback from the caller; a new identity is no new jump
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId, target, qc]);

  useEffect(() => {
    if (!highlighted) return;
    const id = window.setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => window.clearTimeout(id);
  }, [highlighted]);

  const landed = useCallback((id: string) => {
    setHighlighted(id);
    setFocus(null);
  }, []);

  return {
    loading,
    focus,
    landed,
    highlighted,
  };
}
