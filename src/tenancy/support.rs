//! Support access: an owner lets the platform's administrators look into the
//! business, read-only, for a limited time. The grant lives here; an admin's
//! session opens a visit under it (`admin::support`), and the actor layer
//! (`auth::actor`) turns a visit in force into an owner-equivalent, read-only
//! member, refusing every write. Each look is audited in the business's own
//! log, so the owner sees who looked at what.
use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{model::Member, repo as tenancy_repo, Business, Role};
use crate::{
    audit::{self, repo as audit_repo, Action, Note, Origin, Partition, Who},
    auth::{
        actor::OwnerActor,
        session::{self, Session},
        users::{self, AccountType, User},
    },
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, MemberId, RecordId, SessionId, UserId},
        Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::{now_ms, rfc3339},
};

/// The longest an owner may open the door for: one week.
pub const MAX_HOURS: i64 = 168;
/// How many of the latest looks the settings page lists.
const RECENT: usize = 20;

/// An owner's permission for support to look in, until `until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// Kept when an active grant is extended, new after a revoke: a visit
    /// names the grant it was opened under.
    pub id: RecordId,
    pub business_id: BusinessId,
    pub granted_by: UserId,
    pub granted_at: i64,
    pub until: i64,
}
impl Record for Grant {}

/// business → Grant
const GRANTS: Tbl = TableDefinition::new("support_grants");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: GRANTS,
    verify: codec::verify::<Grant>,
}];

pub fn get<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Option<Grant>, StoreError> {
    store::get(r, GRANTS, &b.bytes())
}

/// The grant in force at `now`, if any (the admin panel shows its end).
pub fn active<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    now: i64,
) -> Result<Option<Grant>, StoreError> {
    Ok(get(r, b)?.filter(|g| g.until > now))
}

pub fn save(ctx: &mut WriteCtx, g: &Grant) -> Result<(), StoreError> {
    ctx.put(GRANTS, &g.business_id.bytes(), g)
}

pub fn remove(ctx: &mut WriteCtx, b: BusinessId) -> Result<Option<Grant>, StoreError> {
    let old = get(ctx, b)?;
    ctx.delete(GRANTS, &b.bytes())?;
    Ok(old)
}

/// A support visit in force, as the actor layer carries it.
#[derive(Debug, Clone)]
pub struct Visit {
    pub business_id: BusinessId,
    pub business_name: String,
    /// The grant's end: the visit ends with it.
    pub expires_at: i64,
}

impl Visit {
    pub fn json(&self) -> Value {
        json!({"business_id": self.business_id, "business_name": self.business_name,
               "expires_at": rfc3339(self.expires_at)})
    }
}

/// Left on a request served to a visiting admin, so the views it made are
/// audited once the answer is known (`admin::support::audit_views`).
#[derive(Debug, Clone)]
pub struct Viewing {
    pub admin: Who,
    pub business_id: BusinessId,
}

/// The business an admin's session visits, with the owner-equivalent member
/// it acts as there. None when the session visits nothing, or its grant was
/// revoked (even if granted again since) or has run out: the session is then
/// the admin's own again.
pub fn visit<R: Reader + ?Sized>(
    r: &R,
    user: &User,
    session: &Session,
) -> Result<Option<(Business, Member, Visit)>, StoreError> {
    let Some(v) = session.support else {
        return Ok(None);
    };
    if user.account_type != AccountType::Admin {
        return Ok(None);
    }
    let grant = active(r, v.business_id, now_ms())?.filter(|g| g.id == v.grant_id);
    let (Some(grant), Some(business)) = (grant, tenancy_repo::business(r, v.business_id)?) else {
        return Ok(None);
    };
    // Not a stored member: an owner's view of everything, under an id made
    // from the admin's, so it is the same on every request and nobody's.
    let member = Member {
        id: MemberId(user.id.0),
        business_id: business.id,
        user_id: user.id,
        role: Role::Owner,
        team_id: None,
        permissions: Vec::new(),
        available: false,
        created_at: v.opened_at,
    };
    let visit = Visit {
        business_id: business.id,
        business_name: business.name.clone(),
        expires_at: grant.until,
    };
    Ok(Some((business, member, visit)))
}

