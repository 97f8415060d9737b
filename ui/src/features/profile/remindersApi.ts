import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface ReminderPrefs {
  in_app: boolean;
  email: boolean;
  push: boolean;
}

export interface PushDevice {
  id: string;
  endpoint_host: string;
  user_agent: string | null;
  created_at: string;
}

export const remindersKey = ['profile', 'reminders'] as const;
export const devicesKey = ['push', 'subscriptions'] as const;

export function useReminderPrefs() {
  return useQuery({ queryKey: remindersKey, queryFn: ({ signal }) => api.get<ReminderPrefs>('/api/profile/reminders', signal) });
}

export function useSaveReminderPrefs() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: boolean; push: boolean }) => api.put<ReminderPrefs>('/api/profile/reminders', body),
    onSuccess: (data) => qc.setQueryData(remindersKey, data),
  });
}

export function usePushDevices(enabled: boolean) {
  return useQuery({
    queryKey: devicesKey,
    enabled,
    queryFn: ({ signal }) => api.get<{ items: PushDevice[] }>('/api/push/subscriptions', signal),
  });
}

export function useRemoveDevice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/push/subscriptions/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: devicesKey }),
  });
}

export function useTestPush() {
  return useMutation({ mutationFn: () => api.post('/api/push/test') });
}
