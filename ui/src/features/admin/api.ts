import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import type { BusinessAdminView, BusinessLimits, DeadLetter, Health, Job, NewBusiness } from './types';

export const adminKey = ['admin'] as const;
const businessesKey = [...adminKey, 'businesses'] as const;
const jobsKey = [...adminKey, 'jobs'] as const;

function query(params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function useBusinesses(search: string) {
  return useInfiniteQuery({
    queryKey: [...businessesKey, search] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<BusinessAdminView>>(`/api/admin/businesses${query({ q: search.trim(), cursor: pageParam, limit: '50' })}`, signal),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** Every business's id and name, for filters (the first 200). */
export function useBusinessNames() {
  return useQuery({
    queryKey: [...businessesKey, 'names'] as const,
    queryFn: ({ signal }) => api.get<Page<BusinessAdminView>>('/api/admin/businesses?limit=200', signal),
    select: (p) => p.items.map((b) => ({ id: b.id, name: b.name })),
    staleTime: 60_000,
  });
}

export function useCreateBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewBusiness) => api.post<BusinessAdminView>('/api/admin/businesses', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: businessesKey }),
  });
}

export function useUpdateBusiness() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: { name?: string; limits?: BusinessLimits; suspended?: boolean } }) =>
      api.patch<BusinessAdminView>(`/api/admin/businesses/${encodeURIComponent(id)}`, patch),
    onSuccess: () => qc.invalidateQueries({ queryKey: businessesKey }),
  });
}

export function useJobs(kind: string, state: string) {
  return useInfiniteQuery({
    queryKey: [...jobsKey, kind, state] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<Job>>(`/api/admin/jobs${query({ kind, state, cursor: pageParam })}`, signal),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useRetryJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Job>(`/api/admin/jobs/${encodeURIComponent(id)}/retry`),
    // also after a 404: a periodic job gets a new id each run, so the list may be stale
    onSettled: () => qc.invalidateQueries({ queryKey: jobsKey }),
  });
}

export function useDeadLetters() {
  return useInfiniteQuery({
    queryKey: [...adminKey, 'dead-letters'] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<DeadLetter>>(`/api/admin/dead-letters${query({ cursor: pageParam })}`, signal),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useHealth() {
  return useQuery({
    queryKey: [...adminKey, 'health'] as const,
    queryFn: ({ signal }) => api.get<Health>('/api/admin/health', signal),
    refetchInterval: 15_000,
  });
}
