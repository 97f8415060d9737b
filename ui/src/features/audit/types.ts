import { hasKey, t } from '../../lib/i18n';

export type AuditActor = { type: 'user'; user_id: string; email: string } | { type: 'system' } | { type: 'anonymous' };

export interface AuditEntry {
  id: string;
  business_id: string | null;
  actor: AuditActor;
  action: string;
  created_at: string;
  ip: string | null;
  user_agent: string | null;
  summary: string;
  target: { kind: string; id: string } | null;
}

/** The action codes the server records, in the order the filter lists them. */
export const AUDIT_ACTIONS = [
  'login_succeeded',
  'login_failed',
  'password_changed',
  'password_reset',
  'session_revoked',
  'member_added',
  'member_role_changed',
  'member_permissions_changed',
  'member_removed',
  'invite_created',
  'invite_resent',
  'invite_revoked',
  'invite_accepted',
  'api_token_created',
  'api_token_revoked',
  'channel_token_rotated',
  'flow_published',
  'import_started',
  'export_downloaded',
  'business_settings_changed',
  'signed_up',
  'email_verified',
  'google_linked',
  'business_created',
  'business_updated',
  'business_suspended',
  'business_resumed',
  'job_retried',
  'support_access_granted',
  'support_access_revoked',
  'support_session_opened',
  'support_session_closed',
  'support_view',
  'contact_exported',
  'contact_erased',
  'data_deletion_requested',
  'data_deletion_completed',
] as const;

/** Actions shown as a warning in the log. */
export const WARNING_ACTIONS: ReadonlySet<string> = new Set(['login_failed']);

/** A human label for an action code; an unknown (newer) code is shown as it is. */
export function actionLabel(code: string): string {
  const key = `audit.action.${code}`;
  return hasKey(key) ? t(key) : code;
}

export function actorLabel(a: AuditActor): string {
  if (a.type === 'user') return a.email;
  return a.type === 'system' ? t('audit.system') : t('audit.unknown');
}

export interface AuditFilters {
  action: string;
  actor: string;
  from: string;
  to: string;
}

export const FILTER_KEYS = ['action', 'actor', 'from', 'to'] as const;

export function readFilters(params: URLSearchParams): AuditFilters {
  const get = (k: string) => params.get(k) ?? '';
  return { action: get('action'), actor: get('actor'), from: get('from'), to: get('to') };
}

/** The filters as the page's own query string (empty values left out). */
export function filterQuery(f: AuditFilters): string {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k].trim()) q.set(k, f[k].trim());
  return q.toString();
}

/** The day after a YYYY-MM-DD date; the field reads "to this day, included", the API's `to` excludes. */
export function nextDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return Number.isNaN(d.getTime()) ? date : d.toISOString().slice(0, 10);
}

/** The query string for GET /api/audit. */
export function apiQuery(f: AuditFilters, cursor: string | null): string {
  const q = new URLSearchParams();
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.action) q.set('action', f.action);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', nextDay(f.to));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}
