//! Tenancy tables and their typed access. Reads that answer a client go through
//! `Directory`, which only hands out what the actor's `Scope` may see.
use redb::TableDefinition;

use super::{
    model::{AvailabilityChange, Business, Member, Role, Team},
    scope::Scope,
};
use crate::{
    auth::users::verify_id,
    error::{ApiError, ApiResult},
    store::{
        self, codec,
        ids::{BusinessId, MemberId, TeamId, UserId},
        Key, ReadTxn, Reader, StoreError, TableSpec, Tbl, WriteCtx,
    },
};

pub(crate) const BUSINESSES: Tbl = TableDefinition::new("businesses");
/// (business, member) → Member
pub(crate) const MEMBERS: Tbl = TableDefinition::new("members");
/// (user, business) → member id
pub(crate) const MEMBERS_BY_USER: Tbl = TableDefinition::new("members_by_user");
/// (business, team) → Team
pub(crate) const TEAMS: Tbl = TableDefinition::new("teams");
/// (business, member, time, change id) → AvailabilityChange
pub(crate) const AVAILABILITY_LOG: Tbl = TableDefinition::new("availability_log");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: BUSINESSES,
        verify: codec::verify::<Business>,
    },
    TableSpec {
        def: MEMBERS,
        verify: codec::verify::<Member>,
    },
    TableSpec {
        def: MEMBERS_BY_USER,
        verify: verify_id,
    },
    TableSpec {
        def: TEAMS,
        verify: codec::verify::<Team>,
    },
    TableSpec {
        def: AVAILABILITY_LOG,
        verify: codec::verify::<AvailabilityChange>,
    },
];

fn member_key(b: BusinessId, m: MemberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(m.bytes()).done()
}

fn team_key(b: BusinessId, t: TeamId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(t.bytes()).done()
}

pub fn business<R: Reader + ?Sized>(r: &R, id: BusinessId) -> Result<Option<Business>, StoreError> {
    store::get(r, BUSINESSES, &id.bytes())
}

pub fn businesses<R: Reader + ?Sized>(r: &R) -> Result<Vec<Business>, StoreError> {
    store::records::<Business, _>(r, BUSINESSES, &[], usize::MAX)
}

pub fn save_business(ctx: &mut WriteCtx, b: &Business) -> Result<(), StoreError> {
    ctx.put(BUSINESSES, &b.id.bytes(), b)
}

pub fn member<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: MemberId,
) -> Result<Option<Member>, StoreError> {
    store::get(r, MEMBERS, &member_key(b, m))
}

pub fn members<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<Member>, StoreError> {
    store::records::<Member, _>(r, MEMBERS, &b.bytes(), usize::MAX)
}

/// The membership of `user` in `business`, if any.
pub fn membership<R: Reader + ?Sized>(
    r: &R,
    user: UserId,
    b: BusinessId,
) -> Result<Option<Member>, StoreError> {
    let key = Key::new().id(user.bytes()).id(b.bytes()).done();
    match r
        .get_raw(MEMBERS_BY_USER, &key)?
        .and_then(|v| MemberId::from_bytes(&v))
    {
        Some(m) => member(r, b, m),
        None => Ok(None),
    }
}

/// Every membership of `user`, oldest business first.
pub fn memberships<R: Reader + ?Sized>(r: &R, user: UserId) -> Result<Vec<Member>, StoreError> {
    let mut out = Vec::new();
    for key in store::scan_keys(r, MEMBERS_BY_USER, &user.bytes(), None, usize::MAX)? {
        if let Some(b) = BusinessId::from_bytes(&key[16..]) {
            out.extend(membership(r, user, b)?);
        }
    }
    Ok(out)
}

pub fn save_member(ctx: &mut WriteCtx, m: &Member) -> Result<(), StoreError> {
    ctx.put(MEMBERS, &member_key(m.business_id, m.id), m)?;
    let idx = Key::new()
        .id(m.user_id.bytes())
        .id(m.business_id.bytes())
        .done();
    ctx.put_raw(MEMBERS_BY_USER, &idx, &m.id.bytes())
}

pub fn delete_member(ctx: &mut WriteCtx, m: &Member) -> Result<(), StoreError> {
    ctx.delete(MEMBERS, &member_key(m.business_id, m.id))?;
    let idx = Key::new()
        .id(m.user_id.bytes())
        .id(m.business_id.bytes())
        .done();
    ctx.delete(MEMBERS_BY_USER, &idx)?;
    Ok(())
}

