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
  assigned: AssignedCounts;
}

export interface Pool {
  mode: PoolMode;
  when_nobody: WhenNobody;
  members: PoolMember[];
  updated_at: string | null;
}

export interface PoolInput {
  mode: PoolMode;
  members: { member_id: string; weight: number }[];
  when_nobody: WhenNobody;
}

export type NewNumber =
  | { phone_number_id: string; display_phone_number: string; waba_id: string; access_token: string }
  | { sandbox: true; display_phone_number?: string };

export interface NumberPatch {
  access_token?: string;
  display_phone_number?: string;
}
