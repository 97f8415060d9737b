// Shapes of the JSON the server speaks (snake_case, as on the wire).

export type Role = 'owner' | 'lead' | 'member';
export type AccountType = 'user' | 'admin';
export type Permission = 'see_all' | 'manage_team' | 'manage_channels' | 'manage_flows' | 'import' | 'export';

export const PERMISSIONS: readonly Permission[] = [
  'see_all',
  'manage_team',
  'manage_channels',
  'manage_flows',
  'import',
  'export',
];
export const ROLES: readonly Role[] = ['owner', 'lead', 'member'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface User {
  id: string;
  name: string;
  email: string;
  account_type: AccountType;
}

export interface Business {
  id: string;
  name: string;
}

export interface CurrentMember {
  id: string;
  role: Role;
  team_id: string | null;
  permissions: Permission[];
  available: boolean;
}

export interface Membership {
  business_id: string;
  business_name: string;
  role: Role;
}

/** A platform admin's read-only view of a business, opened after its owner granted support access. */
export interface SupportSession {
  business_id: string;
  business_name: string;
  expires_at: string;
}

export interface Session {
  user: User;
  business: Business | null;
  member: CurrentMember | null;
  permissions: Permission[];
  memberships: Membership[];
  /** Set while a platform admin views a business read-only (absent on older servers). */
  support?: SupportSession | null;
}

export interface Member {
  id: string;
  user_id: string;
  name: string;
  email: string;
  role: Role;
  team_id: string | null;
  permissions: Permission[];
  available: boolean;
  created_at: string;
}

export interface Team {
  id: string;
  name: string;
  lead_id: string | null;
  member_count: number;
}

export interface ApiToken {
  id: string;
  name: string;
  created_at: string;
  /** null = never used; absent when the server does not track it. */
  last_used_at?: string | null;
}

export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  created_at: string;
}
