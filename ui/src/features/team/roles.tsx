import { Badge, type Tone } from '../../components/Badge';
import { t, type MessageKey } from '../../lib/i18n';
import type { Permission, Role } from '../../lib/types';

const tone: Record<Role, Tone> = { owner: 'brand', lead: 'blue', member: 'neutral' };
const roleKey: Record<Role, MessageKey> = { owner: 'role.owner', lead: 'role.lead', member: 'role.member' };
const permKey: Record<Permission, [MessageKey, MessageKey]> = {
  see_all: ['perm.see_all', 'perm.see_all.hint'],
  manage_team: ['perm.manage_team', 'perm.manage_team.hint'],
  manage_channels: ['perm.manage_channels', 'perm.manage_channels.hint'],
  manage_flows: ['perm.manage_flows', 'perm.manage_flows.hint'],
  import: ['perm.import', 'perm.import.hint'],
  export: ['perm.export', 'perm.export.hint'],
};

export const roleLabel = (role: Role) => t(roleKey[role]);
export const permLabel = (p: Permission) => t(permKey[p][0]);
export const permHint = (p: Permission) => t(permKey[p][1]);

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={tone[role]}>{roleLabel(role)}</Badge>;
}
