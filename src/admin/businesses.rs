//! Businesses for the platform admin: list with search and usage, create with
//! an owner, edit the name and limits, suspend and resume. Every change is
//! audited with the admin as actor, in the same write.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::view;
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::{
        actor::AdminActor,
        password,
        users::{normalize_email, valid_email},
    },
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    outbound,
    store::ids::BusinessId,
    tenancy::{model::Limits, repo, service, Business, Role},
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/admin/businesses", list)
        .post("/api/admin/businesses", create)
        .answers(&[201])
        .get("/api/admin/businesses/{id}", show)
        .patch("/api/admin/businesses/{id}", update);
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

/// Newest first; the cursor is the last business id of the previous page.
async fn list(
    state: web::Data<AppState>,
    _admin: AdminActor,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let cursor: Option<BusinessId> = super::cursor(q.cursor.as_deref(), |c| c.parse().ok())?;
    let needle = q.q.unwrap_or_default().trim().to_lowercase();
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let body = web::block(move || -> ApiResult<Value> {
        let read = state.store.read()?;
        let mut all = repo::businesses(&read)?;
        all.sort_by_key(|b| std::cmp::Reverse(b.id));
        let mut page: Vec<Business> = all
            .into_iter()
            .filter(|b| cursor.is_none_or(|c| b.id < c))
            .filter(|b| needle.is_empty() || b.name.to_lowercase().contains(&needle))
            .take(limit + 1)
            .collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let data_dir = state.store.dir();
        let items = page
            .iter()
            .map(|b| view::build(&read, data_dir, b))
            .collect::<ApiResult<Vec<_>>>()?;
        let next = more
            .then(|| page.last().map(|b| b.id.to_string()))
            .flatten();
        Ok(json!({"items": items, "next_cursor": next}))
    })
    .await
    .map_err(|e| ApiError::internal(format!("business list: {e}")))??;
    Ok(HttpResponse::Ok().json(body))
}

fn business_view(state: &AppState, id: BusinessId) -> ApiResult<Value> {
    let read = state.store.read()?;
    let b = repo::business(&read, id)?.ok_or_else(|| ApiError::not_found("business"))?;
    view::build(&read, state.store.dir(), &b)
}

async fn show(
    state: web::Data<AppState>,
    _admin: AdminActor,
    id: web::Path<BusinessId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = web::block(move || business_view(&state, id))
        .await
        .map_err(|e| ApiError::internal(format!("business view: {e}")))??;
    Ok(HttpResponse::Ok().json(body))
}

/// `{max_members?, max_numbers?, max_flows?}` over `base`: a number sets a
/// cap, null removes it, an absent key keeps it.
fn parse_limits(v: &Value, base: Limits) -> ApiResult<Limits> {
    let Some(obj) = v.as_object() else {
        return Err(ApiError::field(
            "limits",
            "must be an object of max_members, max_numbers, max_flows",
        ));
    };
    let mut out = base;
    for (k, v) in obj {
        let cap = match v {
            Value::Null => None,
            n => Some(
                n.as_u64()
                    .filter(|n| *n <= 1_000_000)
                    .and_then(|n| u32::try_from(n).ok())
                    .ok_or_else(|| {
                        ApiError::field(
                            &format!("limits.{k}"),
                            "must be null (unlimited) or a whole number up to 1000000",
                        )
                    })?,
            ),
        };
        match k.as_str() {
            "max_members" => out.max_members = cap,
            "max_numbers" => out.max_numbers = cap,
            "max_flows" => out.max_flows = cap,
            other => {
                return Err(ApiError::field(
                    &format!("limits.{other}"),
                    "is not a limit (max_members, max_numbers, max_flows)",
                ))
            }
        }
    }
    Ok(out)
}