/// Whether a session's visit still stands, re-read from the store: a
/// WebSocket opened during a visit outlives the request that checked it.
pub fn still_visiting<R: Reader + ?Sized>(
    r: &R,
    user: &User,
    session: SessionId,
) -> Result<bool, StoreError> {
    match session::get(r, session)? {
        Some(s) => Ok(visit(r, user, &s)?.is_some()),
        None => Ok(false),
    }
}

pub fn routes(r: &mut Routes) {
    r.get("/api/business/support-access", show)
        .put("/api/business/support-access", grant)
        .delete("/api/business/support-access", revoke);
}

fn person<R: Reader + ?Sized>(r: &R, id: UserId) -> Result<Option<User>, StoreError> {
    users::get(r, id)
}

/// The looks support took, newest first: the visits opened and what was viewed.
fn recent_views<R: Reader + ?Sized>(r: &R, b: BusinessId) -> ApiResult<Vec<Value>> {
    let mut entries = Vec::new();
    for action in [Action::SupportSessionOpened, Action::SupportView] {
        let mut q = audit_repo::Query::new(Partition::Business(b));
        q.action = Some(action);
        entries.extend(audit_repo::page(r, &q, RECENT)?.0);
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.id));
    entries.truncate(RECENT);
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let admin = match &e.actor {
            Who::User { id, email } => {
                let name = person(r, *id)?.map(|u| u.name).unwrap_or_default();
                json!({"id": id, "name": name, "email": email})
            }
            _ => Value::Null,
        };
        out.push(json!({"at": rfc3339(e.at), "admin": admin, "ip": e.ip,
                        "action": e.action, "summary": e.summary}));
    }
    Ok(out)
}

fn access_json<R: Reader + ?Sized>(r: &R, b: BusinessId) -> ApiResult<Value> {
    let grant = active(r, b, now_ms())?;
    let granted_by = match &grant {
        Some(g) => person(r, g.granted_by)?.map(|u| json!({"id": u.id, "name": u.name})),
        None => None,
    };
    Ok(json!({
        "granted_until": grant.as_ref().map(|g| rfc3339(g.until)),
        "granted_by": granted_by,
        "recent_views": recent_views(r, b)?,
    }))
}

async fn show(state: web::Data<AppState>, owner: OwnerActor) -> ApiResult<HttpResponse> {
    let json = access_json(&state.store.read()?, owner.0.business.id)?;
    Ok(HttpResponse::Ok().json(json))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantBody {
    hours: i64,
}

async fn grant(
    state: web::Data<AppState>,
    owner: OwnerActor,
    origin: Origin,
    body: web::Json<GrantBody>,
) -> ApiResult<HttpResponse> {
    let hours = body.hours;
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(ApiError::field(
            "hours",
            format!("must be a whole number of hours from 1 to {MAX_HOURS}"),
        ));
    }
    let (b, user) = (owner.0.business.id, owner.0.user.clone());
    state
        .store
        .write(move |ctx| {
            let now = now_ms();
            let until = now + hours * 3_600_000;
            // Extending keeps the grant (and the visits open under it).
            let id = active(ctx, b, now)?.map_or_else(RecordId::new, |g| g.id);
            save(
                ctx,
                &Grant {
                    id,
                    business_id: b,
                    granted_by: user.id,
                    granted_at: now,
                    until,
                },
            )?;
            let note = Note::new(
                Action::SupportAccessGranted,
                Some(b),
                Who::user(&user),
                format!(
                    "{} granted support access for {hours} hours, until {}",
                    user.email,
                    rfc3339(until)
                ),
            )
            .target("business", b);
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    show(state, owner).await
}

async fn revoke(
    state: web::Data<AppState>,
    owner: OwnerActor,
    origin: Origin,
) -> ApiResult<HttpResponse> {
    let (b, user) = (owner.0.business.id, owner.0.user.clone());
    state
        .store
        .write(move |ctx| {
            // Visits check the grant on every request: removing it ends them.
            if remove(ctx, b)?.is_some_and(|g| g.until > now_ms()) {
                let note = Note::new(
                    Action::SupportAccessRevoked,
                    Some(b),
                    Who::user(&user),
                    format!("{} revoked support access", user.email),
                )
                .target("business", b);
                audit::record(ctx, &origin, &note)?;
            }
            Ok(())
        })
        .await?;
    show(state, owner).await
}
