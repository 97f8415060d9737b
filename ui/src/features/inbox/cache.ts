// Cache surgery for the live inbox: splice rows into every cached list, merge thread pages.
import type { QueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import { convKey, listUrl, messagesKey, type ConvPages, type MsgPages } from './keys';
import type { Conversation, ListFilters, MediaStatus, Message } from './types';

/** A conversation's row from any cached list (to show it at once while it loads). */
export function cachedRow(qc: QueryClient, id: string): Conversation | undefined {
  for (const [, data] of qc.getQueriesData<ConvPages>({ queryKey: ['conversations', 'list'] })) {
    for (const p of data?.pages ?? []) {
      const c = p.items.find((x) => x.id === id);
      if (c) return c;
    }
  }
  return undefined;
}

/** Whether a conversation belongs in a list with these filters, for member `me`. */
export function belongsTo(me: string | undefined) {
  return (f: ListFilters, c: Conversation) =>
    (f.view === 'all' || (f.view === 'mine' ? c.assignee_id === me : c.assignee_id === null)) &&
    (!f.status || c.status === f.status) &&
    (!f.number_id || c.number_id === f.number_id) &&
    (!f.label || c.labels.includes(f.label));
}

/** After a reconnect: fetch the first page of every cached list and fold it in (not every page). */
export async function refreshListHeads(qc: QueryClient, me: string | undefined) {
  const belongs = belongsTo(me);
  await Promise.all(
    qc.getQueriesData<ConvPages>({ queryKey: ['conversations', 'list'] }).map(async ([key]) => {
      const f = key[2] as ListFilters;
      try {
        const page = await api.get<Page<Conversation>>(listUrl(f, null));
        spliceConversation(qc, page.items, belongs);
      } catch {
        // the next event tries again
      }
    }),
  );
}

/** Replace (or drop) conversations in every cached list, re-sorted by last activity. One pass per list. */
export function spliceConversation(
  qc: QueryClient,
  convs: Conversation | Conversation[],
  belongs: (f: ListFilters, c: Conversation) => boolean,
) {
  const list = Array.isArray(convs) ? convs : [convs];
  if (list.length === 0) return;
  for (const c of list) qc.setQueryData(convKey(c.id), c);
  const ids = new Set(list.map((c) => c.id));
  for (const [key, data] of qc.getQueriesData<ConvPages>({ queryKey: ['conversations', 'list'] })) {
    if (!data) continue;
    const f = key[2] as ListFilters;
    const keep = list.filter((c) => belongs(f, c));
    const had = data.pages.some((p) => p.items.some((c) => ids.has(c.id)));
    if (keep.length === 0 && !had) continue;
    qc.setQueryData<ConvPages>(key, rebuild(data, (items) => [...keep, ...items.filter((c) => !ids.has(c.id))]));
  }
}

export function removeConversation(qc: QueryClient, id: string) {
  for (const [key, data] of qc.getQueriesData<ConvPages>({ queryKey: ['conversations', 'list'] })) {
    if (!data || !data.pages.some((p) => p.items.some((c) => c.id === id))) continue;
    qc.setQueryData<ConvPages>(key, rebuild(data, (items) => items.filter((c) => c.id !== id)));
  }
}

/** Patch one conversation in place wherever it is cached (no re-sort). */
export function patchConversation(qc: QueryClient, id: string, patch: (c: Conversation) => Conversation) {
  qc.setQueryData<Conversation>(convKey(id), (c) => (c ? patch(c) : c));
  for (const [key, data] of qc.getQueriesData<ConvPages>({ queryKey: ['conversations', 'list'] })) {
    if (!data || !data.pages.some((p) => p.items.some((c) => c.id === id))) continue;
    qc.setQueryData<ConvPages>(key, {
      ...data,
      pages: data.pages.map((p) => ({ ...p, items: p.items.map((c) => (c.id === id ? patch(c) : c)) })),
    });
  }
}

/** Flatten, change, sort by updated_at (newest first), cut back into pages of the old sizes. */
function rebuild(data: ConvPages, change: (items: Conversation[]) => Conversation[]): ConvPages {
  const seen = new Set<string>();
  const flat = change(data.pages.flatMap((p) => p.items)).filter((c) => !seen.has(c.id) && seen.add(c.id));
  flat.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
  const pages = data.pages.map((p, i) => {
    const start = data.pages.slice(0, i).reduce((n, q) => n + q.items.length, 0);
    const size = i === data.pages.length - 1 ? flat.length - start : p.items.length;
    return { ...p, items: flat.slice(start, start + Math.max(0, size)) };
  });
  return { ...data, pages };
}

/** Merge a fresh newest page into the cached thread (new ones added, changed ones replaced). */
export function mergeNewestMessages(qc: QueryClient, id: string, fresh: Page<Message>) {
  qc.setQueryData<MsgPages>(messagesKey(id), (data) => {
    if (!data || data.pages.length === 0) return data;
    const freshIds = new Set(fresh.items.map((m) => m.id));
    const first = [...fresh.items, ...data.pages[0].items.filter((m) => !freshIds.has(m.id))];
    first.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const pages = data.pages.map((p, i) =>
      i === 0 ? { ...p, items: first } : { ...p, items: p.items.filter((m) => !freshIds.has(m.id)) },
    );
    return { ...data, pages };
  });
}

export function patchMessage(qc: QueryClient, convId: string, msgId: string, patch: Partial<Message>): boolean {
  return updateMessage(qc, convId, msgId, (m) => ({ ...m, ...patch }));
}

/** A message's file was stored or given up on: only its `media.status` moves. */
export function patchMediaStatus(qc: QueryClient, convId: string, msgId: string, status: MediaStatus): boolean {
  return updateMessage(qc, convId, msgId, (m) => (m.media ? { ...m, media: { ...m.media, status } } : m));
}

function updateMessage(qc: QueryClient, convId: string, msgId: string, change: (m: Message) => Message): boolean {
  let found = false;
  qc.setQueryData<MsgPages>(messagesKey(convId), (data) => {
    if (!data) return data;
    return {
      ...data,
      pages: data.pages.map((p) => ({
        ...p,
        items: p.items.map((m) => {
          if (m.id !== msgId) return m;
          found = true;
          return change(m);
        }),
      })),
    };
  });
  return found;
}

