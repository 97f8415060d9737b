import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import { apiQuery, type AuditEntry, type AuditFilters } from './types';

export const auditKey = ['audit'] as const;

/** The business's audit log, newest first, 50 a page. */
export function useAuditLog(f: AuditFilters) {
  return useInfiniteQuery({
    queryKey: [...auditKey, f] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const q = apiQuery(f, pageParam);
      return api.get<Page<AuditEntry>>(`/api/audit${q ? `?${q}` : ''}`, signal);
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
