import type { LeadFilters } from './types';
import { FILTER_KEYS } from './types';

export const leadsKey = ['leads'] as const;
export const leadsListKey = (f: LeadFilters) => ['leads', 'list', f] as const;

/** The filters as a query string (empty values left out); shared by the list, the URL and the CSV link. */
export function filterQuery(f: LeadFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) q.set(k, f[k]);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

export function readFilters(params: URLSearchParams): LeadFilters {
  const get = (k: string) => params.get(k) ?? '';
  return { source: get('source'), channel: get('channel'), assignee_id: get('assignee_id'), status: get('status'), from: get('from'), to: get('to') };
}
