// Wire shapes of the lead-source channels: walk-in forms, webhooks, Facebook pages.

interface ChannelBase {
  id: string;
  name: string;
  created_at: string;
}

export interface WalkinChannel extends ChannelBase {
  kind: 'walkin';
  slug: string;
  form_url: string;
  /** SVG; public, no login. */
  qr_url: string;
  qr_png_url: string;
  poster_url: string;
}

export interface WebhookChannel extends ChannelBase {
  kind: 'webhook';
  webhook_url: string;
  /** Only in the create / rotate answer; null otherwise. */
  token: string | null;
  /** Lead field → JSON pointer into the posted body ({name: "/name", phone: "/contact/phone"}). */
  mapping: Record<string, string>;
}

export type CustomChannel = WalkinChannel | WebhookChannel;
export type CustomKind = CustomChannel['kind'];

export interface NewChannel {
  kind: CustomKind;
  name: string;
}

export interface FbForm {
  id: string;
  name: string;
}

export interface FbPage {
  id: string;
  page_id: string;
  name: string;
  sandbox: boolean;
  status: 'active' | 'token_invalid' | 'disconnected' | string;
  /** Why leads stopped coming (a refused permission, a lead Graph kept refusing). */
  last_error?: string | null;
  disconnected_reason?: string | null;
  connected_at: string;
  last_lead_at: string | null;
  forms: FbForm[];
  /** Imports of this page's forms, oldest first: progress survives a reload. */
  imports?: ImportProgress[];
}

export interface FbPages {
  items: FbPage[];
  oauth_configured: boolean;
}

export interface ImportProgress {
  id: string;
  page_id: string;
  form_id: string;
  status: 'running' | 'completed' | 'failed';
  rows_done: number;
  rows_failed: number;
  rows_total: number | null;
}

export interface SimulatedLead {
  name?: string;
  phone?: string;
  email?: string;
}
