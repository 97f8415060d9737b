//! `GET /api/exports/conversations.csv` and `GET /api/exports/leads.csv`: the
//! conversation list and the Leads table, with their own filters and scope,
//! as spreadsheets for those holding the `export` permission.
use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde_json::Value;

use super::sheet::{self, Page};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::MemberActor,
    contacts,
    conversations::{access::Conversations, model::Conversation, routes::ListParams},
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    leads::list::{self as leads, LeadFilter},
    store::{ids::MemberId, Reader},
    tenancy::{repo::Directory, Permission},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/exports/conversations.csv", conversations)
        .get("/api/exports/leads.csv", leads_csv);
}

/// Rows per page: each page is one short read transaction.
const PAGE: usize = 500;

fn require_export(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.has(Permission::Export) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Exporting needs the export permission"))
    }
}

/// Records the download before the first byte goes out (its own write: an
/// export changes nothing else).
async fn audit_export(
    state: &AppState,
    actor: &MemberActor,
    origin: Origin,
    what: &str,
    query: &str,
) -> ApiResult<()> {
    let filters = if query.is_empty() {
        "no filters".to_string()
    } else {
        format!("filters {}", query.chars().take(200).collect::<String>())
    };
    let note = Note::new(
        Action::ExportDownloaded,
        Some(actor.business.id),
        Who::user(&actor.user),
        format!("Downloaded {what}.csv ({filters})"),
    )
    .target("export", what);
    audit::record_alone(&state.store, origin, vec![note]).await
}

/// Member id → (email, name), as far as the actor may see the team.
fn roster(state: &AppState, actor: &MemberActor) -> ApiResult<HashMap<MemberId, (String, String)>> {
    let read = state.store.read()?;
    let mut out = HashMap::new();
    for m in Directory::new(&read, &actor.scope).members()? {
        if let Some(u) = crate::auth::users::get(&read, m.user_id)? {
            out.insert(m.id, (u.email, u.name));
        }
    }
    Ok(out)
}

const CONVERSATION_HEADER: [&str; 13] = [
    "conversation_id",
    "contact_name",
    "phone",
    "email",
    "source",
    "status",
    "assignee_email",
    "assignee_name",
    "labels",
    "last_message",
    "last_message_at",
    "created_at",
    "updated_at",
];

/// The serde name of a unit enum (`whatsapp`, `open`).
fn name_of(v: impl serde::Serialize) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn conversation_row<R: Reader + ?Sized>(
    r: &R,
    c: &Conversation,
    roster: &HashMap<MemberId, (String, String)>,
) -> ApiResult<Vec<String>> {
    let contact = contacts::get(r, c.business_id, c.contact_id)?;
    let (name, phone, email) = contact
        .map(|k| {
            (
                k.name,
                k.phone.unwrap_or_default(),
                k.email.unwrap_or_default(),
            )
        })
        .unwrap_or_default();
    let (assignee_email, assignee_name) = c
        .assignee_id
        .and_then(|m| roster.get(&m).cloned())
        .unwrap_or_default();
    let last = c.last_message.as_ref();
    Ok(vec![
        c.id.to_string(),
        name,
        phone,
        email,
        name_of(c.source),
        name_of(c.status),
        assignee_email,
        assignee_name,
        c.labels.join("; "),
        last.map(|p| p.text.clone()).unwrap_or_default(),
        last.map(|p| rfc3339(p.at)).unwrap_or_default(),
        rfc3339(c.created_at),
        rfc3339(c.updated_at),
    ])
}

/// Every conversation of the list's view and filters, newest activity first.
/// Pages are separate reads: a conversation whose activity moves it during
/// the export can be missed or repeated, as when paging the list itself.
async fn conversations(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    params: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    require_export(&actor)?;
    let mut query = params.into_inner().query()?;
    query.limit = PAGE;
    let roster = roster(&state, &actor)?;
    audit_export(&state, &actor, origin, "conversations", req.query_string()).await?;
    let scope = actor.scope.clone();
    let next = move |r: &crate::store::ReadTxn| -> ApiResult<Page> {
        let (items, cursor) = Conversations::new(r, &scope).list(&query)?;
        let rows = items
            .iter()
            .map(|c| conversation_row(r, c, &roster))
            .collect::<ApiResult<Vec<_>>>()?;
        query.after = cursor;
        Ok((rows, query.after.is_some()))
    };
    Ok(sheet::response(
        "conversations",
        &CONVERSATION_HEADER,
        state,
        next,
    ))
}

const LEAD_HEADER: [&str; 9] = [
    "created_at",
    "name",
    "phone",
    "email",
    "source",
    "channel",
    "assignee",
    "status",
    "conversation_id",
];

fn lead_row(lead: &Value, roster: &HashMap<MemberId, (String, String)>) -> Vec<String> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    let assignee = lead["assignee_id"]
        .as_str()
        .and_then(|m| m.parse::<MemberId>().ok())
        .and_then(|m| roster.get(&m))
        .map(|(_, name)| name.clone())
        .unwrap_or_default();
    vec![
        text(&lead["created_at"]),
        text(&lead["contact"]["name"]),
        text(&lead["contact"]["phone"]),
        text(&lead["contact"]["email"]),
        text(&lead["source"]),
        text(&lead["channel"]["name"]),
        assignee,
        text(&lead["status"]),
        text(&lead["conversation_id"]),
    ]
}

/// The Leads table's rows, with its filters (source, channel, assignee,
/// status, creation dates) and its scope.
async fn leads_csv(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    actor: MemberActor,
    origin: Origin,
    q: web::Query<LeadFilter>,
) -> ApiResult<HttpResponse> {
    require_export(&actor)?;
    let mut filter = q.into_inner();
    // A bad filter is a 400 before the download starts.
    leads::parse(&filter, 1)?;
    let roster = roster(&state, &actor)?;
    audit_export(&state, &actor, origin, "leads", req.query_string()).await?;
    let next = move |r: &crate::store::ReadTxn| -> ApiResult<Page> {
        let (items, cursor) = leads::page(r, &actor, &filter, PAGE)?;
        let rows = items.iter().map(|l| lead_row(l, &roster)).collect();
        filter.cursor = cursor;
        Ok((rows, filter.cursor.is_some()))
    };
    Ok(sheet::response("leads", &LEAD_HEADER, state, next))
}
