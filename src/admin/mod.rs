//! The platform admin API (account type `admin` only): businesses with their
//! usage, limits and suspension, the durable jobs, the server's health and
//! the webhook dead letters. Every handler takes `AdminActor`.
mod businesses;
mod health;
mod jobs;
pub mod support;
mod view;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::{
    auth::actor::AdminActor,
    channels::whatsapp::deadletters,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/admin/dead-letters", dead_letters);
    businesses::routes(r);
    jobs::routes(r);
    health::routes(r);
    support::routes(r);
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<usize>,
}

async fn dead_letters(
    state: web::Data<AppState>,
    _admin: AdminActor,
    q: web::Query<Limit>,
) -> ApiResult<HttpResponse> {
    let items: Vec<_> = deadletters::list(&state.store.read()?, q.limit.unwrap_or(100).clamp(1, 1000))?
        .into_iter()
        .map(|d| json!({"id": d.id, "received_at": rfc3339(d.at), "source": d.source, "reason": d.reason, "body": d.body}))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

/// A list's `cursor` parameter: absent or empty is the first page; anything
/// `parse` does not recognise is the client's mistake (422).
pub(crate) fn cursor<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> ApiResult<Option<T>> {
    match raw.filter(|c| !c.is_empty()) {
        Some(c) => parse(c)
            .map(Some)
            .ok_or_else(|| ApiError::field("cursor", "is not a cursor from this list")),
        None => Ok(None),
    }
}

/// Bytes of the regular files under `dir` (0 when it does not exist).
pub(crate) fn dir_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
