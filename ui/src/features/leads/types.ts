// Wire shapes of the leads API (snake_case, as the server sends them).

export type LeadSource = 'whatsapp' | 'facebook' | 'walkin' | 'webhook' | 'manual' | 'import';
export const LEAD_SOURCES: readonly LeadSource[] = ['whatsapp', 'facebook', 'walkin', 'webhook', 'manual', 'import'];

export interface LeadChannel {
  kind: string;
  id: string;
  name: string;
}

export interface Lead {
  conversation_id: string;
  contact: { id: string; name: string | null; phone: string | null; email: string | null };
  source: LeadSource | string;
  channel: LeadChannel | null;
  assignee_id: string | null;
  status: 'open' | 'closed' | string;
  created_at: string;
}

export interface LeadFilters {
  source: string;
  /** "<kind>:<id>" */
  channel: string;
  /** a member id, "none" (unassigned) or "" */
  assignee_id: string;
  status: string;
  /** YYYY-MM-DD */
  from: string;
  to: string;
}

export const FILTER_KEYS: readonly (keyof LeadFilters)[] = ['source', 'channel', 'assignee_id', 'status', 'from', 'to'];

export interface NewLead {
  name?: string;
  phone?: string;
  email?: string;
  note?: string;
  channel_id?: string;
  assignee_id?: string;
}

export interface CreatedLead {
  conversation_id: string;
  contact_id: string;
  assignee_id: string | null;
}
