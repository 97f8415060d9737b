// GET /api/search: hits across messages, notes and contacts, one conversation's together.
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api, ApiError } from '../../lib/api';
import type { Page } from '../../lib/types';
import type { Contact } from '../inbox/types';

export type SearchKind = 'all' | 'messages' | 'contacts';
export type SearchSort = 'best' | 'newest';

export interface SearchHit {
  kind: 'message' | 'contact';
  conversation_id: string;
  /** Messages (and notes) only. */
  message_id?: string;
  /** The hit is a private note, not a message. */
  note?: true;
  contact: Contact;
  /** HTML-escaped text; only <mark>…</mark> appear as tags. */
  snippet: string;
  created_at: string;
}

export interface SearchGroup {
  conversationId: string;
  contact: Contact;
  hits: SearchHit[];
}

/** Shortest query worth sending (the server answers 422 below it). */
export const MIN_QUERY = 2;

export const searchKey = (q: string, kind: SearchKind, sort: SearchSort) => ['search', q, kind, sort] as const;

function searchUrl(q: string, kind: SearchKind, sort: SearchSort, cursor: string | null) {
  const p = new URLSearchParams({ q, kind, sort });
  if (cursor) p.set('cursor', cursor);
  return `/api/search?${p}`;
}

type SearchPage = Page<SearchHit> & { truncated?: boolean };

const EMPTY: SearchPage = { items: [], next_cursor: null };

export type SearchQuery = ReturnType<typeof useSearch>;

export function useSearch(q: string, kind: SearchKind, sort: SearchSort) {
  return useInfiniteQuery({
    queryKey: searchKey(q, kind, sort),
    queryFn: async ({ pageParam, signal }) => {
      try {
        return await api.get<SearchPage>(searchUrl(q, kind, sort, pageParam), signal);
      } catch (e) {
        // a query the server finds too short is "nothing yet", not an error
        if (e instanceof ApiError && e.status === 422) return EMPTY;
        throw e;
      }
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: q.length >= MIN_QUERY,
    staleTime: 30_000,
    retry: false,
    // the old hits stay while the next query loads (no flashing while typing)
    placeholderData: keepPreviousData,
  });
}

/** One header per conversation, in order of first appearance (a later page may add to an earlier group). */
export function groupHits(hits: SearchHit[]): SearchGroup[] {
  const groups = new Map<string, SearchGroup>();
  const seen = new Set<string>();
  for (const h of hits) {
    const key = `${h.conversation_id}:${h.kind}:${h.message_id ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const g = groups.get(h.conversation_id);
    if (g) g.hits.push(h);
    else groups.set(h.conversation_id, { conversationId: h.conversation_id, contact: h.contact, hits: [h] });
  }
  return [...groups.values()];
}
