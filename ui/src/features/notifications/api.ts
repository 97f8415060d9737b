import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface Notification {
  id: string;
  kind: string;
  text: string;
  conversation_id: string | null;
  created_at: string;
  read: boolean;
}

export interface NotificationPage {
  items: Notification[];
  unread: number;
  next_cursor: string | null;
}

export const notificationsKey = ['notifications'] as const;
export const SHOWN = 20;

export function useNotifications() {
  return useQuery({
    queryKey: notificationsKey,
    queryFn: ({ signal }) => api.get<NotificationPage>('/api/notifications', signal),
    staleTime: 60_000,
  });
}

/** A notification.new frame: put it on top (the server's next answer will agree). */
export function prependNotification(qc: QueryClient, d: Record<string, unknown>) {
  if (typeof d.id !== 'string') return;
  const n: Notification = {
    id: d.id,
    kind: typeof d.kind === 'string' ? d.kind : 'info',
    text: typeof d.text === 'string' ? d.text : '',
    conversation_id: typeof d.conversation_id === 'string' ? d.conversation_id : null,
    created_at: typeof d.created_at === 'string' ? d.created_at : new Date().toISOString(),
    read: false,
  };
  const old = qc.getQueryData<NotificationPage>(notificationsKey);
  if (!old) {
    void qc.invalidateQueries({ queryKey: notificationsKey });
    return;
  }
  if (old.items.some((x) => x.id === n.id)) return;
  qc.setQueryData<NotificationPage>(notificationsKey, { ...old, items: [n, ...old.items], unread: old.unread + 1 });
}

/** Marks some (or, without ids, all) notifications read, optimistically. */
export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (ids?: string[]) => api.post('/api/notifications/read', ids ? { ids } : {}),
    onMutate: async (ids) => {
      await qc.cancelQueries({ queryKey: notificationsKey });
      const before = qc.getQueryData<NotificationPage>(notificationsKey);
      if (before) {
        const hit = (n: Notification) => !ids || ids.includes(n.id);
        const newlyRead = before.items.filter((n) => !n.read && hit(n)).length;
        qc.setQueryData<NotificationPage>(notificationsKey, {
          ...before,
          items: before.items.map((n) => (hit(n) ? { ...n, read: true } : n)),
          unread: ids ? Math.max(0, before.unread - newlyRead) : 0,
        });
      }
      return { before };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.before) qc.setQueryData(notificationsKey, ctx.before);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: notificationsKey }),
  });
}
