//! Tenancy operations shared by the HTTP routes, the CLI and the demo.
use super::{
    model::{Business, Member, Permission, Role},
    repo,
};
use crate::{
    auth::users::{self, AccountType, NewUser, User},
    error::{ApiError, ApiResult, Code},
    store::{
        ids::{BusinessId, MemberId, TeamId},
        WriteCtx,
    },
    time::now_ms,
};

pub struct NewMember {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub permissions: Vec<Permission>,
}

/// Creates a business and its first owner. An existing user with the owner's
/// email becomes the owner; otherwise a new user is created.
pub fn create_business(
    ctx: &mut WriteCtx,
    name: &str,
    owner: &NewMember,
) -> ApiResult<(Business, User, Member)> {
    let business = Business {
        id: BusinessId::new(),
        name: name.trim().to_string(),
        created_at: now_ms(),
        default_country: String::new(),
        suspended: false,
        suspended_at: None,
        limits: Default::default(),
    };
    repo::save_business(ctx, &business)?;
    let (member, user) = add_member(ctx, business.id, owner)?;
    Ok((business, user, member))
}

/// Adds a member to a business, creating the user when the email is new. The
/// password only applies to a new user: a business never sets the password of
/// an account that already exists elsewhere.
pub fn add_member(
    ctx: &mut WriteCtx,
    business_id: BusinessId,
    new: &NewMember,
) -> ApiResult<(Member, User)> {
    if let Some(team) = new.team_id {
        if repo::team(ctx, business_id, team)?.is_none() {
            return Err(ApiError::field("team_id", "no such team"));
        }
    }
    let user = match users::by_email(ctx, &new.email)? {
        Some(existing) => {
            if repo::membership(ctx, existing.id, business_id)?.is_some() {
                return Err(ApiError::new(
                    Code::EmailTaken,
                    "This person is already a member of the business",
                ));
            }
            existing
        }
        None => users::create(
            ctx,
            &NewUser {
                email: new.email.clone(),
                name: new.name.clone(),
                password_hash: new.password_hash.clone(),
                account_type: AccountType::User,
            },
        )?,
    };
    let used = super::limits::members_used(ctx, business_id)?;
    super::limits::ensure_room(ctx, business_id, super::limits::Limited::Members, used)?;
    let mut permissions = new.permissions.clone();
    permissions.sort();
    permissions.dedup();
    let member = Member {
        id: MemberId::new(),
        business_id,
        user_id: user.id,
        role: new.role,
        team_id: new.team_id,
        permissions,
        available: true,
        created_at: now_ms(),
    };
    repo::save_member(ctx, &member)?;
    Ok((member, user))
}

/// A business always keeps at least one owner.
pub fn ensure_other_owner(ctx: &mut WriteCtx, leaving: &Member) -> ApiResult<()> {
    if leaving.role != Role::Owner {
        return Ok(());
    }
    let others = repo::members(ctx, leaving.business_id)?
        .into_iter()
        .filter(|m| m.role == Role::Owner && m.id != leaving.id)
        .count();
    if others == 0 {
        return Err(ApiError::new(
            Code::Conflict,
            "A business needs at least one owner",
        ));
    }
    Ok(())
}
