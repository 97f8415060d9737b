//! The connected pages of a business: list, a simulated page for trying Lead
//! Ads without Meta, disconnect, the page's pool, and importing a form's
//! existing leads.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{import, FbPage};
use crate::{
    assignment::{self, Channel},
    audit::{self, Action, Note, Origin, Who},
    auth::MemberActor,
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    store::ids::RecordId,
    tenancy::Permission,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/facebook/pages", list_pages)
        .post("/api/facebook/pages", create_sandbox)
        .answers(&[201])
        .delete("/api/facebook/pages/{id}", disconnect)
        .answers(&[204])
        .get("/api/facebook/pages/{id}/pool", show_pool)
        .put("/api/facebook/pages/{id}/pool", replace_pool)
        .post("/api/facebook/pages/{id}/import", start_import)
        .answers(&[202])
        .get("/api/facebook/imports/{id}", show_import);
}

fn page_json(p: &FbPage, imports: &[import::FbImport]) -> Value {
    json!({
        "id": p.id, "page_id": p.page_id, "name": p.name, "sandbox": p.sandbox,
        "status": if p.disconnected.is_some() { "disconnected" } else if p.token_invalid { "token_invalid" } else { "active" },
        "disconnected_reason": p.disconnected,
        "last_error": p.last_error,
        "forms": p.forms.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>(),
        "connected_at": rfc3339(p.connected_at),
        "last_lead_at": p.last_lead_at.map(rfc3339),
        "imports": imports.iter().filter(|i| i.page == p.id).map(import::import_json).collect::<Vec<_>>(),
    })
}

fn may_manage(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.has(Permission::ManageChannels) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Pages need the manage_channels permission",
        ))
    }
}

fn own(state: &AppState, actor: &MemberActor, id: RecordId) -> ApiResult<FbPage> {
    super::get(&state.store.read()?, id)?
        .filter(|p| p.business_id == actor.business.id)
        .ok_or_else(|| ApiError::not_found("page"))
}

async fn list_pages(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let imports = import::list(&read, actor.business.id)?;
    let items: Vec<Value> = super::list(&read, actor.business.id)?
        .iter()
        .map(|p| page_json(p, &imports))
        .collect();
    let meta = &state.config.meta;
    Ok(HttpResponse::Ok().json(json!({
        "items": items, "next_cursor": null,
        "oauth_configured": !meta.app_id.is_empty() && !meta.app_secret.is_empty(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxBody {
    sandbox: bool,
    name: Option<String>,
}

/// A simulated page whose leads come from the simulator ("Simulate a lead").
pub fn sandbox_page(business: crate::store::ids::BusinessId, name: &str) -> FbPage {
    let tag = ulid::Ulid::new().to_string().to_lowercase();
    FbPage {
        id: RecordId::new(),
        business_id: business,
        page_id: format!("sandbox-{tag}"),
        name: name.to_string(),
        token: super::PageToken::None,
        sandbox: true,
        token_invalid: false,
        last_error: None,
        forms: vec![(
            format!("sandbox-form-{tag}"),
            "Contact form (sandbox)".into(),
        )],
        connected_at: now_ms(),
        last_lead_at: None,
        disconnected: None,
    }
}

async fn create_sandbox(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<SandboxBody>,
) -> ApiResult<HttpResponse> {
    may_manage(&actor)?;
    let body = body.into_inner();
    let mut v = Validator::default();
    v.check(
        body.sandbox,
        "sandbox",
        "real pages connect through Facebook Login (GET /api/facebook/oauth/start)",
    );
    let name = body
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    v.check(
        name.as_ref().is_none_or(|n| n.chars().count() <= 80),
        "name",
        "must be at most 80 characters",
    );
    v.finish()?;
    let page = sandbox_page(actor.business.id, name.as_deref().unwrap_or("Sandbox page"));
    let stored = page.clone();
    state
        .store
        .write(move |ctx| Ok(super::save(ctx, &stored)?))
        .await?;
    Ok(HttpResponse::Created().json(page_json(&page, &[])))
}

async fn disconnect(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let page = own(&state, &actor, id.into_inner())?;
    may_manage(&actor)?;
    state
        .store
        .write(move |ctx| Ok(super::delete(ctx, &page)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn show_pool(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let page = own(&state, &actor, id.into_inner())?;
    assignment::routes::show_pool(&state, &actor, Channel::Facebook(page.id))
}

async fn replace_pool(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let page = own(&state, &actor, id.into_inner())?;
    assignment::routes::replace_pool(
        &state,
        &actor,
        Channel::Facebook(page.id),
        body.into_inner(),
    )
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportBody {
    form_id: String,
}

async fn start_import(
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    id: web::Path<RecordId>,
    body: web::Json<ImportBody>,
) -> ApiResult<HttpResponse> {
    let page = own(&state, &actor, id.into_inner())?;
    may_manage(&actor)?;
    let form_id = body.into_inner().form_id.trim().to_string();
    let ok = !form_id.is_empty()
        && form_id.len() <= 64
        && form_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(ApiError::field("form_id", "is not a lead form id"));
    }
    if page.token_invalid {
        return Err(ApiError::new(
            crate::error::Code::Conflict,
            "The page's token no longer works; reconnect it with Facebook Login first",
        ));
    }
    let b = actor.business.id;
    let who = Who::user(&actor.user);
    let started = state
        .store
        .write(move |ctx| {
            let started = import::start(ctx, b, page.id, &form_id)?;
            let note = Note::new(
                Action::ImportStarted,
                Some(b),
                who.clone(),
                format!(
                    "Started importing the leads of form {form_id} of the Facebook page \"{}\"",
                    page.name
                ),
            )
            .target("facebook_import", started.id);
            audit::record(ctx, &origin, &note)?;
            Ok(started)
        })
        .await?;
    state.jobs_wake.notify_one();
    Ok(HttpResponse::Accepted()
        .json(json!({"import_id": started.id, "import": import::import_json(&started)})))
}

async fn show_import(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let i = import::get(&state.store.read()?, actor.business.id, id.into_inner())?
        .ok_or_else(|| ApiError::not_found("import"))?;
    Ok(HttpResponse::Ok().json(import::import_json(&i)))
}
