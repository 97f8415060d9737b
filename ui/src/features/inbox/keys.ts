import type { InfiniteData } from '@tanstack/react-query';
import type { Page } from '../../lib/types';
import type { Conversation, ListFilters, Message } from './types';

export const PAGE = 50;
export const convListKey = (f: ListFilters) => ['conversations', 'list', f] as const;
export const convKey = (id: string) => ['conversations', 'one', id] as const;
export const messagesKey = (id: string) => ['conversations', 'messages', id] as const;
export const notesKey = (id: string) => ['conversations', 'notes', id] as const;
export const runsKey = (id: string) => ['conversations', 'runs', id] as const;
export const activityKey = (id: string) => ['conversations', 'activity', id] as const;
export const numbersKey = ['whatsapp', 'numbers'] as const;
export const templatesKey = (numberId: string) => ['whatsapp', 'templates', numberId] as const;
export const quickRepliesKey = ['quick-replies'] as const;

export type ConvPages = InfiniteData<Page<Conversation>, string | null>;
export type MsgPages = InfiniteData<Page<Message>, string | null>;

function filterParams(f: ListFilters): URLSearchParams {
  const q = new URLSearchParams({ view: f.view });
  if (f.status) q.set('status', f.status);
  if (f.number_id) q.set('number_id', f.number_id);
  if (f.label) q.set('label', f.label);
  return q;
}

export function listUrl(f: ListFilters, cursor: string | null): string {
  const q = filterParams(f);
  q.set('limit', String(PAGE));
  if (cursor) q.set('cursor', cursor);
  return `/api/conversations?${q}`;
}

/** The CSV of the list as filtered now (a download link; the cookie goes along). */
export const exportUrl = (f: ListFilters) => `/api/exports/conversations.csv?${filterParams(f)}`;

