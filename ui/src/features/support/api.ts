import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';

export interface SupportView {
  at: string;
  admin: { id: string; name: string; email: string };
  ip: string | null;
  summary: string;
}

export interface SupportAccess {
  granted_until: string | null;
  granted_by: { id: string; name: string } | null;
  recent_views: SupportView[];
}

export interface SupportSessionStarted {
  business_id: string;
  business_name: string;
  read_only: true;
  expires_at: string;
}

export const supportAccessKey = ['business', 'support-access'] as const;

/** The owner's view of the business's support access. */
export function useSupportAccess() {
  return useQuery({
    queryKey: supportAccessKey,
    queryFn: ({ signal }) => api.get<SupportAccess>('/api/business/support-access', signal),
  });
}

export function useGrantSupport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hours: number) => api.put<SupportAccess>('/api/business/support-access', { hours }),
    onSuccess: (data) => qc.setQueryData(supportAccessKey, data),
  });
}

export function useRevokeSupport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.del<SupportAccess>('/api/business/support-access'),
    onSuccess: (data) => (data ? qc.setQueryData(supportAccessKey, data) : qc.invalidateQueries({ queryKey: supportAccessKey })),
  });
}

/**
 * The session now acts in another business (or none): load the app afresh there, so that
 * no cache, WebSocket room or draft of the previous one survives.
 */
function switchTo(path: string) {
  window.location.assign(path);
}

/** Admin: open a business read-only, then land in its app. */
export function useStartSupport() {
  return useMutation({
    mutationFn: (businessId: string) =>
      api.post<SupportSessionStarted>(`/api/admin/businesses/${encodeURIComponent(businessId)}/support-session`),
    onSuccess: () => switchTo('/'),
  });
}

/** Admin: leave the support view, back to the platform. */
export function useExitSupport() {
  return useMutation({
    mutationFn: () => api.del('/api/admin/support-session'),
    onSuccess: () => switchTo('/admin'),
  });
}
