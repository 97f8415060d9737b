//! Facebook Lead Ads without Meta, for sandbox pages: "Simulate a lead" keeps
//! the lead here and sends a signed `leadgen` webhook through the real
//! endpoint; the lead job then reads the lead from here instead of Graph, in
//! Graph's shape, so everything after the fetch is the production path.
use actix_web::{web, HttpResponse};
use rand::Rng;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    auth::MemberActor,
    channels::{
        facebook::{self, graph::LeadPage},
        whatsapp::graph::{Failure, GraphError},
    },
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    store::{self, codec, ids::RecordId, Key, Record, Store, TableSpec, Tbl},
    tenancy::Role,
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimLead {
    pub form_id: String,
    /// The lead as Graph would answer `GET /{leadgen_id}`.
    pub json: String,
}
impl Record for SimLead {}

/// leadgen_id → SimLead
const LEADS: Tbl = TableDefinition::new("simulator_fb_leads");
/// (form id, leadgen_id) → (): a form's leads in order, for backfills.
const BY_FORM: Tbl = TableDefinition::new("simulator_fb_leads_by_form");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: LEADS,
        verify: codec::verify::<SimLead>,
    },
    TableSpec {
        def: BY_FORM,
        verify: store::verify_empty,
    },
];

fn missing(leadgen_id: &str) -> GraphError {
    GraphError {
        code: 100,
        http_status: 400,
        message: format!("Unsupported get request. Object with ID '{leadgen_id}' does not exist"),
        failure: Failure::Permanent,
        retry_after: None,
    }
}

fn store_error(e: impl std::fmt::Display) -> GraphError {
    GraphError {
        code: 0,
        http_status: 500,
        message: e.to_string(),
        failure: Failure::Retry,
        retry_after: None,
    }
}

pub fn lead(store: &Store, leadgen_id: &str) -> Result<Value, GraphError> {
    let read = store.read().map_err(store_error)?;
    let found: Option<SimLead> =
        store::get(&read, LEADS, leadgen_id.as_bytes()).map_err(store_error)?;
    let found = found.ok_or_else(|| missing(leadgen_id))?;
    serde_json::from_str(&found.json).map_err(store_error)
}

const PAGE_SIZE: usize = 100;

fn form_key(form_id: &str, leadgen_id: &str) -> Vec<u8> {
    Key::new().str(form_id).str(leadgen_id).done()
}

pub fn form_leads(
    store: &Store,
    form_id: &str,
    after: Option<&str>,
) -> Result<LeadPage, GraphError> {
    let read = store.read().map_err(store_error)?;
    let prefix = Key::new().str(form_id).done();
    let after_key = after.map(|a| form_key(form_id, a));
    let keys = store::scan_keys(&read, BY_FORM, &prefix, after_key.as_deref(), PAGE_SIZE + 1)
        .map_err(store_error)?;
    let mut leads = Vec::new();
    let mut last = None;
    for k in keys.iter().take(PAGE_SIZE) {
        let rest = &k[prefix.len()..];
        let id = String::from_utf8_lossy(rest.strip_suffix(&[0]).unwrap_or(rest)).into_owned();
        leads.push(lead(store, &id)?);
        last = Some(id);
    }
    Ok(LeadPage {
        leads,
        after: if keys.len() > PAGE_SIZE { last } else { None },
    })
}

pub fn routes(r: &mut Routes) {
    r.post("/api/simulator/facebook/{page_id}/leads", simulate_lead)
        .answers(&[202]);
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LeadBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Answers to custom questions.
    #[serde(default)]
    pub answers: std::collections::BTreeMap<String, String>,
}

/// A Graph-shaped lead of `form_id` with numeric-looking ids, as Meta's.
pub fn graph_lead(form_id: &str, body: &LeadBody) -> Value {
    let id = format!("{}{:04}", now_ms(), rand::thread_rng().gen_range(0..10_000));
    let mut fields = Vec::new();
    for (key, value) in [
        ("full_name", &body.name),
        ("phone_number", &body.phone),
        ("email", &body.email),
    ] {
        if let Some(v) = value.as_ref().filter(|v| !v.trim().is_empty()) {
            fields.push(json!({"name": key, "values": [v]}));
        }
    }
    for (q, a) in &body.answers {
        fields.push(json!({"name": q, "values": [a]}));
    }
    let created = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S+0000")
        .to_string();
    json!({"id": id, "created_time": created, "ad_id": "sandbox-ad", "form_id": form_id, "field_data": fields})
}

/// Keeps the lead for the fetch, then announces it as Meta would.
pub async fn simulate(
    state: &AppState,
    page: &facebook::FbPage,
    body: &LeadBody,
) -> ApiResult<String> {
    let form_id = page
        .forms
        .first()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let lead = graph_lead(&form_id, body);
    let leadgen_id = lead["id"].as_str().unwrap_or_default().to_string();
    let record = SimLead {
        form_id: form_id.clone(),
        json: lead.to_string(),
    };
    let key = leadgen_id.clone();
    state
        .store
        .write(move |ctx| {
            ctx.put(LEADS, key.as_bytes(), &record)?;
            ctx.put_raw(BY_FORM, &form_key(&record.form_id, &key), &[])?;
            Ok(())
        })
        .await?;
    let delivery = json!({"object": "page", "entry": [{"id": page.page_id, "time": now_ms() / 1000, "changes": [
        {"field": "leadgen", "value": {"leadgen_id": leadgen_id, "page_id": page.page_id, "form_id": form_id,
         "ad_id": "sandbox-ad", "adgroup_id": "sandbox-ad", "created_time": now_ms() / 1000}}]}]});
    state.simulator.deliver_page(&delivery).await?;
    Ok(leadgen_id)
}

async fn simulate_lead(
    state: web::Data<AppState>,
    actor: MemberActor,
    page_id: web::Path<RecordId>,
    body: web::Json<LeadBody>,
) -> ApiResult<HttpResponse> {
    if actor.scope.role != Role::Owner {
        return Err(ApiError::forbidden("The simulator is for owners"));
    }
    let page = facebook::get(&state.store.read()?, page_id.into_inner())?
        .filter(|p| p.business_id == actor.business.id && p.sandbox)
        .ok_or_else(|| ApiError::not_found("sandbox page"))?;
    let body = body.into_inner();
    let mut v = Validator::default();
    let long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 200);
    v.check(!long(&body.name), "name", "must be at most 200 characters")
        .check(
            !long(&body.phone),
            "phone",
            "must be at most 200 characters",
        )
        .check(
            !long(&body.email),
            "email",
            "must be at most 200 characters",
        )
        .check(body.answers.len() <= 20, "answers", "at most 20 answers");
    v.finish()?;
    let leadgen_id = simulate(&state, &page, &body).await?;
    Ok(HttpResponse::Accepted().json(json!({"leadgen_id": leadgen_id})))
}
