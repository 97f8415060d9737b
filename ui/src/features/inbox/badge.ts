// The sidebar's unread badge: small queries of the first page of the lists a
// member acts on (open conversations), the same on every page and tab. The live
// layer refetches it after realtime frames; reading a conversation patches it.

import { useQueries, type QueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { useSession } from '../../lib/auth';
import type { Page } from '../../lib/types';
import { PAGE } from './keys';
import type { Conversation } from './types';
import { badgeViews } from './views';

export const badgeKey = ['inbox-badge'] as const;

export interface UnreadBadge {
  /** Unread messages over the first page. */
  count: number;
  /** Older conversations may hold more unread messages. */
  more: boolean;
}

export function useUnreadBadge(): UnreadBadge {
  const session = useSession();
  const qs = useQueries({
    queries: badgeViews(session).map((view) => ({
      queryKey: [...badgeKey, view],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get<Page<Conversation>>(`/api/conversations?view=${view}&status=open&limit=${PAGE}`, signal),
      enabled: session.business !== null && session.member !== null,
      staleTime: 60_000,
    })),
  });
  let count = 0;
  let more = false;
  for (const q of qs) {
    const items = q.data?.items ?? [];
    for (const c of items) count += c.unread_count;
    // Newest first: only when the page's oldest conversation is still unread
    // may older unread ones follow (a busy inbox always has a next page).
    const last = items[items.length - 1];
    more ||= Boolean(q.data?.next_cursor) && last !== undefined && last.unread_count > 0;
  }
  return { count, more };
}

/** Something changed on the server: fetch the badge's page again. */
export function refreshBadge(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: badgeKey });
}

/** Show a conversation as read at once (the server confirms on the next refresh). */
export function markBadgeRead(qc: QueryClient, id: string) {
  for (const [key, data] of qc.getQueriesData<Page<Conversation>>({ queryKey: badgeKey })) {
    if (!data || !data.items.some((c) => c.id === id && c.unread_count > 0)) continue;
    qc.setQueryData<Page<Conversation>>(key, {
      ...data,
      items: data.items.map((c) => (c.id === id ? { ...c, unread_count: 0 } : c)),
    });
  }
}
