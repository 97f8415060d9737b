import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import { filterQuery, leadsKey, leadsListKey } from './keys';
import type { CreatedLead, Lead, LeadFilters, NewLead } from './types';

export function useLeads(f: LeadFilters) {
  return useInfiniteQuery({
    queryKey: leadsListKey(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Lead>>(`/api/leads?${filterQuery(f, pageParam ? { cursor: pageParam } : {})}`, signal),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export const exportUrl = (f: LeadFilters) => {
  const q = filterQuery(f);
  return `/api/exports/leads.csv${q ? `?${q}` : ''}`;
};

export function useCreateLead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewLead) => api.post<CreatedLead>('/api/leads', body),
    onSuccess: () =>
      Promise.all([qc.invalidateQueries({ queryKey: leadsKey }), qc.invalidateQueries({ queryKey: ['conversations', 'list'] })]),
  });
}
