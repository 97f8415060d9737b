// What the signed-in member may do on the team page. Mirrors the server's rules
// (the server still decides; this only hides what would be refused):
// - owners manage everyone; `manage_team` holders manage everyone but owners;
// - a team lead adds plain members to the teams they lead and edits their names.

import { can } from '../../lib/auth';
import type { Member, Session, Team } from '../../lib/types';

export interface TeamAccess {
  /** Create, rename and delete teams; change roles, teams and permissions. */
  manageTeams: boolean;
  isOwner: boolean;
  /** Lead without manage_team: limited add/edit within own teams. */
  limited: boolean;
  canAdd: boolean;
  ledTeams: Team[];
  canManage: (m: Member) => boolean;
  canRemove: (m: Member) => boolean;
}

export function teamAccess(session: Session, teams: Team[]): TeamAccess {
  const me = session.member;
  const isOwner = me?.role === 'owner';
  const manageTeams = can(session, 'manage_team');
  const isLead = me?.role === 'lead';
  const ledTeams = me ? teams.filter((t) => t.lead_id === me.id || (isLead && t.id === me.team_id)) : [];
  const ledIds = new Set(ledTeams.map((t) => t.id));
  const limited = !manageTeams && isLead;

  const canManage = (m: Member) => {
    if (isOwner) return true;
    if (manageTeams) return m.role !== 'owner';
    return limited && m.role === 'member' && m.team_id !== null && ledIds.has(m.team_id);
  };

  return {
    manageTeams,
    isOwner,
    limited,
    canAdd: manageTeams || (limited && ledTeams.length > 0),
    ledTeams,
    canManage,
    canRemove: (m) => m.id !== me?.id && canManage(m),
  };
}
