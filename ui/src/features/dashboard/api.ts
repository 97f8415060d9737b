import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api';

export const SOURCES = ['whatsapp', 'walkin', 'webhook', 'facebook', 'manual', 'import'] as const;
export type Source = (typeof SOURCES)[number];

export interface DayLeads {
  day: string;
  total: number;
  by_source: Partial<Record<Source, number>>;
}

export interface FirstResponse {
  count: number;
  median_secs: number | null;
  p90_secs: number | null;
}

export interface MemberStats {
  member_id: string;
  name: string;
  assigned: number;
  open: number;
  closed: number;
  overdue_followups: number;
  first_response: FirstResponse;
}

export interface Dashboard {
  from: string;
  to: string;
  scope: 'business' | 'team' | 'own';
  leads_by_day: DayLeads[];
  totals: { leads: number; assigned: number; closed: number; won: number; conversion_rate: number | null };
  members: MemberStats[];
  first_response_by_source: ({ source: string } & FirstResponse)[];
  /** null when the viewer's scope has no queue (a member). */
  unassigned_backlog: number | null;
}

export function useDashboard(from: string, to: string, enabled: boolean) {
  return useQuery({
    queryKey: ['dashboard', from, to],
    enabled,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => {
      const q = new URLSearchParams({ from, to, tz_offset_minutes: String(-new Date().getTimezoneOffset()) });
      return api.get<Dashboard>(`/api/dashboard?${q}`, signal);
    },
  });
}
