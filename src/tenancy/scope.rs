//! The only place visibility is decided. A `Scope` is built from the acting
//! member; every read of members, teams (and later conversations, follow-ups,
//! search) goes through it.
use super::model::{Member, Permission, Role, Team};
use crate::store::ids::{BusinessId, MemberId, TeamId};

#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    /// Owners and holders of `see_all`.
    All,
    /// A lead: self and the members of the teams they belong to or lead.
    Teams(Vec<TeamId>),
    /// A member: self (and, in the directory, their own team).
    Own,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub business_id: BusinessId,
    pub member_id: MemberId,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub permissions: Vec<Permission>,
    pub visibility: Visibility,
    /// For a lead: the members whose conversations they see (self and their teams).
    team_members: Vec<MemberId>,
}

impl Scope {
    /// `teams` and `members` are the business's, used to find whom a lead oversees.
    pub fn new(member: &Member, teams: &[Team], members: &[Member]) -> Scope {
        let permissions = member.effective_permissions();
        let visibility = if member.role == Role::Owner || permissions.contains(&Permission::SeeAll)
        {
            Visibility::All
        } else if member.role == Role::Lead {
            let mut led: Vec<TeamId> = teams
                .iter()
                .filter(|t| t.lead_id == Some(member.id))
                .map(|t| t.id)
                .collect();
            led.extend(member.team_id);
            led.sort();
            led.dedup();
            Visibility::Teams(led)
        } else {
            Visibility::Own
        };
        let team_members = match &visibility {
            Visibility::Teams(teams) => members
                .iter()
                .filter(|m| m.id == member.id || m.team_id.is_some_and(|t| teams.contains(&t)))
                .map(|m| m.id)
                .collect(),
            _ => vec![member.id],
        };
        Scope {
            business_id: member.business_id,
            member_id: member.id,
            role: member.role,
            team_id: member.team_id,
            permissions,
            visibility,
            team_members,
        }
    }

    /// Whether a conversation with this assignee (None: unassigned) is visible.
    /// Unassigned conversations are for owners and leads to hand out.
    pub fn sees_conversation(&self, assignee: Option<MemberId>) -> bool {
        match (&self.visibility, assignee) {
            (Visibility::All, _) => true,
            (Visibility::Teams(_), None) => true,
            (Visibility::Teams(_), Some(m)) => self.team_members.contains(&m),
            (Visibility::Own, Some(m)) => m == self.member_id,
            (Visibility::Own, None) => false,
        }
    }

    /// The assignees whose conversations this actor sees, when not everyone's.
    pub fn visible_assignees(&self) -> Option<&[MemberId]> {
        match self.visibility {
            Visibility::All => None,
            _ => Some(&self.team_members),
        }
    }

    /// Whether this actor may (re)assign a conversation to `assignee`: handing
    /// out work is for owners, leads and `see_all` holders, within what they see.
    pub fn may_assign(&self, assignee: Option<MemberId>) -> bool {
        (self.role != Role::Member || self.has(Permission::SeeAll))
            && self.sees_conversation(assignee)
    }

    /// Whether this actor may give a new lead to `m`: anyone may take it
    /// themselves; giving it to someone else is assigning.
    pub fn may_give_lead_to(&self, m: MemberId) -> bool {
        m == self.member_id || self.may_assign(Some(m))
    }

    /// Owners and `see_all` holders: every conversation, import and view.
    pub fn sees_all(&self) -> bool {
        self.visibility == Visibility::All
    }

    pub fn sees_unassigned(&self) -> bool {
        self.sees_conversation(None)
    }

    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    /// Teams this actor leads or belongs to (empty for owners: they see all anyway).
    pub fn own_teams(&self) -> &[TeamId] {
        match &self.visibility {
            Visibility::Teams(t) => t,
            _ => self.team_id.as_slice(),
        }
    }

    /// Owners, `see_all` and `manage_team` holders see the whole directory.
    pub fn manages_directory(&self) -> bool {
        self.sees_all() || self.has(Permission::ManageTeam)
    }

    /// Whether `m` appears in this actor's member directory.
    pub fn sees_member(&self, m: &Member) -> bool {
        if m.business_id != self.business_id {
            return false;
        }
        if self.manages_directory() || m.id == self.member_id {
            return true;
        }
        m.team_id.is_some_and(|t| self.own_teams().contains(&t))
    }

