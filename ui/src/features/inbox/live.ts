// Keeps the cached inbox in step with the WebSocket: coalesced row refreshes,
// thread refreshes, status patches, removals and desktop notifications.

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';
import { useToast } from '../../components/Toast';
import { api, ApiError } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { copyText, getDraft } from '../../lib/drafts';
import { t } from '../../lib/i18n';
import { useFrames, type Frame } from '../../lib/realtime';
import {
  belongsTo,
  convKey,
  fetchMessagesPage,
  mergeNewestMessages,
  messagesKey,
  patchMediaStatus,
  patchMessage,
  refreshListHeads,
  removeConversation,
  runsKey,
  activityKey,
  spliceConversation,
} from './api';
import { followupsKey } from '../followups/api';
import { refreshBadge } from './badge';
import { contactLabel, previewText } from './format';
import { notesKey } from './keys';
import type { Conversation, MediaStatus, Message } from './types';

let openId: string | null = null;
/** The inbox tells the live layer which conversation is on screen. */
export function setOpenConversation(id: string | null) {
  openId = id;
}

const FLUSH_MS = 250;
const BURST_ROWS = 25;

export function useLiveInbox() {
  const qc = useQueryClient();
  const session = useSession();
  const navigate = useNavigate();
  const toast = useToast();
  const me = session.member?.id;
  const pending = useRef({ rows: new Set<string>(), threads: new Set<string>(), notify: new Map<string, string>() });
  const timer = useRef<number | undefined>(undefined);
  const notified = useRef(new Set<string>());

  const flush = async () => {
    timer.current = undefined;
    const { rows, threads, notify } = pending.current;
    pending.current = { rows: new Set(), threads: new Set(), notify: new Map() };
    const belongs = belongsTo(me);
    const fresh: Conversation[] = [];
    // A burst (e.g. a lead import) would mean thousands of fetches: refetch the list heads instead.
    const burst = rows.size > BURST_ROWS;
    if (burst) void refreshListHeads(qc, me);
    await Promise.all([
      ...[...rows].filter(() => !burst).map(async (id) => {
        try {
          const conv = await api.get<Conversation>(`/api/conversations/${id}`);
          fresh.push(conv);
          const msgId = notify.get(id);
          if (msgId && conv.last_message?.direction === 'in') maybeNotify(conv, msgId, notified.current, navigate);
        } catch (e) {
          if (e instanceof ApiError && (e.status === 404 || e.status === 403)) removeConversation(qc, id);
        }
      }),
      ...[...threads].map(async (id) => {
        if (!qc.getQueryData(messagesKey(id))) return;
        try {
          mergeNewestMessages(qc, id, await fetchMessagesPage(id, null));
        } catch {
          // the next frame or reconnect will try again
        }
      }),
    ]);
    spliceConversation(qc, fresh, belongs);
    // the sidebar badge counts a list of its own: ask the server again, once per burst
    if (rows.size > 0) refreshBadge(qc);
  };

  const queue = (kind: 'rows' | 'threads', id: string) => {
    pending.current[kind].add(id);
    if (timer.current === undefined) timer.current = window.setTimeout(flush, FLUSH_MS);
  };

  useEffect(() => () => window.clearTimeout(timer.current), []);
  const lastImportRefresh = useRef(0);

  useFrames(
    (f: Frame) => {
      const d = f.data as Record<string, unknown>;
      // A bulk import sends no per-row frames: its batches refresh the lists' heads.
      if (f.type === 'import.progress') {
        const now = Date.now();
        if (now - lastImportRefresh.current > 2000 || d.status !== 'running') {
          lastImportRefresh.current = now;
          void refreshListHeads(qc, me);
          refreshBadge(qc);
        }
        return;
      }
      const cid = typeof d.conversation_id === 'string' ? d.conversation_id : null;
      if (!cid) return;
      switch (f.type) {
        case 'message.new':
          qc.invalidateQueries({ queryKey: runsKey(cid) });
          queue('rows', cid);
          queue('threads', cid);
          if (typeof d.message_id === 'string') pending.current.notify.set(cid, d.message_id);
          break;
        case 'message.status': {
          // The file of an inbound message was stored (or given up on): the
          // bubble swaps its "Downloading…" placeholder for the file.
          const media = d.media as { status?: unknown } | undefined;
          if (media && typeof media.status === 'string' && typeof d.message_id === 'string') {
            if (!patchMediaStatus(qc, cid, d.message_id, media.status as MediaStatus)) queue('threads', cid);
            break;
          }
          const patch: Partial<Message> = {};
          if (typeof d.status === 'string') patch.status = d.status as Message['status'];
          if ('error' in d) patch.error = (d.error as string | null) ?? null;
          if (Array.isArray(d.reactions)) patch.reactions = d.reactions as Message['reactions'];
          const found = typeof d.message_id === 'string' && patchMessage(qc, cid, d.message_id, patch);
          if (!found) queue('threads', cid);
          // The list row says when the last reply failed.
          if (d.status === 'failed') queue('rows', cid);
          break;
        }
        case 'note.new':
          qc.invalidateQueries({ queryKey: notesKey(cid) });
          break;
        case 'followup.updated':
          qc.invalidateQueries({ queryKey: followupsKey });
          break;
        case 'conversation.new':
        case 'conversation.updated':
          if (d.removed) {
            removeConversation(qc, cid);
            qc.removeQueries({ queryKey: convKey(cid) });
            refreshBadge(qc);
            if (openId === cid) {
              // An unsent reply would go with the conversation: offer it.
              const draft = getDraft(cid);
              if (draft.trim()) {
                const excerpt = draft.length > 80 ? `${draft.slice(0, 80)}…` : draft;
                toast.info(
                  t('inbox.removedFromScopeDraft', { text: excerpt }),
                  { label: t('inbox.copyDraft'), onClick: () => copyText(draft) },
                  'removed-draft',
                );
              } else toast.error(t('inbox.removedFromScope'));
              navigate('/inbox', { replace: true });
            }
          } else {
            qc.invalidateQueries({ queryKey: runsKey(cid) });
            qc.invalidateQueries({ queryKey: activityKey(cid) });
            queue('rows', cid);
          }
          break;
      }
    },
    () => {
      // back after a drop: what is on screen may be stale (lists: first pages only)
      void refreshListHeads(qc, me);
      refreshBadge(qc);
      qc.invalidateQueries({ queryKey: ['conversations', 'one'] });
      qc.invalidateQueries({ queryKey: ['conversations', 'notes'] });
      qc.invalidateQueries({ queryKey: ['conversations', 'runs'] });
      for (const [key] of qc.getQueriesData({ queryKey: ['conversations', 'messages'] })) queue('threads', key[2] as string);
      // a thread opened while the server was away never loaded: load it now
      qc.invalidateQueries({ queryKey: ['conversations', 'messages'], predicate: (q) => q.state.status === 'error' });
    },
  );
}

function maybeNotify(conv: Conversation, msgId: string, seen: Set<string>, navigate: (to: string) => void) {
  if (seen.has(msgId)) return;
  seen.add(msgId);
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (conv.id === openId && document.visibilityState === 'visible') return;
  try {
    const n = new Notification(contactLabel(conv.contact), {
      body: conv.last_message ? previewText(conv.last_message) : '',
      tag: conv.id,
    });
    n.onclick = () => {
      window.focus();
      navigate(`/inbox/${conv.id}`);
      n.close();
    };
  } catch {
    // some browsers only allow notifications from a service worker
  }
}
