//! Team management: members, teams and availability.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    member_audit,
    model::{AvailabilityChange, Member, Permission, Role, Team},
    repo::{self, Directory},
    service::{self, NewMember},
};
use crate::{
    audit::{Origin, Who},
    auth::{password, tokens, users, MemberActor},
    error::{ApiError, ApiResult, Validator},
    events::Event,
    http::{AppState, Routes},
    store::{
        ids::{MemberId, TeamId},
        Reader,
    },
    time::{now_ms, serde_ms},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/members", list_members)
        .post("/api/members", create_member)
        .answers(&[201])
        .patch("/api/members/{id}", update_member)
        .delete("/api/members/{id}", remove_member)
        .answers(&[204])
        .put("/api/members/{id}/availability", set_availability)
        .get("/api/teams", list_teams)
        .post("/api/teams", create_team)
        .answers(&[201])
        .patch("/api/teams/{id}", update_team)
        .delete("/api/teams/{id}", delete_team)
        .answers(&[204]);
}

#[derive(Serialize)]
pub struct MemberView {
    id: MemberId,
    user_id: String,
    name: String,
    email: String,
    role: Role,
    team_id: Option<TeamId>,
    permissions: Vec<Permission>,
    available: bool,
    #[serde(with = "serde_ms")]
    created_at: i64,
}

fn view<R: Reader + ?Sized>(r: &R, m: &Member) -> ApiResult<MemberView> {
    let user = users::get(r, m.user_id)?;
    Ok(MemberView {
        id: m.id,
        user_id: m.user_id.to_string(),
        name: user.as_ref().map(|u| u.name.clone()).unwrap_or_default(),
        email: user.map(|u| u.email).unwrap_or_default(),
        role: m.role,
        team_id: m.team_id,
        permissions: m.permissions.clone(),
        available: m.available,
        created_at: m.created_at,
    })
}

fn member_event(m: &Member, kind: &'static str) -> Event {
    Event::new(Some(m.business_id), kind, json!({"member_id": m.id}))
}

