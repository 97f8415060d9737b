//! `GET /api/audit` (owners: their business's log) and `GET /api/admin/audit`
//! (platform administrators: every business's, or one's with `business_id`).
//! Both take `actor`, `action`, `from`, `to` and `cursor`, and answer
//! `{items, next_cursor}`, newest first, 50 a page.
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    repo::{self, ActorKey, Entry, Partition, Query},
    Action, Who,
};
use crate::{
    auth::{
        actor::{AdminActor, OwnerActor},
        users,
    },
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        ids::{BusinessId, RecordId, UserId},
        Reader,
    },
    time::rfc3339,
};

pub const PAGE: usize = 50;

pub fn routes(r: &mut Routes) {
    r.get("/api/audit", business_log)
        .get("/api/admin/audit", platform_log);
}

/// A read handle on the log, made only from an actor allowed to read it: the
/// partition is fixed here, so no handler chooses whose entries it sees.
pub struct Log {
    partition: Partition,
}

impl Log {
    pub fn of_business(owner: &OwnerActor) -> Log {
        Log {
            partition: Partition::Business(owner.0.business.id),
        }
    }

    /// Every entry, or one business's (or the platform's own) when asked.
    pub fn platform(_admin: &AdminActor, only: Option<Partition>) -> Log {
        Log {
            partition: only.unwrap_or(Partition::All),
        }
    }

    pub fn query(&self) -> Query {
        Query::new(self.partition)
    }
}

#[derive(Deserialize)]
struct Params {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    cursor: Option<String>,
    business_id: Option<String>,
}

fn bad(message: String) -> ApiError {
    ApiError::new(Code::BadRequest, message)
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// RFC 3339, or a plain date meaning its first instant (UTC).
fn parse_time(field: &str, s: &str) -> ApiResult<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| {
            bad(format!(
                "`{field}` must be an RFC 3339 time or a YYYY-MM-DD date"
            ))
        })
}

/// `actor` is a user id, an email address, `system` or `anonymous`. None:
/// an email of no account, which can have no entries.
fn parse_actor<R: Reader + ?Sized>(r: &R, s: &str) -> ApiResult<Option<ActorKey>> {
    match s {
        "system" => return Ok(Some(ActorKey::System)),
        "anonymous" => return Ok(Some(ActorKey::Anonymous)),
        _ => {}
    }
    if let Ok(id) = s.parse::<UserId>() {
        return Ok(Some(ActorKey::User(id)));
    }
    if users::valid_email(s) {
        return Ok(users::by_email(r, s)?.map(|u| ActorKey::User(u.id)));
    }
    Err(bad(format!(
        "`actor` must be a user id, an email address, `system` or `anonymous`; `{s}` is none"
    )))
}

/// The query the parameters ask for, or None when it can match nothing.
fn build<R: Reader + ?Sized>(r: &R, log: &Log, p: &Params) -> ApiResult<Option<Query>> {
    let mut q = log.query();
    if let Some(a) = given(&p.action) {
        q.action = Some(Action::parse(a).ok_or_else(|| {
            let known: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
            bad(format!(
                "unknown action `{a}`; known actions: {}",
                known.join(", ")
            ))
        })?);
    }
    q.from = given(&p.from).map(|s| parse_time("from", s)).transpose()?;
    q.to = given(&p.to).map(|s| parse_time("to", s)).transpose()?;
    if let (Some(f), Some(t)) = (q.from, q.to) {
        if f > t {
            return Err(bad("`from` is after `to`".into()));
        }
    }
    if let Some(c) = given(&p.cursor) {
        q.before = Some(
            c.parse::<RecordId>()
                .map_err(|_| bad(format!("`{c}` is not a valid cursor")))?,
        );
    }
    if let Some(a) = given(&p.actor) {
        match parse_actor(r, a)? {
            Some(k) => q.actor = Some(k),
            None => return Ok(None),
        }
    }
    Ok(Some(q))
}

pub fn json_of(e: &Entry) -> Value {
    let actor = match &e.actor {
        Who::User { id, email } => json!({"type": "user", "user_id": id, "email": email}),
        Who::System => json!({"type": "system"}),
        Who::Anonymous => json!({"type": "anonymous"}),
    };
    json!({
        "id": e.id, "business_id": e.business_id, "actor": actor, "action": e.action,
        "created_at": rfc3339(e.at), "ip": e.ip, "user_agent": e.user_agent,
        "summary": e.summary,
        "target": e.target.as_ref().map(|t| json!({"kind": t.kind, "id": t.id})),
    })
}

fn answer(state: &AppState, log: &Log, p: &Params) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let (items, next) = match build(&read, log, p)? {
        Some(q) => repo::page(&read, &q, PAGE)?,
        None => (Vec::new(), None),
    };
    Ok(HttpResponse::Ok().json(json!({
        "items": items.iter().map(json_of).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

async fn business_log(
    state: web::Data<AppState>,
    owner: OwnerActor,
    q: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    answer(&state, &Log::of_business(&owner), &q)
}

async fn platform_log(
    state: web::Data<AppState>,
    admin: AdminActor,
    q: web::Query<Params>,
) -> ApiResult<HttpResponse> {
    let only = match given(&q.business_id) {
        None => None,
        Some("platform") => Some(Partition::Platform),
        Some(b) => Some(Partition::Business(b.parse::<BusinessId>().map_err(
            |_| {
                bad(format!(
                    "`business_id` must be a business id or `platform`; `{b}` is neither"
                ))
            },
        )?)),
    };
    answer(&state, &Log::platform(&admin, only), &q)
}
