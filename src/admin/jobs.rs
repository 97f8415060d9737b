//! The operators' view of durable work: every scheduler job (pending or given
//! up), and the outbox sender of every WhatsApp number, with a retry that
//! makes one due now.
use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    audit::{self, Action, Note, Origin, Who},
    auth::actor::AdminActor,
    channels::whatsapp::numbers::{self, WaNumber},
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    outbound,
    scheduler::{
        inspect::{self, Place},
        Job,
    },
    store::{
        ids::{BusinessId, RecordId},
        ReadTxn,
    },
    tenancy::repo,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/admin/jobs", list)
        .post("/api/admin/jobs/{id}/retry", retry);
}

/// The operators' name for a job kind: kinds that do one thing under
/// different names (the two imports) share one.
fn kind_of(raw: &str) -> &str {
    match raw {
        crate::channels::facebook::refresh::JOB_KIND => "token_refresh",
        crate::imports::csv_run::JOB | crate::channels::facebook::import::JOB_KIND => "import",
        crate::followups::reminder::JOB => "reminder",
        crate::flows::pause::JOB => "flow_reenable",
        crate::flows::jobs::TIMER => "flow_timer",
        crate::flows::jobs::WEBHOOK => "flow_webhook",
        crate::channels::whatsapp::media::JOB_KIND => "media_fetch",
        crate::channels::facebook::leads::JOB_KIND => "facebook_lead",
        crate::mail::JOB => "mail",
        crate::push::JOB => "push",
        other => other,
    }
}

fn label_of(raw: &str) -> &str {
    match kind_of(raw) {
        "token_refresh" => "Facebook token check",
        "import" => "Import",
        "reminder" => "Follow-up reminder",
        "flow_reenable" => "Flow re-enable after Meta's rate limit",
        "flow_timer" => "Flow delay",
        "flow_webhook" => "Flow webhook call",
        "media_fetch" => "WhatsApp media download",
        "facebook_lead" => "Facebook lead fetch",
        "mail" => "Email",
        "push" => "Browser push",
        "audit_prune" => "Audit log retention",
        "attachments_prune" => "Unsent attachments sweep",
        _ => "Job",
    }
}

/// The business a job works for, when its payload names one.
fn business_of(job: &Job) -> Option<BusinessId> {
    let p: Value = serde_json::from_str(&job.payload).ok()?;
    ["business", "business_id"]
        .iter()
        .find_map(|k| p.get(*k)?.as_str()?.parse().ok())
}

struct Row {
    /// Sort key: earliest due first, given-up jobs after, senders last.
    order: (u8, i64, String),
    view: Value,
    kind: String,
    state: &'static str,
}

fn time(ms: Option<i64>) -> Value {
    ms.map_or(Value::Null, |t| json!(rfc3339(t)))
}

fn job_row(job: &Job, place: Place, running: bool, names: &HashMap<BusinessId, String>) -> Row {
    let state = match (place, running) {
        (Place::Failed, _) => "failed",
        (Place::Pending, true) => "running",
        (Place::Pending, false) => "scheduled",
    };
    let business = business_of(job);
    let kind = kind_of(&job.kind).to_string();
    let next_due = (place == Place::Pending).then_some(job.due_at);
    Row {
        order: (
            u8::from(place == Place::Failed),
            job.due_at,
            job.id.to_string(),
        ),
        view: json!({
            "id": job.id,
            "kind": kind,
            "business_id": business,
            "business_name": business.and_then(|b| names.get(&b)),
            "label": format!("{} ({})", label_of(&job.kind), job.kind),
            "state": state,
            "last_run_at": time(job.last_run_at),
            "next_due_at": time(next_due),
            "failures": job.attempts,
            "last_error": job.last_error,
        }),
        kind,
        state,
    }
}

/// One row per number: its queue (held messages of a suspended business
/// included) and the state Meta left it in.
fn sender_row(
    n: &WaNumber,
    depth: usize,
    next_due: Option<i64>,
    names: &HashMap<BusinessId, String>,
) -> Row {
    let now = now_ms();
    let state = if n.token_dead {
        "failed"
    } else if depth > 0 {
        "scheduled"
    } else {
        "done"
    };
    let next = next_due.map(|t| t.max(n.paused_until));
    Row {
        order: (2, next.unwrap_or(i64::MAX), n.id.to_string()),
        view: json!({
            "id": n.id,
            "kind": "outbox_sender",
            "business_id": n.business_id,
            "business_name": names.get(&n.business_id),
            "label": format!("Outbox of {} ({depth} queued{})", n.display_phone_number,
                if n.paused_until > now { ", paused by Meta" } else { "" }),
            "state": state,
            "last_run_at": null,
            "next_due_at": time(next),
            "failures": 0,
            "last_error": n.last_error,
        }),
        kind: "outbox_sender".into(),
        state,
    }
}

