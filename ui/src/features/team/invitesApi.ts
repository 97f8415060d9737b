import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { Role } from '../../lib/types';

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired';
/** How the mail with the current link fared; null for invites from before it was recorded. */
export type InviteEmailStatus = 'queued' | 'sent' | 'kept' | 'failed';

export interface InvitePool {
  /** "whatsapp:<number id>" | "channel:<id>" | "facebook:<id>" | "manual" */
  channel_id: string;
  weight: number;
}

export interface Invite {
  id: string;
  email: string;
  role: Role;
  team_id: string | null;
  status: InviteStatus;
  pools: InvitePool[];
  invited_by: string | null;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  email_status: InviteEmailStatus | null;
  /** The relay's last refusal (while retrying, or why it gave up). */
  email_error: string | null;
}

export interface NewInvite {
  email: string;
  role: Role;
  team_id?: string;
  pools?: InvitePool[];
}

export const invitesKey = ['invites'] as const;

export function useInvites(enabled = true) {
  return useQuery({
    queryKey: invitesKey,
    queryFn: ({ signal }) => api.get<{ items: Invite[] }>('/api/invites', signal),
    enabled,
    // A mail still on its way is asked after until it left or was given up.
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.email_status === 'queued') ? 5000 : false),
  });
}

function useRefresh() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: invitesKey });
}

export function useCreateInvite() {
  const done = useRefresh();
  return useMutation({ mutationFn: (body: NewInvite) => api.post<Invite>('/api/invites', body), onSuccess: done });
}

export function useRevokeInvite() {
  const done = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.del(`/api/invites/${id}`), onSuccess: done });
}

export function useResendInvite() {
  const done = useRefresh();
  return useMutation({ mutationFn: (id: string) => api.post<Invite>(`/api/invites/${id}/resend`), onSuccess: done });
}

/** One channel a new member can be put in the pool of. */
export interface PoolChoice {
  id: string;
  label: string;
  kind: string;
}

/** A list the caller may not see (403/404) simply contributes nothing. */
async function quiet<T>(path: string, signal: AbortSignal, map: (items: T[]) => PoolChoice[]): Promise<PoolChoice[]> {
  try {
    const page = await api.get<{ items: T[] }>(path, signal);
    return map(page.items ?? []);
  } catch {
    return [];
  }
}

export function usePoolChoices(enabled: boolean) {
  return useQuery({
    queryKey: ['invites', 'pool-choices'],
    enabled,
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const [numbers, channels, pages] = await Promise.all([
        quiet<{ id: string; display_phone_number: string }>('/api/whatsapp/numbers', signal, (xs) =>
          xs.map((n) => ({ id: `whatsapp:${n.id}`, label: n.display_phone_number, kind: t('invite.kind.whatsapp') })),
        ),
        quiet<{ id: string; name: string; kind: string }>('/api/channels', signal, (xs) =>
          xs.map((c) => ({ id: `channel:${c.id}`, label: c.name, kind: c.kind === 'walkin' ? t('invite.kind.walkin') : t('invite.kind.webhook') })),
        ),
        quiet<{ id: string; name: string }>('/api/facebook/pages', signal, (xs) =>
          xs.map((p) => ({ id: `facebook:${p.id}`, label: p.name, kind: t('invite.kind.facebook') })),
        ),
      ]);
      return [...numbers, ...channels, ...pages, { id: 'manual', label: t('invite.manual'), kind: t('invite.kind.manual') }];
    },
  });
}
