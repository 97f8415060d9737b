import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface Followup {
  id: string;
  conversation_id: string;
  note: string;
  scheduled_for: string;
  assignee_id: string | null;
  created_by: string | null;
  done: boolean;
  done_at: string | null;
  overdue: boolean;
  created_at: string;
  updated_at: string;
}

export type FollowupView = 'overdue' | 'today' | 'upcoming' | 'done';
export const VIEWS: readonly FollowupView[] = ['overdue', 'today', 'upcoming', 'done'];

export interface NewFollowup {
  conversation_id: string;
  note: string;
  scheduled_for: string;
  assignee_id?: string;
}

export interface FollowupPatch {
  note?: string;
  scheduled_for?: string;
  assignee_id?: string | null;
  done?: boolean;
  snooze_minutes?: number;
}

export const followupsKey = ['followups'] as const;
export const convFollowupsKey = (id: string) => ['followups', 'conv', id] as const;
const listKey = (view: FollowupView, assignee: string) => ['followups', 'list', view, assignee] as const;

/** Minutes east of UTC, as the server wants them. */
export const tzOffset = () => -new Date().getTimezoneOffset();

/** A view of follow-ups, 100 a page in due order (newest first when done). */
export function useFollowups(view: FollowupView, assignee: string) {
  return useInfiniteQuery({
    queryKey: listKey(view, assignee),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const q = new URLSearchParams({ view, tz_offset_minutes: String(tzOffset()) });
      if (assignee) q.set('assignee_id', assignee);
      if (pageParam) q.set('cursor', pageParam);
      return api.get<{ items: Followup[]; next_cursor: string | null }>(`/api/followups?${q}`, signal);
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useConversationFollowups(conversationId: string) {
  return useQuery({
    queryKey: convFollowupsKey(conversationId),
    queryFn: ({ signal }) => api.get<{ items: Followup[] }>(`/api/conversations/${conversationId}/followups`, signal),
  });
}

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: followupsKey });
}

export function useCreateFollowup() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (body: NewFollowup) => api.post<Followup>('/api/followups', body), onSuccess: done });
}

export function useUpdateFollowup() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: FollowupPatch }) => api.patch<Followup>(`/api/followups/${id}`, patch),
    onSuccess: done,
  });
}

export function useDeleteFollowup() {
  const done = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.del(`/api/followups/${id}`), onSuccess: done });
}