fn rows(state: &AppState, read: &ReadTxn) -> ApiResult<Vec<Row>> {
    let businesses = repo::businesses(read)?;
    let names: HashMap<BusinessId, String> =
        businesses.iter().map(|b| (b.id, b.name.clone())).collect();
    let mut out: Vec<Row> = inspect::all(read)?
        .iter()
        .map(|(place, job)| job_row(job, *place, state.jobs_running.contains(job.id), &names))
        .collect();
    let queues = outbound::depth_by_number(read)?;
    for b in &businesses {
        for n in numbers::list(read, b.id)? {
            let q = queues.get(&(b.id, n.id)).copied().unwrap_or_default();
            out.push(sender_row(&n, q.depth, q.next_due, &names));
        }
    }
    out.sort_by(|a, b| a.order.cmp(&b.order));
    Ok(out)
}

fn cursor_of(order: &(u8, i64, String)) -> String {
    format!("{}.{}.{}", order.0, order.1, order.2)
}

fn parse_cursor(c: &str) -> Option<(u8, i64, String)> {
    let mut parts = c.splitn(3, '.');
    let group = parts.next()?.parse().ok()?;
    let at = parts.next()?.parse().ok()?;
    let id = parts.next()?.to_string();
    Some((group, at, id))
}

#[derive(Deserialize)]
struct ListQuery {
    kind: Option<String>,
    state: Option<String>,
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list(
    state: web::Data<AppState>,
    _admin: AdminActor,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let after = super::cursor(q.cursor.as_deref(), parse_cursor)?;
    if let Some(s) = q.state.as_deref() {
        if !["scheduled", "running", "failed", "done"].contains(&s) {
            return Err(ApiError::field(
                "state",
                "is one of scheduled, running, failed, done",
            ));
        }
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let read = state.store.read()?;
    let mut page: Vec<Row> = rows(&state, &read)?
        .into_iter()
        .filter(|r| after.as_ref().is_none_or(|a| r.order > *a))
        .filter(|r| q.kind.as_deref().is_none_or(|k| r.kind == k))
        .filter(|r| q.state.as_deref().is_none_or(|s| r.state == s))
        .take(limit + 1)
        .collect();
    let more = page.len() > limit;
    page.truncate(limit);
    let next = more
        .then(|| page.last().map(|r| cursor_of(&r.order)))
        .flatten();
    let items: Vec<Value> = page.into_iter().map(|r| r.view).collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

/// What a retry touched, for the audit entry and the answer.
enum Retried {
    Job(Job),
    Sender(BusinessId, RecordId),
}

async fn retry(
    state: web::Data<AppState>,
    admin: AdminActor,
    origin: Origin,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    // A running job settles by its old key: moving it now would run it twice
    // (and a periodic one would leave two successors).
    if state.jobs_running.contains(id) {
        return Err(ApiError::new(
            Code::Conflict,
            "This job is running now; retry it once it has settled",
        ));
    }
    let who = Who::user(&admin.0.user);
    let retried = state
        .store
        .write(move |ctx| {
            let retried = match inspect::retry(ctx, id)? {
                Some(job) => Retried::Job(job),
                None => {
                    let number = repo::businesses(ctx)?
                        .iter()
                        .map(|b| numbers::list(ctx, b.id))
                        .collect::<Result<Vec<_>, _>>()?
                        .into_iter()
                        .flatten()
                        .find(|n| n.id.0 == id.0)
                        .ok_or_else(|| ApiError::not_found("job"))?;
                    let mut n = number.clone();
                    // An operator's retry ends a pause Meta imposed on the number.
                    n.paused_until = 0;
                    numbers::save(ctx, &n)?;
                    outbound::hurry(ctx, n.business_id, n.id)?;
                    Retried::Sender(n.business_id, id)
                }
            };
            let (business, summary) = match &retried {
                Retried::Job(j) => (business_of(j), format!("Retried job {} ({})", j.id, j.kind)),
                Retried::Sender(b, n) => (Some(*b), format!("Retried the outbox of number {n}")),
            };
            let note =
                Note::new(Action::JobRetried, business, who.clone(), summary).target("job", id);
            audit::record(ctx, &origin, &note)?;
            Ok(retried)
        })
        .await?;
    state.jobs_wake.notify_one();
    state.outbox_wake.notify_one();
    let read = state.store.read()?;
    let row = match retried {
        Retried::Job(job) => {
            let names = repo::businesses(&read)?
                .into_iter()
                .map(|b| (b.id, b.name))
                .collect();
            job_row(&job, Place::Pending, false, &names)
        }
        Retried::Sender(..) => rows(&state, &read)?
            .into_iter()
            .find(|r| r.view["id"] == json!(id.to_string()))
            .ok_or_else(|| ApiError::not_found("job"))?,
    };
    Ok(HttpResponse::Ok().json(row.view))
}
