import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ArrowDown } from 'lucide-react';
import { Spinner } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import type { Member } from '../../lib/types';
import { ActivityLine } from './ActivityLine';
import { markRead, useActivity, useMessages, useRetry, type Activity } from './api';
import { dayKey, dayLabel } from './format';
import { MessageBubble } from './MessageBubble';
import { usePendingMediaRetry } from './pendingMedia';
import type { Message } from './types';
import { useJump } from './useJump';

interface Props {
  conversationId: string;
  members: Map<string, Member>;
  onReply: (m: Message) => void;
  /** Open scrolled to this message, highlighted (a search hit). */
  target?: string | null;
  /** The jump to `target` is done (found or not). */
  onTargetDone?: () => void;
}

const NEAR_BOTTOM = 80;

export function MessageList({ conversationId, members, onReply, target, onTargetDone }: Props) {
  const qc = useQueryClient();
  const toast = useToast();
  const me = useSession().member?.id;
  const jump = useJump(conversationId, target, onTargetDone);
  const q = useMessages(conversationId, jump.loading);
  const retry = useRetry(conversationId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prev = useRef<{ oldest?: string; newest?: string; height: number; top: number }>({ height: 0, top: 0 });
  const [newCount, setNewCount] = useState(0);

  const ordered = useMemo(() => {
    const seen = new Set<string>();
    const all = (q.data?.pages ?? []).flatMap((p) => p.items).filter((m) => !seen.has(m.id) && seen.add(m.id));
    return all.reverse();
  }, [q.data]);
  usePendingMediaRetry(conversationId, ordered);
  // What was done to the conversation, placed among the loaded messages by time
  // (older entries wait until the messages of their time are loaded).
  const activity = useActivity(conversationId);
  const timeline = useMemo(() => {
    const acts = activity.data?.items ?? [];
    const at = (s: string) => Date.parse(s);
    const from = q.hasNextPage && ordered.length ? at(ordered[0].created_at) : -Infinity;
    const pending = acts.filter((a) => at(a.created_at) >= from);
    const out: ({ m: Message } | { a: Activity })[] = [];
    let i = 0;
    for (const m of ordered) {
      while (i < pending.length && at(pending[i].created_at) <= at(m.created_at)) out.push({ a: pending[i++] });
      out.push({ m });
    }
    while (i < pending.length) out.push({ a: pending[i++] });
    return out;
  }, [activity.data, ordered, q.hasNextPage]);
  const byWamid = useMemo(() => {
    const map = new Map<string, Message>();
    for (const m of ordered) if (m.wa_message_id) map.set(m.wa_message_id, m);
    return map;
  }, [ordered]);

  const scrollToBottom = useCallback(() => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setNewCount(0);
  }, []);

  // reset on conversation change
  useLayoutEffect(() => {
    prev.current = { height: 0, top: 0 };
    atBottom.current = true;
    setNewCount(0);
  }, [conversationId]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || ordered.length === 0) return;
    const oldest = ordered[0].id;
    const newest = ordered[ordered.length - 1].id;
    const p = prev.current;
    if (!p.newest) {
      el.scrollTop = el.scrollHeight;
    } else if (p.oldest !== oldest && p.newest === newest) {
      // older page prepended: keep what the reader was looking at
      el.scrollTop = p.top + (el.scrollHeight - p.height);
    } else if (p.newest !== newest) {
      const added = ordered.filter((m) => m.id > p.newest!);
      const mine = added.some((m) => m.direction === 'out' && m.author_id === me);
      if (atBottom.current || mine) scrollToBottom();
      else setNewCount((n) => n + added.length);
    }
    prev.current = { oldest, newest, height: el.scrollHeight, top: el.scrollTop };
  }, [ordered, scrollToBottom, me]);

  /** Puts a message in the middle of the view; false when it is not rendered. */
  const centerOn = useCallback((id: string) => {
    const el = scrollRef.current;
    const node = el?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);
    if (!el || !node) return false;
    const top = node.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop;
    el.scrollTop = Math.max(0, top - (el.clientHeight - node.offsetHeight) / 2);
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
    prev.current.top = el.scrollTop;
    prev.current.height = el.scrollHeight;
    return true;
  }, []);

  // a jump: after the scroll keeping above, so that it wins. The target is the oldest of
  // its page, so the older page loads at once: centre again while it is highlighted.
  const { focus, landed, highlighted } = jump;
  const jumpOldest = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const oldest = ordered[0]?.id;
    if (focus && centerOn(focus)) landed(focus);
    else if (highlighted && oldest !== jumpOldest.current) centerOn(highlighted);
    jumpOldest.current = oldest;
  }, [ordered, focus, highlighted, centerOn, landed]);

  // An imported group chat: more than one person wrote on the customer's side, so each line says who.
  const groupImport = useMemo(() => {
    const authors = new Set(ordered.filter((m) => m.direction === 'in' && m.details?.imported && m.details?.author).map((m) => m.details.author));
    return authors.size > 1;
  }, [ordered]);
  const authorOf = (m: Message): string | null => {
    if (m.author_id) return m.direction === 'out' ? (members.get(m.author_id)?.name ?? null) : null;
    if (groupImport && m.direction === 'in' && typeof m.details?.author === 'string') return m.details.author;
    return null;
  };

  // read marker: when a new inbound message shows while the tab is visible and we are at the bottom
  const newestIn = useMemo(() => [...ordered].reverse().find((m) => m.direction === 'in')?.id, [ordered]);
  const readFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!newestIn || readFor.current === newestIn) return;
    const tryMark = () => {
      if (document.visibilityState !== 'visible' || !atBottom.current) return;
      readFor.current = newestIn;
      markRead(qc, conversationId);
    };
    tryMark();
    document.addEventListener('visibilitychange', tryMark);
    return () => document.removeEventListener('visibilitychange', tryMark);
  }, [newestIn, conversationId, qc, newCount]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
    if (atBottom.current && newCount) setNewCount(0);
    prev.current.top = el.scrollTop;
    prev.current.height = el.scrollHeight;
    if (el.scrollTop < 300 && q.hasNextPage && !q.isFetchingNextPage) q.fetchNextPage();
  };

  const onRetry = useCallback(
    (m: Message) => retry.mutate(m.id, { onError: (e) => toast.error(errorMessage(e)) }),
    [retry, toast],
  );

  let lastDay = -1;
  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scrollRef}
        onScroll={onScroll}
        onLoadCapture={() => {
          // media above the highlighted message must not push it out of view
          if (highlighted) centerOn(highlighted);
          else if (atBottom.current) scrollToBottom();
        }}
        className="h-full overflow-y-auto bg-canvas px-3 py-3 sm:px-6"
        aria-live="polite"
        aria-relevant="additions"
      >
        {q.isPending && (
          <div className="flex h-full items-center justify-center">
            <Spinner label={t('app.loading')} />
          </div>
        )}
        {q.isError && <p className="p-6 text-center text-sm text-red-600 dark:text-red-400">{errorMessage(q.error)}</p>}
        {q.isFetchingNextPage && (
          <div className="flex justify-center py-2">
            <Spinner />
          </div>
        )}
        {!q.hasNextPage && ordered.length > 0 && <p className="py-3 text-center text-xs text-faint">{t('thread.beginning')}</p>}
        {timeline.map((item) => {
          const when = 'm' in item ? item.m.created_at : item.a.created_at;
          const day = dayKey(when);
          const sep = day !== lastDay;
          lastDay = day;
          const separator = sep && (
            <div data-testid="day-separator" className="flex justify-center py-2">
              <span className="rounded-full bg-surface/95 px-3 py-0.5 text-[11px] font-medium text-muted shadow-xs ring-1 ring-line">
                {dayLabel(when)}
              </span>
            </div>
          );
          if (!('m' in item))
            return (
              <Fragment key={item.a.id}>
                {separator}
                <ActivityLine a={item.a} members={members} me={me} />
              </Fragment>
            );
          const m = item.m;
          return (
            <Fragment key={m.id}>
              {separator}
              <MessageBubble
                m={m}
                quoted={m.reply_to ? (byWamid.get(m.reply_to) ?? null) : null}
                authorName={authorOf(m)}
                onReply={onReply}
                onRetry={onRetry}
                retrying={retry.isPending && retry.variables === m.id}
                highlighted={highlighted === m.id}
              />
            </Fragment>
          );
        })}
      </div>
      {newCount > 0 && (
        <button
          type="button"
          data-testid="new-messages-pill"
          onClick={scrollToBottom}
          className="focus-ring animate-fade-in absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full bg-brand-600 px-3 py-1.5 text-xs font-medium text-white shadow-lg hover:bg-brand-700 dark:bg-brand-500 dark:text-brand-950"
        >
          <ArrowDown aria-hidden className="size-3.5" />
          {t('thread.newMessages', { count: newCount })}
        </button>
      )}
    </div>
  );
}
