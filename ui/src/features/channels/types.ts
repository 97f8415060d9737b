// Wire shapes of the channel and pool API (snake_case, as the server sends them).

export type { WaNumber } from '../inbox/types';

export type PoolMode = 'round_robin' | 'weighted';
export type WhenNobody = 'queue' | 'assign_anyway' | 'escalate';

export const POOL_MODES: readonly PoolMode[] = ['round_robin', 'weighted'];
export const WHEN_NOBODY: readonly WhenNobody[] = ['queue', 'assign_anyway', 'escalate'];

export interface AssignedCounts {
  today: number;
  last_7_days: number;
  all_time: number;
}

export interface PoolMember {
  member_id: string;
  weight: number;
  /** null: this member's figures are outside what the viewer may see. */
  assigned: AssignedCounts | null;
}

export interface Pool {
  mode: PoolMode;
  when_nobody: WhenNobody;
  /** A returning contact keeps the assignee they had (default on). */
  sticky?: boolean;
  /** A reopened conversation whose assignee is unavailable goes back through the pool (default off). */
  reopen_reassign?: boolean;
  members: PoolMember[];
  updated_at: string | null;
}

export interface PoolInput {
  mode: PoolMode;
  members: { member_id: string; weight: number }[];
  when_nobody: WhenNobody;
  /** Left out only for a server that does not know the options yet (and the defaults are kept). */
  sticky?: boolean;
  reopen_reassign?: boolean;
}

/** Where a pool lives: every kind of channel shares one pool API under its own URL. */
export interface PoolRef {
  /** e.g. /api/channels/{id}/pool */
  url: string;
  /** Unique per pool; used for element ids and the cache key. */
  id: string;
}

export const numberPool = (id: string): PoolRef => ({ url: `/api/whatsapp/numbers/${id}/pool`, id: `wa-${id}` });
export const channelPool = (id: string): PoolRef => ({ url: `/api/channels/${id}/pool`, id: `ch-${id}` });
export const facebookPool = (id: string): PoolRef => ({ url: `/api/facebook/pages/${id}/pool`, id: `fb-${id}` });
export const LEADS_POOL: PoolRef = { url: '/api/leads/pool', id: 'leads' };

export type NewNumber =
  | { phone_number_id: string; display_phone_number: string; waba_id: string; access_token: string }
  | { sandbox: true; display_phone_number?: string };

export interface NumberPatch {
  access_token?: string;
  display_phone_number?: string;
}
