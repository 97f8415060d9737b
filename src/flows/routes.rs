//! The flows API: drafts saved exactly as the editor sends them, validation,
//! publishing immutable versions (one active flow per number), versions,
//! starter templates, analytics, and the runs of a conversation.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, value::RawValue, Value};

use super::{
    checks,
    model::{self, Flow, FlowOptions, FlowStatus, FlowVersion},
    templates,
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::MemberActor,
    channels::whatsapp::numbers,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        ids::{NumberId, RecordId},
        Reader,
    },
    tenancy::Permission,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/flows", list)
        .post("/api/flows", create)
        .answers(&[201])
        .get("/api/flows/templates", starter_templates)
        .get("/api/flows/{id}", show)
        .put("/api/flows/{id}", update)
        .delete("/api/flows/{id}", remove)
        .answers(&[204])
        .post("/api/flows/{id}/validate", check)
        .post("/api/flows/{id}/publish", publish)
        .post("/api/flows/{id}/disable", disable)
        .post("/api/flows/{id}/duplicate", duplicate)
        .answers(&[201])
        .get("/api/flows/{id}/versions", versions)
        .get("/api/flows/{id}/versions/{version}", version)
        .get("/api/flows/{id}/stats", stats);
    super::runs::routes(r);
}

/// Nodes and edges are at most this big together.
const MAX_FLOW_BYTES: usize = 512 * 1024;

pub fn may_edit(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.has(Permission::ManageFlows) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Flows need the manage_flows permission",
        ))
    }
}

fn raw(s: &str) -> Box<RawValue> {
    RawValue::from_string(s.to_string())
        .unwrap_or_else(|_| RawValue::from_string("[]".into()).unwrap_or_default())
}

fn summary(r: &impl Reader, f: &Flow) -> ApiResult<Value> {
    let stats = model::stats(r, f.id)?;
    let flow = stats.get("").cloned().unwrap_or_default();
    let n = |k: &str| flow.get(k).copied().unwrap_or(0);
    Ok(json!({
        "id": f.id, "name": f.name, "whatsapp_number_id": f.number_id, "status": f.status,
        "published_version": f.published_version, "draft_changed": f.draft_changed,
        "created_at": rfc3339(f.created_at), "updated_at": rfc3339(f.updated_at),
        "stats": {"runs_started": n("started"), "runs_completed": n("completed"), "runs_failed": n("failed")},
        "paused_until": match f.number_id {
            Some(number) => super::pause::paused_until(r, f.business_id, number)?.map(rfc3339),
            None => None,
        },
    }))
}

/// The flow with its draft, nodes and edges exactly as they were saved.
fn full(r: &impl Reader, f: &Flow) -> ApiResult<HttpResponse> {
    let mut head = summary(r, f)?;
    head["options"] = json!(f.options);
    let mut text = head.to_string();
    text.pop();
    text.push_str(&format!(
        ",\"nodes\":{},\"edges\":{}}}",
        raw(&f.nodes).get(),
        raw(&f.edges).get()
    ));
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(text))
}

fn created(mut r: HttpResponse) -> ApiResult<HttpResponse> {
    *r.status_mut() = actix_web::http::StatusCode::CREATED;
    Ok(r)
}

/// Flows are for those who build them; a conversation's runs are for whoever sees it.
fn own<R: Reader + ?Sized>(r: &R, actor: &MemberActor, id: RecordId) -> ApiResult<Flow> {
    may_edit(actor)?;
    model::get(r, actor.business.id, id)?.ok_or_else(|| ApiError::not_found("flow"))
}

async fn list(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let read = state.store.read()?;
    let items = model::list(&read, actor.business.id)?
        .iter()
        .map(|f| summary(&read, f))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::parse::double_option")]
    whatsapp_number_id: Option<Option<NumberId>>,
    nodes: Option<Box<RawValue>>,
    edges: Option<Box<RawValue>>,
    options: Option<FlowOptions>,
}

