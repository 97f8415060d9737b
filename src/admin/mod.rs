//! The platform admin API (account type `admin` only).
pub mod support;

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::{
    auth::actor::AdminActor,
    channels::whatsapp::deadletters,
    error::ApiResult,
    http::{AppState, Routes},
    time::rfc3339,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/admin/dead-letters", dead_letters);
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
