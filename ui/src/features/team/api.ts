import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import { meKey } from '../../lib/auth';
import type { Member, Page, Permission, Role, Team } from '../../lib/types';

export const membersKey = ['members'] as const;
export const teamsKey = ['teams'] as const;

export function useMembers() {
  return useQuery({ queryKey: membersKey, queryFn: ({ signal }) => api.get<Page<Member>>('/api/members', signal) });
}

export function useTeams() {
  return useQuery({ queryKey: teamsKey, queryFn: ({ signal }) => api.get<Page<Team>>('/api/teams', signal) });
}

export interface NewMember {
  name: string;
  email: string;
  password?: string;
  role: Role;
  team_id?: string;
  permissions?: Permission[];
}

export interface MemberPatch {
  name?: string;
  role?: Role;
  team_id?: string | null;
  permissions?: Permission[];
}

export interface TeamInput {
  name: string;
  lead_id?: string | null;
}

/** Members, teams and the own session all change together: refresh them all. */
function useInvalidateTeam() {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: membersKey }),
      qc.invalidateQueries({ queryKey: teamsKey }),
      qc.invalidateQueries({ queryKey: meKey }),
    ]);
}

export function useCreateMember() {
  const done = useInvalidateTeam();
  return useMutation({ mutationFn: (body: NewMember) => api.post<Member>('/api/members', body), onSuccess: done });
}

export function useUpdateMember() {
  const done = useInvalidateTeam();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: MemberPatch }) => api.patch<Member>(`/api/members/${id}`, patch),
    onSuccess: done,
  });
}

export function useDeleteMember() {
  const done = useInvalidateTeam();
  return useMutation({ mutationFn: (id: string) => api.del(`/api/members/${id}`), onSuccess: done });
}

export function useCreateTeam() {
  const done = useInvalidateTeam();
  return useMutation({ mutationFn: (body: TeamInput) => api.post<Team>('/api/teams', body), onSuccess: done });
}

export function useUpdateTeam() {
  const done = useInvalidateTeam();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: TeamInput }) => api.patch<Team>(`/api/teams/${id}`, body),
    onSuccess: done,
  });
}

export function useDeleteTeam() {
  const done = useInvalidateTeam();
  return useMutation({ mutationFn: (id: string) => api.del(`/api/teams/${id}`), onSuccess: done });
}
