// Shapes of the platform admin API (/api/admin/*), as on the wire.

/** null = unlimited. */
export interface BusinessLimits {
  max_members: number | null;
  max_numbers: number | null;
  max_flows: number | null;
}

export interface BusinessUsage {
  members: number;
  numbers: number;
  pages: number;
  conversations: number;
  messages_30d: number;
  media_bytes: number;
}

export interface BusinessAdminView {
  id: string;
  name: string;
  created_at: string;
  suspended: boolean;
  suspended_at: string | null;
  limits: BusinessLimits;
  usage: BusinessUsage;
  owners: { id: string; name: string; email: string }[];
  support_access_until: string | null;
}

export interface NewBusiness {
  name: string;
  owner_email: string;
  owner_name: string;
  owner_password?: string;
  default_country?: string;
  limits?: BusinessLimits;
}

export type JobState = 'scheduled' | 'running' | 'failed' | 'done';
export const JOB_STATES: readonly JobState[] = ['scheduled', 'running', 'failed', 'done'];
/** The kinds the filter offers; the server may report others, shown as they are. */
export const JOB_KINDS = ['flow_reenable', 'token_refresh', 'import', 'reminder', 'data_deletion', 'outbox_sender', 'audit_prune'] as const;

export interface Job {
  id: string;
  kind: string;
  business_id: string | null;
  business_name: string | null;
  label: string;
  state: JobState;
  last_run_at: string | null;
  next_due_at: string | null;
  failures: number;
  last_error: string | null;
}

export interface DeadLetter {
  id: string;
  received_at: string;
  source: string;
  reason: string;
  body: string;
}

export interface OutboxDepth {
  business_id: string;
  business_name: string;
  phone_number_id: string;
  display_number: string;
  depth: number;
}

export interface Health {
  version: string;
  started_at: string;
  uptime_secs: number;
  store_bytes: number;
  index_bytes: number;
  media_bytes: number;
  search: { lag_ms: number; pending: number };
  websocket_connections: number;
  dead_letters: number;
  jobs: { total: number; due: number; failed: number };
  outbox: OutboxDepth[];
}

/** Support access is open while its end lies ahead. */
export function supportOpen(b: BusinessAdminView, now = Date.now()): boolean {
  return b.support_access_until !== null && new Date(b.support_access_until).getTime() > now;
}