    pub fn sees_team(&self, t: &Team) -> bool {
        t.business_id == self.business_id
            && (self.manages_directory() || self.own_teams().contains(&t.id))
    }

    /// Whether this actor may edit or remove `m`: owners and `manage_team`
    /// holders anyone but an owner (only owners touch owners); a lead the plain
    /// members of their own teams.
    pub fn manages_member(&self, m: &Member) -> bool {
        if !self.sees_member(m) {
            return false;
        }
        if self.is_owner() {
            return true;
        }
        // Nobody but an owner changes their own role, team or powers.
        if m.id == self.member_id {
            return false;
        }
        if self.has(Permission::ManageTeam) {
            return m.role != Role::Owner;
        }
        self.role == Role::Lead
            && m.role == Role::Member
            && m.team_id.is_some_and(|t| self.own_teams().contains(&t))
    }

    /// Whether this actor may give these permissions: owners any; others
    /// only those they hold, so no grant reaches past the granter's own.
    pub fn may_grant(&self, permissions: &[Permission]) -> bool {
        self.is_owner() || permissions.iter().all(|p| self.has(*p))
    }

    pub fn manages_teams(&self) -> bool {
        self.is_owner() || self.has(Permission::ManageTeam)
    }

    /// Whether conversations assigned to `assignee` are visible to this actor.
    pub fn sees_assignee(&self, assignee: &Member) -> bool {
        match &self.visibility {
            Visibility::All => assignee.business_id == self.business_id,
            Visibility::Teams(teams) => {
                assignee.id == self.member_id
                    || assignee.team_id.is_some_and(|t| teams.contains(&t))
            }
            Visibility::Own => assignee.id == self.member_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ids::UserId;

    fn member(b: BusinessId, role: Role, team: Option<TeamId>) -> Member {
        Member {
            id: MemberId::new(),
            business_id: b,
            user_id: UserId::new(),
            role,
            team_id: team,
            permissions: vec![],
            available: true,
            created_at: 0,
        }
    }

    #[test]
    fn leads_see_and_manage_their_team_only() {
        let b = BusinessId::new();
        let (ta, tb) = (TeamId::new(), TeamId::new());
        let lead = member(b, Role::Lead, None);
        let teams = vec![Team {
            id: ta,
            business_id: b,
            name: "A".into(),
            lead_id: Some(lead.id),
            created_at: 0,
        }];
        let mine = member(b, Role::Member, Some(ta));
        let other = member(b, Role::Member, Some(tb));
        let scope = Scope::new(&lead, &teams, &[lead.clone(), mine.clone(), other.clone()]);
        assert!(scope.sees_member(&mine) && scope.manages_member(&mine));
        assert!(!scope.sees_member(&other) && !scope.manages_member(&other));
        assert!(scope.sees_assignee(&mine) && !scope.sees_assignee(&other));
        assert!(scope.sees_conversation(Some(mine.id)) && scope.sees_conversation(Some(lead.id)));
        assert!(!scope.sees_conversation(Some(other.id)) && scope.sees_unassigned());
    }

    #[test]
    fn members_see_teammates_but_manage_nobody() {
        let b = BusinessId::new();
        let t = TeamId::new();
        let me = member(b, Role::Member, Some(t));
        let mate = member(b, Role::Member, Some(t));
        let scope = Scope::new(&me, &[], &[]);
        assert!(scope.sees_member(&mate));
        assert!(!scope.manages_member(&mate) && !scope.manages_member(&me));
        assert!(!scope.sees_assignee(&mate));
        assert!(scope.sees_conversation(Some(me.id)) && !scope.sees_conversation(Some(mate.id)));
        assert!(!scope.sees_unassigned());
    }

    #[test]
    fn nobody_sees_another_business() {
        let owner = member(BusinessId::new(), Role::Owner, None);
        let stranger = member(BusinessId::new(), Role::Member, None);
        let scope = Scope::new(&owner, &[], &[]);
        assert!(!scope.sees_member(&stranger) && !scope.manages_member(&stranger));
        assert!(!scope.sees_assignee(&stranger));
    }

    #[test]
    fn manage_team_does_not_reach_owners() {
        let b = BusinessId::new();
        let mut manager = member(b, Role::Member, None);
        manager.permissions = vec![Permission::ManageTeam];
        let owner = member(b, Role::Owner, None);
        let scope = Scope::new(&manager, &[], &[]);
        assert!(scope.sees_member(&owner) && !scope.manages_member(&owner));
    }
}
