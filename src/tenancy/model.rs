//! Businesses, members, teams, roles and permissions.
use serde::{Deserialize, Serialize};

use crate::store::{
    ids::{BusinessId, MemberId, TeamId, UserId},
    Record,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Lead,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Lead => "lead",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "lead" => Some(Role::Lead),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    SeeAll,
    ManageTeam,
    ManageChannels,
    ManageFlows,
    Import,
    Export,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::SeeAll,
        Permission::ManageTeam,
        Permission::ManageChannels,
        Permission::ManageFlows,
        Permission::Import,
        Permission::Export,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Business {
    pub id: BusinessId,
    pub name: String,
    pub created_at: i64,
    pub default_country: String,
    pub suspended: bool,
}
impl Record for Business {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: MemberId,
    pub business_id: BusinessId,
    pub user_id: UserId,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub permissions: Vec<Permission>,
    pub available: bool,
    pub created_at: i64,
}
impl Record for Member {}

impl Member {
    /// Owners hold every permission implicitly.
    pub fn effective_permissions(&self) -> Vec<Permission> {
        if self.role == Role::Owner {
            Permission::ALL.to_vec()
        } else {
            let mut p = self.permissions.clone();
            p.sort();
            p.dedup();
            p
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub business_id: BusinessId,
    pub name: String,
    pub lead_id: Option<MemberId>,
    pub created_at: i64,
}
impl Record for Team {}

/// Who changed a member's availability and when; assignment reports read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailabilityChange {
    pub member_id: MemberId,
    pub available: bool,
    pub changed_by: MemberId,
    pub at: i64,
}
impl Record for AvailabilityChange {}
