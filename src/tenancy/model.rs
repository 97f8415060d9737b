//! Businesses, members, teams, roles and permissions.
use serde::{Deserialize, Serialize};

use crate::store::{
    codec::{self, CodecError},
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
    /// A suspended business cannot sign in or send; its webhooks are still
    /// stored and its outbox is held until it resumes.
    pub suspended: bool,
    pub suspended_at: Option<i64>,
    /// Set by a platform admin; None everywhere means unlimited.
    pub limits: Limits,
}

/// Caps a platform admin sets per business (None = unlimited).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_members: Option<u32>,
    pub max_numbers: Option<u32>,
    pub max_flows: Option<u32>,
}

impl Record for Business {
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, CodecError> {
        match version {
            1 => {
                let old: BusinessV1 = codec::decode_body(body)?;
                Ok(Business {
                    id: old.id,
                    name: old.name,
                    created_at: old.created_at,
                    default_country: old.default_country,
                    suspended: old.suspended,
                    // The old record never said when; its creation is the earliest truth.
                    suspended_at: old.suspended.then_some(old.created_at),
                    limits: Limits::default(),
                })
            }
            v => Err(CodecError::NoUpgrade(v)),
        }
    }
}

/// A business as stored before limits and `suspended_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BusinessV1 {
    pub id: BusinessId,
    pub name: String,
    pub created_at: i64,
    pub default_country: String,
    pub suspended: bool,
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_business_stored_before_limits_reads_as_unlimited() {
        let old = BusinessV1 {
            id: BusinessId::new(),
            name: "Acme".into(),
            created_at: 1_700_000_000_000,
            default_country: "BR".into(),
            suspended: true,
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let b: Business = codec::decode(&bytes).unwrap();
        assert_eq!(b.limits, Limits::default());
        assert_eq!(b.suspended_at, Some(old.created_at));
        assert_eq!((b.id, b.name.as_str(), b.suspended), (old.id, "Acme", true));
        assert_eq!(codec::decode::<Business>(&codec::encode(&b)).unwrap(), b);
    }
}