fn valid_country(c: &str) -> bool {
    c.is_empty() || (c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    owner_email: String,
    owner_name: String,
    owner_password: Option<String>,
    default_country: Option<String>,
    limits: Option<Value>,
}

async fn create(
    state: web::Data<AppState>,
    admin: AdminActor,
    origin: Origin,
    body: web::Json<CreateBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let name = body.name.trim().to_string();
    let email = normalize_email(&body.owner_email);
    let country = body
        .default_country
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_uppercase();
    let mut v = Validator::default();
    v.check(!name.is_empty(), "name", "is required")
        .check(
            name.chars().count() <= 120,
            "name",
            "must be at most 120 characters",
        )
        .check(
            valid_email(&email),
            "owner_email",
            "is not a valid email address",
        )
        .check(
            !body.owner_name.trim().is_empty(),
            "owner_name",
            "is required",
        )
        .check(
            valid_country(&country),
            "default_country",
            "is a two-letter country code (ISO 3166-1 alpha-2)",
        );
    if let Some(pw) = &body.owner_password {
        if let Err(why) = password::check_len(pw) {
            v.check(false, "owner_password", why);
        }
    }
    v.finish()?;
    let limits = match &body.limits {
        Some(l) => parse_limits(l, Limits::default())?,
        None => Limits::default(),
    };
    let hash = match body.owner_password.clone() {
        Some(pw) => Some(password::hash_async(pw).await?),
        None => None,
    };
    let owner = service::NewMember {
        email,
        name: body.owner_name.trim().to_string(),
        password_hash: hash,
        role: Role::Owner,
        team_id: None,
        permissions: vec![],
    };
    let who = Who::user(&admin.0.user);
    let id = state
        .store
        .write(move |ctx| {
            let (mut b, user, _) = service::create_business(ctx, &name, &owner)?;
            b.default_country = country.clone();
            b.limits = limits;
            repo::save_business(ctx, &b)?;
            let note = Note::new(
                Action::BusinessCreated,
                Some(b.id),
                who.clone(),
                format!("Created business {} with owner {}", b.name, user.email),
            )
            .target("business", b.id);
            audit::record(ctx, &origin, &note)?;
            Ok(b.id)
        })
        .await?;
    Ok(HttpResponse::Created().json(business_view(&state, id)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchBody {
    name: Option<String>,
    limits: Option<Value>,
    suspended: Option<bool>,
}

async fn update(
    state: web::Data<AppState>,
    admin: AdminActor,
    origin: Origin,
    id: web::Path<BusinessId>,
    body: web::Json<PatchBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    let name = body.name.as_deref().map(str::trim).map(str::to_string);
    if let Some(n) = &name {
        let mut v = Validator::default();
        v.check(!n.is_empty(), "name", "is required").check(
            n.chars().count() <= 120,
            "name",
            "must be at most 120 characters",
        );
        v.finish()?;
    }
    if let Some(l) = &body.limits {
        parse_limits(l, Limits::default())?;
    }
    let who = Who::user(&admin.0.user);
    let suspended = body.suspended;
    let limits = body.limits;
    let (suspended_now, resumed) = state
        .store
        .write(move |ctx| {
            let before = repo::business(ctx, id)?.ok_or_else(|| ApiError::not_found("business"))?;
            let mut b = before.clone();
            let mut changes = Vec::new();
            if let Some(n) = name.as_ref().filter(|n| **n != b.name) {
                changes.push(format!("name {} → {n}", b.name));
                b.name = n.clone();
            }
            if let Some(l) = &limits {
                let next = parse_limits(l, b.limits)?;
                if next != b.limits {
                    changes.push(format!(
                        "limits {} → {}",
                        show_limits(&b.limits),
                        show_limits(&next)
                    ));
                    b.limits = next;
                }
            }
            let mut notes = Vec::new();
            if !changes.is_empty() {
                notes.push(Note::new(
                    Action::BusinessUpdated,
                    Some(id),
                    who.clone(),
                    format!("Changed {}: {}", b.name, changes.join("; ")),
                ));
            }
            let (mut suspended_now, mut resumed) = (false, false);
            match suspended {
                Some(true) if !b.suspended => {
                    suspended_now = true;
                    b.suspended = true;
                    b.suspended_at = Some(now_ms());
                    notes.push(Note::new(
                        Action::BusinessSuspended,
                        Some(id),
                        who.clone(),
                        format!("Suspended {}", b.name),
                    ));
                }
                Some(false) if b.suspended => {
                    b.suspended = false;
                    b.suspended_at = None;
                    let released = outbound::release(ctx, id)?;
                    resumed = true;
                    notes.push(Note::new(
                        Action::BusinessResumed,
                        Some(id),
                        who.clone(),
                        format!("Resumed {} ({released} held messages released)", b.name),
                    ));
                }
                _ => {}
            }
            if b != before {
                repo::save_business(ctx, &b)?;
            }
            for n in notes {
                audit::record(ctx, &origin, &n.target("business", id))?;
            }
            Ok((suspended_now, resumed))
        })
        .await?;
    if suspended_now {
        state.hub.disconnect_business(id);
    }
    if resumed {
        state.outbox_wake.notify_one();
    }
    view::forget_media(state.store.dir(), id);
    Ok(HttpResponse::Ok().json(business_view(&state, id)?))
}

fn show_limits(l: &Limits) -> String {
    let cap = |v: Option<u32>| v.map_or("unlimited".to_string(), |n| n.to_string());
    format!(
        "members {}, numbers {}, flows {}",
        cap(l.max_members),
        cap(l.max_numbers),
        cap(l.max_flows)
    )
}
