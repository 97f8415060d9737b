//! A WhatsApp number's pool: who gets its new conversations, with what weight,
//! and how many each got (today, 7 days, all time).
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{report, set_pool, Channel, Mode, Pool, Slot, WhenNobody};
use crate::{
    auth::MemberActor,
    channels::whatsapp::numbers,
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    store::{ids::NumberId, Reader},
    tenancy::{repo as tenancy, Permission},
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/whatsapp/numbers/{id}/pool", show)
        .put("/api/whatsapp/numbers/{id}/pool", replace)
        .get("/api/leads/pool", show_default)
        .put("/api/leads/pool", replace_default);
}

/// A pool holds at most this many members.
const MAX_MEMBERS: usize = 200;

fn pool_json<R: Reader + ?Sized>(
    r: &R,
    actor: &MemberActor,
    channel: Channel,
    pool: Option<&Pool>,
) -> ApiResult<Value> {
    let counts = report(r, actor.business.id, channel)?;
    let assigned = |m| {
        counts
            .iter()
            .find(|(id, _)| *id == m)
            .map_or([0; 3], |(_, c)| *c)
    };
    Ok(match pool {
        None => {
            json!({"mode": "round_robin", "members": [], "when_nobody": "queue",
                   "sticky": true, "reopen_reassign": false, "updated_at": null})
        }
        Some(p) => json!({
            "mode": p.mode,
            "when_nobody": p.when_nobody,
            "sticky": p.sticky,
            "reopen_reassign": p.reopen_reassign,
            // Each one's figures as the dashboard shows them: to those who see their work.
            "members": p.members.iter().map(|s| {
                let [today, week, all] = assigned(s.member_id);
                let figures = actor.scope.sees_conversation(Some(s.member_id)).then(
                    || json!({"today": today, "last_7_days": week, "all_time": all}));
                json!({"member_id": s.member_id, "weight": s.weight, "assigned": figures})
            }).collect::<Vec<_>>(),
            "updated_at": rfc3339(p.updated_at),
        }),
    })
}

fn number_channel(state: &AppState, actor: &MemberActor, id: NumberId) -> ApiResult<Channel> {
    let number = numbers::get(&state.store.read()?, actor.business.id, id)?
        .ok_or_else(|| ApiError::not_found("number"))?;
    Ok(Channel::WhatsApp(number.id))
}

async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<NumberId>,
) -> ApiResult<HttpResponse> {
    let channel = number_channel(&state, &actor, id.into_inner())?;
    show_pool(&state, &actor, channel)
}

/// The default pool: manual leads without a channel.
async fn show_default(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    show_pool(&state, &actor, Channel::Manual)
}

pub fn show_pool(
    state: &AppState,
    actor: &MemberActor,
    channel: Channel,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let pool = super::pool(&read, actor.business.id, channel)?;
    Ok(HttpResponse::Ok().json(pool_json(&read, actor, channel, pool.as_ref())?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolBody {
    mode: Mode,
    members: Vec<SlotBody>,
    #[serde(default)]
    when_nobody: WhenNobody,
    #[serde(default = "yes")]
    sticky: bool,
    #[serde(default)]
    reopen_reassign: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotBody {
    member_id: crate::store::ids::MemberId,
    #[serde(default = "one")]
    weight: u32,
}

fn one() -> u32 {
    1
}

async fn replace(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<NumberId>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let channel = number_channel(&state, &actor, id.into_inner())?;
    replace_pool(&state, &actor, channel, body.into_inner()).await
}

async fn replace_default(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    replace_pool(&state, &actor, Channel::Manual, body.into_inner()).await
}

/// Checks a pool body (`{mode, members, when_nobody}`) against the business.
pub fn parse_pool(state: &AppState, actor: &MemberActor, body: Value) -> ApiResult<Pool> {
    let b = actor.business.id;
    if !actor.scope.has(Permission::ManageChannels) {
        return Err(ApiError::forbidden(
            "Changing a pool needs the manage_channels permission",
        ));
    }
    let body: PoolBody = serde_json::from_value(body).map_err(|e| {
        ApiError::new(
            crate::error::Code::InvalidRequest,
            format!("The pool is not {{mode, members, when_nobody, sticky, reopen_reassign}}: {e}"),
        )
    })?;
    let members = tenancy::members(&state.store.read()?, b)?;
    let mut v = Validator::default();
    v.check(
        body.members.len() <= MAX_MEMBERS,
        "members",
        "at most 200 members",
    );
    for (i, s) in body.members.iter().enumerate() {
        v.check(
            (1..=100).contains(&s.weight),
            "members.weight",
            "must be 1 to 100",
        )
        .check(
            members.iter().any(|m| m.id == s.member_id),
            "members.member_id",
            "is not a member of this business",
        )
        .check(
            !body.members[..i].iter().any(|o| o.member_id == s.member_id),
            "members.member_id",
            "appears twice",
        );
    }
    v.finish()?;
    Ok(Pool {
        mode: body.mode,
        members: body
            .members
            .iter()
            .map(|s| Slot {
                member_id: s.member_id,
                weight: s.weight,
            })
            .collect(),
        when_nobody: body.when_nobody,
        updated_at: now_ms(),
        sticky: body.sticky,
        reopen_reassign: body.reopen_reassign,
    })
}

/// Replaces a channel's pool and hands out what waited for it.
pub async fn replace_pool(
    state: &AppState,
    actor: &MemberActor,
    channel: Channel,
    body: Value,
) -> ApiResult<HttpResponse> {
    let b = actor.business.id;
    let pool = parse_pool(state, actor, body)?;
    let stored = pool.clone();
    state
        .store
        .write(move |ctx| {
            set_pool(ctx, b, channel, &stored)?;
            // New capacity takes the waiting leads at once.
            super::backlog::drain(ctx, b, channel)?;
            Ok(())
        })
        .await?;
    let read = state.store.read()?;
    Ok(HttpResponse::Ok().json(pool_json(&read, actor, channel, Some(&pool))?))
}
