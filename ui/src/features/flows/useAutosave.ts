import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../lib/api';
import { saveDraft, validateFlow } from './api';
import type { Flow, FlowDraft, Issue } from './types';

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

/**
 * Saves the draft about a second after the last change, then validates it.
 * `flush()` saves at once and resolves when the server has the current draft.
 */
export function useAutosave(id: string, draft: FlowDraft, enabled: boolean, onSaved: (f: Flow) => void, onIssues: (issues: Issue[]) => void) {
  const body = JSON.stringify(draft);
  const saved = useRef<string | null>(null);
  const latest = useRef(body);
  latest.current = body;
  const running = useRef<Promise<void> | null>(null);
  const [state, setState] = useState<SaveState>('saved');
  const [error, setError] = useState<string | null>(null);
  const cbs = useRef({ onSaved, onIssues });
  cbs.current = { onSaved, onIssues };

  // The first draft seen is what the server has.
  if (saved.current === null) saved.current = body;

  const validate = useCallback(async () => {
    try {
      const v = await validateFlow(id);
      cbs.current.onIssues(v.details ?? []);
    } catch {
      // a validation that fails to run leaves the markers as they were
    }
  }, [id]);

  const save = useCallback(async (): Promise<void> => {
    if (running.current) {
      await running.current;
      if (latest.current === saved.current) return;
    }
    const sending = latest.current;
    if (sending === saved.current) return;
    setState('saving');
    const p = (async () => {
      try {
        const f = await saveDraft(id, JSON.parse(sending) as FlowDraft);
        saved.current = sending;
        setError(null);
        setState(latest.current === sending ? 'saved' : 'dirty');
        cbs.current.onSaved(f);
        void validate();
      } catch (e) {
        setError(errorMessage(e));
        setState('error');
        throw e;
      }
    })();
    running.current = p;
    try {
      await p;
    } finally {
      running.current = null;
    }
  }, [id, validate]);

  useEffect(() => {
    if (!enabled || body === saved.current) return;
    setState((s) => (s === 'saving' ? s : 'dirty'));
    const timer = window.setTimeout(() => void save().catch(() => undefined), 1000);
    return () => window.clearTimeout(timer);
  }, [body, enabled, save]);

  // Validate what was loaded, once.
  useEffect(() => {
    if (enabled) void validate();
  }, [enabled, validate]);

  const flush = useCallback(() => save(), [save]);
  return { state, error, flush, validate };
}