pub fn team<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    t: TeamId,
) -> Result<Option<Team>, StoreError> {
    store::get(r, TEAMS, &team_key(b, t))
}

pub fn teams<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<Team>, StoreError> {
    store::records::<Team, _>(r, TEAMS, &b.bytes(), usize::MAX)
}

/// The scope `m` acts with, as a request of theirs would build it; also for
/// work done later on their behalf (an import's rows).
pub fn scope_for<R: Reader + ?Sized>(r: &R, m: &Member) -> Result<Scope, StoreError> {
    let teams = teams(r, m.business_id)?;
    // Only a lead's scope depends on the other members.
    let members = if m.role == Role::Lead {
        members(r, m.business_id)?
    } else {
        Vec::new()
    };
    Ok(Scope::new(m, &teams, &members))
}

/// Teams decide what leads see: open sockets rebuild their scopes on this event.
fn team_changed(ctx: &mut WriteCtx, t: &Team) {
    ctx.emit(crate::events::Event::new(
        Some(t.business_id),
        "team.updated",
        serde_json::json!({"team_id": t.id}),
    ));
}

pub fn save_team(ctx: &mut WriteCtx, t: &Team) -> Result<(), StoreError> {
    ctx.put(TEAMS, &team_key(t.business_id, t.id), t)?;
    team_changed(ctx, t);
    Ok(())
}

pub fn delete_team(ctx: &mut WriteCtx, t: &Team) -> Result<(), StoreError> {
    ctx.delete(TEAMS, &team_key(t.business_id, t.id))?;
    team_changed(ctx, t);
    Ok(())
}

pub fn log_availability(
    ctx: &mut WriteCtx,
    b: BusinessId,
    change: &AvailabilityChange,
) -> Result<(), StoreError> {
    let key = Key::new()
        .id(b.bytes())
        .id(change.member_id.bytes())
        .i64(change.at)
        .id(store::ids::RecordId::new().bytes())
        .done();
    ctx.put(AVAILABILITY_LOG, &key, change)
}

/// Availability changes of a business, oldest first.
pub fn availability_log<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    limit: usize,
) -> Result<Vec<AvailabilityChange>, StoreError> {
    store::records::<AvailabilityChange, _>(r, AVAILABILITY_LOG, &b.bytes(), limit)
}

/// The members and teams an actor may see: the only way handlers read them.
pub struct Directory<'a, R: Reader + ?Sized> {
    r: &'a R,
    scope: &'a Scope,
}

impl<'a, R: Reader + ?Sized> Directory<'a, R> {
    pub fn new(r: &'a R, scope: &'a Scope) -> Self {
        Directory { r, scope }
    }

    pub fn members(&self) -> ApiResult<Vec<Member>> {
        Ok(members(self.r, self.scope.business_id)?
            .into_iter()
            .filter(|m| self.scope.sees_member(m))
            .collect())
    }

    pub fn member(&self, id: MemberId) -> ApiResult<Member> {
        member(self.r, self.scope.business_id, id)?
            .filter(|m| self.scope.sees_member(m))
            .ok_or_else(|| ApiError::not_found("member"))
    }

    pub fn teams(&self) -> ApiResult<Vec<Team>> {
        Ok(teams(self.r, self.scope.business_id)?
            .into_iter()
            .filter(|t| self.scope.sees_team(t))
            .collect())
    }

    pub fn team(&self, id: TeamId) -> ApiResult<Team> {
        team(self.r, self.scope.business_id, id)?
            .filter(|t| self.scope.sees_team(t))
            .ok_or_else(|| ApiError::not_found("team"))
    }
}

/// Index check: members_by_user agrees with members, both ways.
pub fn check_indexes(r: &ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    for b in businesses(r)? {
        for m in members(r, b.id)? {
            if membership(r, m.user_id, b.id)?.as_ref().map(|x| x.id) != Some(m.id) {
                problems.push(format!(
                    "members_by_user: missing entry for member {}",
                    m.id
                ));
            }
        }
    }
    for key in store::scan_keys(r, MEMBERS_BY_USER, &[], None, usize::MAX)? {
        let ok = match (
            UserId::from_bytes(&key),
            key.get(16..).and_then(BusinessId::from_bytes),
        ) {
            (Some(u), Some(b)) => membership(r, u, b)?.is_some_and(|m| m.user_id == u),
            _ => false,
        };
        if !ok {
            problems.push(format!(
                "members_by_user: entry {} points at no member",
                hex::encode(&key)
            ));
        }
    }
    Ok(())
}
