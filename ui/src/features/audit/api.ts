import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Page } from '../../lib/types';
import { apiQuery, type AuditEntry, type AuditFilters } from './types';

export const auditKey = ['audit'] as const;

/**
 * An audit log, newest first, 50 a page: the business's (`/api/audit`) or, for
 * platform admins, every business's (`/api/admin/audit`, narrowed by `extra`).
 */
export function useAuditLog(f: AuditFilters, endpoint = '/api/audit', extra: Record<string, string> = {}) {
  return useInfiniteQuery({
    queryKey: [...auditKey, endpoint, extra, f] as const,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const q = new URLSearchParams(apiQuery(f, pageParam));
      for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
      const qs = q.toString();
      return api.get<Page<AuditEntry>>(`${endpoint}${qs ? `?${qs}` : ''}`, signal);
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}