/// Applies a body to a flow, checking what it can without the graph rules.
fn apply_body(state: &AppState, actor: &MemberActor, f: &mut Flow, body: Body) -> ApiResult<()> {
    if let Some(name) = body.name {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(ApiError::field("name", "must be 1 to 80 characters"));
        }
        f.name = name;
    }
    if let Some(n) = body.whatsapp_number_id {
        if let Some(n) = n {
            numbers::get(&state.store.read()?, actor.business.id, n)?
                .ok_or_else(|| ApiError::field("whatsapp_number_id", "no such number"))?;
        }
        f.number_id = n;
    }
    for (field, value, slot) in [
        ("nodes", body.nodes, &mut f.nodes),
        ("edges", body.edges, &mut f.edges),
    ] {
        if let Some(v) = value {
            if !v.get().trim_start().starts_with('[') {
                return Err(ApiError::field(
                    field,
                    "must be a JSON array (React Flow's own)",
                ));
            }
            if checks::nesting(v.get()) > checks::MAX_NESTING {
                return Err(ApiError::field(
                    field,
                    format!(
                        "nests deeper than {} levels; no flow needs that",
                        checks::MAX_NESTING
                    ),
                ));
            }
            *slot = v.get().to_string();
        }
    }
    if f.nodes.len() + f.edges.len() > MAX_FLOW_BYTES {
        return Err(ApiError::new(
            Code::PayloadTooLarge,
            "The flow is larger than 512 KB",
        ));
    }
    if let Some(o) = body.options {
        f.options = o;
    }
    f.draft_changed = true;
    f.updated_at = now_ms();
    Ok(())
}

async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let now = now_ms();
    let mut f = Flow {
        id: RecordId::new(),
        business_id: actor.business.id,
        name: "Untitled flow".into(),
        number_id: None,
        nodes: "[]".into(),
        edges: "[]".into(),
        options: FlowOptions::default(),
        status: FlowStatus::Draft,
        published_version: None,
        draft_changed: true,
        created_at: now,
        updated_at: now,
    };
    apply_body(&state, &actor, &mut f, body.into_inner())?;
    let stored = f.clone();
    state
        .store
        .write(move |ctx| {
            let used = model::flows_of(ctx, stored.business_id)?;
            let flows = crate::tenancy::limits::Limited::Flows;
            crate::tenancy::limits::ensure_room(ctx, stored.business_id, flows, used)?;
            Ok(model::save(ctx, &stored)?)
        })
        .await?;
    let read = state.store.read()?;
    created(full(&read, &f)?)
}

async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let f = own(&read, &actor, id.into_inner())?;
    full(&read, &f)
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<Body>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let mut f = own(&state.store.read()?, &actor, id.into_inner())?;
    apply_body(&state, &actor, &mut f, body.into_inner())?;
    let stored = f.clone();
    state
        .store
        .write(move |ctx| Ok(model::save(ctx, &stored)?))
        .await?;
    full(&state.store.read()?, &f)
}