async fn list_members(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let items = Directory::new(&read, &actor.scope)
        .members()?
        .iter()
        .map(|m| view(&read, m))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateMemberBody {
    name: String,
    email: String,
    password: Option<String>,
    role: Role,
    team_id: Option<TeamId>,
    #[serde(default)]
    permissions: Vec<Permission>,
}

async fn create_member(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    body: web::Json<CreateMemberBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let scope = &actor.scope;
    let mut team_id = body.team_id;
    if !scope.manages_teams() {
        if scope.role != Role::Lead {
            return Err(ApiError::forbidden("You cannot add members"));
        }
        // A lead adds plain members to a team they lead, without extra powers.
        if body.role != Role::Member || !body.permissions.is_empty() {
            return Err(ApiError::forbidden(
                "Team leads can only add members without extra permissions",
            ));
        }
        team_id = match team_id.or_else(|| scope.own_teams().first().copied()) {
            Some(t) if scope.own_teams().contains(&t) => Some(t),
            _ => {
                return Err(ApiError::forbidden(
                    "Team leads can only add members to their own team",
                ))
            }
        };
    }
    if body.role == Role::Owner && !scope.is_owner() {
        return Err(ApiError::forbidden("Only owners can add owners"));
    }
    if !scope.may_grant(&body.permissions) {
        return Err(ApiError::forbidden(
            "You can only give permissions you hold yourself",
        ));
    }
    let mut v = Validator::default();
    crate::auth::routes::validate_person(&mut v, &body.name, &body.email, body.password.as_deref());
    v.finish()?;
    let password_hash = match body.password {
        Some(pw) => Some(password::hash_async(pw).await?),
        None => None,
    };
    let new = NewMember {
        email: body.email,
        name: body.name,
        password_hash,
        role: body.role,
        team_id,
        permissions: body.permissions,
    };
    let business = actor.business.id;
    let who = Who::user(&actor.user);
    let member = state
        .store
        .write(move |ctx| {
            // Someone who already has an account joins by accepting an
            // invitation; adding them here would take them in unasked (and
            // show their name), so only new people are added directly.
            if let Some(u) = users::by_email(ctx, &new.email)? {
                if repo::membership(ctx, u.id, business)?.is_none() {
                    return Err(ApiError::new(
                        crate::error::Code::EmailTaken,
                        "This address already has an account; send it an invitation instead",
                    ));
                }
            }
            let (member, user) = service::add_member(ctx, business, &new)?;
            member_audit::added(ctx, &origin, &who, &member, &user.email)?;
            ctx.emit(member_event(&member, "member.created"));
            Ok(member)
        })
        .await?;
    Ok(HttpResponse::Created().json(view(&state.store.read()?, &member)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateMemberBody {
    name: Option<String>,
    role: Option<Role>,
    #[serde(default, deserialize_with = "crate::http::parse::double_option")]
    team_id: Option<Option<TeamId>>,
    permissions: Option<Vec<Permission>>,
}

async fn update_member(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<MemberId>,
    body: web::Json<UpdateMemberBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let id = id.into_inner();
    if let Some(why) = body.name.as_deref().and_then(users::name_problem) {
        return Err(ApiError::field("name", why));
    }
    let scope = actor.scope.clone();
    let who = Who::user(&actor.user);
    let who_id = actor.user.id;
    let member = state
        .store
        .write(move |ctx| {
            let mut m = Directory::new(ctx, &scope).member(id)?;
            let structural =
                body.role.is_some() || body.team_id.is_some() || body.permissions.is_some();
            // Everyone may set their own name; the rest is their managers'.
            let own_name = m.id == scope.member_id && !structural;
            if !scope.manages_member(&m) && !own_name {
                return Err(ApiError::forbidden("You cannot edit this member"));
            }
            let before = m.clone();
            if structural && !scope.manages_teams() {
                return Err(ApiError::forbidden(
                    "Only owners and team managers change roles, teams and permissions",
                ));
            }
            if body.role == Some(Role::Owner) && !scope.is_owner() {
                return Err(ApiError::forbidden("Only owners can make owners"));
            }
            if let Some(role) = body.role {
                if role != Role::Owner {
                    service::ensure_other_owner(ctx, &m)?;
                }
                m.role = role;
            }
            if let Some(team) = body.team_id {
                if let Some(t) = team {
                    repo::team(ctx, m.business_id, t)?
                        .ok_or_else(|| ApiError::field("team_id", "no such team"))?;
                }
                m.team_id = team;
            }
            if let Some(mut perms) = body.permissions.clone() {
                // What they had stays grantable; only what is new must be the granter's.
                let added: Vec<_> = perms
                    .iter()
                    .copied()
                    .filter(|p| !m.permissions.contains(p))
                    .collect();
                if !scope.may_grant(&added) {
                    return Err(ApiError::forbidden(
                        "You can only give permissions you hold yourself",
                    ));
                }
                perms.sort();
                perms.dedup();
                m.permissions = perms;
            }
            if let Some(name) = &body.name {
                if let Some(mut user) = users::get(ctx, m.user_id)? {
                    // The name is the person's, shown in every business they
                    // work for: one business renames only its own people.
                    let elsewhere = repo::memberships(ctx, user.id)?.len() > 1;
                    if user.name != name.trim() && elsewhere && user.id != who_id {
                        return Err(ApiError::new(
                            crate::error::Code::Conflict,
                            "This person also works for another business; only they can change their name",
                        ));
                    }
                    user.name = name.trim().to_string();
                    users::save(ctx, &user)?;
                }
            }
            repo::save_member(ctx, &m)?;
            member_audit::changed(ctx, &origin, &who, &before, &m)?;
            ctx.emit(member_event(&m, "member.updated"));
            Ok(m)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&state.store.read()?, &member)?))
}

async fn remove_member(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<MemberId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let scope = actor.scope.clone();
    let who = Who::user(&actor.user);
    state
        .store
        .write(move |ctx| {
            let m = Directory::new(ctx, &scope).member(id)?;
            if !scope.manages_member(&m) {
                return Err(ApiError::forbidden("You cannot remove this member"));
            }
            if m.id == scope.member_id {
                return Err(ApiError::new(
                    crate::error::Code::Conflict,
                    "You cannot remove yourself",
                ));
            }
            service::ensure_other_owner(ctx, &m)?;
            repo::delete_member(ctx, &m)?;
            crate::assignment::member_left(ctx, m.business_id, m.id)?;
            // Their API tokens for this business die with the membership.
            for t in tokens::list_for(ctx, m.user_id, m.business_id)? {
                tokens::delete(ctx, &t)?;
            }
            member_audit::removed(ctx, &origin, &who, &m)?;
            ctx.emit(member_event(&m, "member.removed"));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AvailabilityBody {
    available: bool,
}

async fn set_availability(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<MemberId>,
    body: web::Json<AvailabilityBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let available = body.available;
    let scope = actor.scope.clone();
    let member = state
        .store
        .write(move |ctx| {
            let mut m = Directory::new(ctx, &scope).member(id)?;
            if m.id != scope.member_id && !scope.manages_member(&m) {
                return Err(ApiError::forbidden(
                    "You cannot change this member's availability",
                ));
            }
            if m.available != available {
                m.available = available;
                repo::save_member(ctx, &m)?;
                let change = AvailabilityChange {
                    member_id: m.id,
                    available,
                    changed_by: scope.member_id,
                    at: now_ms(),
                };
                repo::log_availability(ctx, m.business_id, &change)?;
                ctx.emit(member_event(&m, "member.availability"));
                if available {
                    // Someone is back: the leads waiting for them go out now.
                    crate::assignment::backlog::drain_all(ctx, m.business_id)?;
                }
            }
            Ok(m)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(&state.store.read()?, &member)?))
}

#[derive(Serialize)]
struct TeamView {
    id: TeamId,
    name: String,
    lead_id: Option<MemberId>,
    member_count: usize,
    #[serde(with = "serde_ms")]
    created_at: i64,
}

fn team_view(t: &Team, members: &[Member]) -> TeamView {
    TeamView {
        id: t.id,
        name: t.name.clone(),
        lead_id: t.lead_id,
        member_count: members.iter().filter(|m| m.team_id == Some(t.id)).count(),
        created_at: t.created_at,
    }
}

async fn list_teams(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let members = repo::members(&read, actor.business.id)?;
    let items: Vec<TeamView> = Directory::new(&read, &actor.scope)
        .teams()?
        .iter()
        .map(|t| team_view(t, &members))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::parse::double_option")]
    lead_id: Option<Option<MemberId>>,
}

fn validate_team<R: Reader + ?Sized>(
    r: &R,
    business: crate::store::ids::BusinessId,
    body: &TeamBody,
    this: Option<TeamId>,
) -> ApiResult<()> {
    if let Some(name) = &body.name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(ApiError::field("name", "must be 1 to 80 characters"));
        }
        let taken = repo::teams(r, business)?
            .iter()
            .any(|t| Some(t.id) != this && t.name.eq_ignore_ascii_case(name));
        if taken {
            return Err(ApiError::field("name", "another team has this name"));
        }
    }
    if let Some(Some(lead)) = body.lead_id {
        let m = repo::member(r, business, lead)?
            .ok_or_else(|| ApiError::field("lead_id", "no such member"))?;
        if m.role == Role::Member {
            return Err(ApiError::field(
                "lead_id",
                "must be a team lead or an owner",
            ));
        }
    }
    Ok(())
}

async fn create_team(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<TeamBody>,
) -> ApiResult<HttpResponse> {
    if !actor.scope.manages_teams() {
        return Err(ApiError::forbidden("You cannot create teams"));
    }
    let body = body.into_inner();
    if body.name.is_none() {
        return Err(ApiError::field("name", "is required"));
    }
    let business = actor.business.id;
    let team = state
        .store
        .write(move |ctx| {
            validate_team(ctx, business, &body, None)?;
            let team = Team {
                id: TeamId::new(),
                business_id: business,
                name: body.name.as_deref().unwrap_or_default().trim().to_string(),
                lead_id: body.lead_id.flatten(),
                created_at: now_ms(),
            };
            repo::save_team(ctx, &team)?;
            Ok(team)
        })
        .await?;
    Ok(HttpResponse::Created().json(team_view(&team, &[])))
}

async fn update_team(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<TeamId>,
    body: web::Json<TeamBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    let scope = actor.scope.clone();
    let team = state
        .store
        .write(move |ctx| {
            let mut team = Directory::new(ctx, &scope).team(id)?;
            if !scope.manages_teams() {
                return Err(ApiError::forbidden("You cannot edit teams"));
            }
            validate_team(ctx, scope.business_id, &body, Some(team.id))?;
            if let Some(name) = &body.name {
                team.name = name.trim().to_string();
            }
            if let Some(lead) = body.lead_id {
                team.lead_id = lead;
            }
            repo::save_team(ctx, &team)?;
            Ok(team)
        })
        .await?;
    let members = repo::members(&state.store.read()?, actor.business.id)?;
    Ok(HttpResponse::Ok().json(team_view(&team, &members)))
}

async fn delete_team(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<TeamId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let scope = actor.scope.clone();
    state
        .store
        .write(move |ctx| {
            let team = Directory::new(ctx, &scope).team(id)?;
            if !scope.manages_teams() {
                return Err(ApiError::forbidden("You cannot delete teams"));
            }
            for mut m in repo::members(ctx, scope.business_id)? {
                if m.team_id == Some(team.id) {
                    m.team_id = None;
                    repo::save_member(ctx, &m)?;
                }
            }
            repo::delete_team(ctx, &team)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
