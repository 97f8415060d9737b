import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, CSRF_COOKIE, CSRF_HEADER, readCookie } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Page } from '../../lib/types';
import { markBadgeRead, refreshBadge } from './badge';
import { belongsTo, cachedRow, mergeNewestMessages, patchConversation, spliceConversation } from './cache';
import { activityKey, convKey, convListKey, listUrl, messagesKey, notesKey, numbersKey, PAGE, quickRepliesKey, templatesKey } from './keys';
import type { Conversation, ListFilters, Message, Note, QuickReply, SendBody, Template, Upload, WaNumber } from './types';

export * from './keys';
export * from './cache';

export function useConversationList(f: ListFilters) {
  return useInfiniteQuery({
    queryKey: convListKey(f),
    queryFn: ({ pageParam, signal }) => api.get<Page<Conversation>>(listUrl(f, pageParam), signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: 60_000,
  });
}

export function useConversation(id: string | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: convKey(id ?? ''),
    queryFn: ({ signal }) => api.get<Conversation>(`/api/conversations/${id}`, signal),
    enabled: Boolean(id),
    initialData: () => (id ? cachedRow(qc, id) : undefined),
    initialDataUpdatedAt: 0,
  });
}

export const fetchMessagesPage = (id: string, cursor: string | null, signal?: AbortSignal) =>
  api.get<Page<Message>>(`/api/conversations/${id}/messages?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`, signal);

/** Every message from the newest back to and including `until` (the server falls back to the newest page). */
export const fetchMessagesUntil = (id: string, until: string, signal?: AbortSignal) =>
  api.get<Page<Message>>(`/api/conversations/${id}/messages?limit=${PAGE}&until=${encodeURIComponent(until)}`, signal);

export interface Activity {
  id: string;
  kind: 'closed' | 'reopened' | 'assigned' | 'unassigned';
  actor_id: string | null;
  actor_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  created_at: string;
}

/** What was done to the conversation (closed, reopened, assigned), oldest first. */
export function useActivity(id: string) {
  return useQuery({
    queryKey: activityKey(id),
    queryFn: ({ signal }) => api.get<{ items: Activity[] }>(`/api/conversations/${id}/activity`, signal),
    staleTime: 30_000,
  });
}

/** `paused`: a jump to a message is loading the first page itself (see useJump). */
export function useMessages(id: string | undefined, paused = false) {
  return useInfiniteQuery({
    queryKey: messagesKey(id ?? ''),
    queryFn: ({ pageParam, signal }) => fetchMessagesPage(id!, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: Boolean(id) && !paused,
    staleTime: Infinity,
  });
}

export function useNotes(id: string) {
  return useQuery({
    queryKey: notesKey(id),
    queryFn: ({ signal }) => api.get<{ items: Note[] }>(`/api/conversations/${id}/notes`, signal),
  });
}

export function useNumbers() {
  return useQuery({
    queryKey: numbersKey,
    queryFn: ({ signal }) => api.get<Page<WaNumber>>('/api/whatsapp/numbers', signal),
    staleTime: 5 * 60_000,
  });
}

export function useTemplates(numberId: string | null | undefined, enabled = true) {
  return useQuery({
    queryKey: templatesKey(numberId ?? ''),
    queryFn: ({ signal }) => api.get<{ items: Template[] }>(`/api/whatsapp/numbers/${numberId}/templates`, signal),
    enabled: Boolean(numberId) && enabled,
    staleTime: 5 * 60_000,
  });
}

export function useQuickReplies() {
  return useQuery({
    queryKey: quickRepliesKey,
    queryFn: ({ signal }) => api.get<{ items: QuickReply[] }>('/api/quick-replies', signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

// ---- mutations ----------------------------------------------------------------

export type ConvPatch = { assignee_id?: string | null; status?: 'open' | 'closed'; labels?: string[] };

export function useUpdateConversation(id: string, me: string | undefined) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: ConvPatch) => api.patch<Conversation>(`/api/conversations/${id}`, patch),
    onSuccess: (conv) => spliceConversation(qc, conv, belongsTo(me)),
  });
}

export function useSend(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SendBody) => api.post<{ id: string; status: string }>(`/api/conversations/${id}/messages`, body),
    onSuccess: async () => {
      mergeNewestMessages(qc, id, await fetchMessagesPage(id, null));
    },
  });
}

export function useRetry(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (messageId: string) =>
      api.post<{ id: string; status: string }>(`/api/conversations/${id}/messages/${messageId}/retry`),
    onSuccess: async () => {
      mergeNewestMessages(qc, id, await fetchMessagesPage(id, null));
    },
  });
}

export function useAddNote(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => api.post<Note>(`/api/conversations/${id}/notes`, { text }),
    onSuccess: () => qc.invalidateQueries({ queryKey: notesKey(id) }),
  });
}

export function markRead(qc: QueryClient, id: string) {
  patchConversation(qc, id, (c) => (c.unread_count ? { ...c, unread_count: 0 } : c));
  markBadgeRead(qc, id);
  return api
    .post(`/api/conversations/${id}/read`)
    .then(() => refreshBadge(qc))
    .catch(() => undefined);
}

/** Uploads a file for a conversation with progress (XHR: fetch has no upload progress). */
export function uploadAttachment(
  conversationId: string,
  file: File,
  onProgress: (fraction: number) => void,
): { promise: Promise<Upload>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Upload>((resolve, reject) => {
    xhr.open('POST', `/api/conversations/${conversationId}/attachments?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) xhr.setRequestHeader(CSRF_HEADER, csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network_error', t('error.network')));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.onload = () => {
      let body: { error?: { code?: string; message?: string } } & Partial<Upload> = {};
      try {
        body = JSON.parse(xhr.responseText || '{}');
      } catch {
        // keep {}
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as Upload);
      else
        reject(
          new ApiError(
            xhr.status,
            body.error?.code ?? `http_${xhr.status}`,
            body.error?.message ?? t('error.unexpected', { status: xhr.status }),
          ),
        );
    };
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