async fn remove(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let f = own(&state.store.read()?, &actor, id.into_inner())?;
    state
        .store
        .write(move |ctx| Ok(model::delete(ctx, &f)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn check(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let f = own(&read, &actor, id.into_inner())?;
    let details = checks::problems_of(&read, &f)?;
    Ok(HttpResponse::Ok().json(json!({"valid": details.is_empty(), "details": details})))
}

async fn publish(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let read = state.store.read()?;
    let f = own(&read, &actor, id.into_inner())?;
    let details = checks::problems_of(&read, &f)?;
    drop(read);
    if !details.is_empty() {
        // The editor marks each node: details name nodes, not fields.
        let message = format!(
            "The flow has {} problem(s) to fix before publishing",
            details.len()
        );
        return Ok(HttpResponse::UnprocessableEntity().json(json!({"error": {
            "code": Code::FlowInvalid.name(), "message": message, "details": details}})));
    }
    let by = actor.scope.member_id;
    let who = Who::user(&actor.user);
    let version = state
        .store
        .write(move |ctx| {
            let mut f = model::get(ctx, f.business_id, f.id)?.ok_or_else(|| ApiError::not_found("flow"))?;
            let number = f.number_id.ok_or_else(|| ApiError::field("whatsapp_number_id", "is required"))?;
            if let Some(other) = model::active_on(ctx, f.business_id, number)?.filter(|o| *o != f.id) {
                let name = model::get(ctx, f.business_id, other)?.map(|o| o.name).unwrap_or_default();
                return Err(ApiError::new(Code::FlowConflict, format!("Another active flow (\"{name}\") already runs on this number; disable it first")));
            }
            // Publishing the draft that is already live (again, or to switch a
            // disabled flow back on) makes no new version.
            let live = match f.published_version {
                Some(v) => model::version(ctx, f.id, v)?,
                None => None,
            };
            let v = match live {
                Some(l) if l.nodes == f.nodes && l.edges == f.edges && l.options == f.options => l.version,
                _ => {
                    let v = f.published_version.unwrap_or(0) + 1;
                    model::save_version(ctx, &FlowVersion {
                        flow_id: f.id,
                        business_id: f.business_id,
                        version: v,
                        nodes: f.nodes.clone(),
                        edges: f.edges.clone(),
                        options: f.options.clone(),
                        published_at: now_ms(),
                        published_by: Some(by),
                    })?;
                    v
                }
            };
            f.published_version = Some(v);
            f.status = FlowStatus::Active;
            f.draft_changed = false;
            f.updated_at = now_ms();
            model::save(ctx, &f)?;
            model::release_numbers(ctx, &f, Some(number))?;
            model::set_active(ctx, f.business_id, number, Some(f.id))?;
            let note = Note::new(Action::FlowPublished, Some(f.business_id), who.clone(),
                format!("Published version {v} of the flow \"{}\"", f.name))
            .target("flow", f.id);
            audit::record(ctx, &origin, &note)?;
            Ok(v)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"version": version})))
}

async fn disable(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let f = own(&state.store.read()?, &actor, id.into_inner())?;
    let f = state
        .store
        .write(move |ctx| {
            let mut f =
                model::get(ctx, f.business_id, f.id)?.ok_or_else(|| ApiError::not_found("flow"))?;
            model::release_numbers(ctx, &f, None)?;
            f.status = FlowStatus::Disabled;
            f.updated_at = now_ms();
            model::save(ctx, &f)?;
            Ok(f)
        })
        .await?;
    full(&state.store.read()?, &f)
}

async fn duplicate(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    let f = own(&state.store.read()?, &actor, id.into_inner())?;
    let now = now_ms();
    let copy = Flow {
        id: RecordId::new(),
        name: format!("{} (copy)", f.name).chars().take(80).collect(),
        status: FlowStatus::Draft,
        published_version: None,
        draft_changed: true,
        created_at: now,
        updated_at: now,
        ..f
    };
    let stored = copy.clone();
    state
        .store
        .write(move |ctx| Ok(model::save(ctx, &stored)?))
        .await?;
    created(full(&state.store.read()?, &copy)?)
}

async fn versions(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let f = own(&read, &actor, id.into_inner())?;
    let items: Vec<Value> = model::versions(&read, f.id)?
        .iter()
        .rev()
        .map(|v| json!({"version": v.version, "published_at": rfc3339(v.published_at), "published_by": v.published_by}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

async fn version(
    state: web::Data<AppState>,
    actor: MemberActor,
    path: web::Path<(RecordId, u32)>,
) -> ApiResult<HttpResponse> {
    let (id, v) = path.into_inner();
    let read = state.store.read()?;
    let f = own(&read, &actor, id)?;
    let v = model::version(&read, f.id, v)?.ok_or_else(|| ApiError::not_found("version"))?;
    let text = format!(
        "{{\"version\":{},\"published_at\":{},\"nodes\":{},\"edges\":{}}}",
        v.version,
        json!(rfc3339(v.published_at)),
        raw(&v.nodes).get(),
        raw(&v.edges).get()
    );
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(text))
}

async fn starter_templates(actor: MemberActor) -> ApiResult<HttpResponse> {
    may_edit(&actor)?;
    Ok(HttpResponse::Ok().json(json!({"items": templates::all(), "next_cursor": null})))
}

async fn stats(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let f = own(&read, &actor, id.into_inner())?;
    let mut all = model::stats(&read, f.id)?;
    let flow = all.remove("").unwrap_or_default();
    let n = |k: &str| flow.get(k).copied().unwrap_or(0);
    let nodes: serde_json::Map<String, Value> = all
        .into_iter()
        .map(|(node, m)| {
            let g = |k: &str| m.get(k).copied().unwrap_or(0);
            (node, json!({"entered": g("entered"), "completed": g("completed"), "dropped": g("dropped")}))
        })
        .collect();
    let active = n("started").saturating_sub(n("completed") + n("failed") + n("cancelled"));
    Ok(HttpResponse::Ok().json(json!({
        "runs": {"started": n("started"), "completed": n("completed"), "failed": n("failed"), "cancelled": n("cancelled"), "active": active},
        "nodes": nodes,
    })))
}
