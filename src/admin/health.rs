//! The server's health for operators: sizes on disk, search lag, sockets,
//! dead letters, jobs and outbox depth per number.
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use super::dir_bytes;
use crate::{
    auth::actor::AdminActor,
    channels::whatsapp::{deadletters, numbers},
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    outbound,
    scheduler::inspect::{self, Place},
    store::DB_FILE,
    tenancy::repo,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/admin/health", health);
}

fn report(state: &AppState) -> ApiResult<Value> {
    let now = now_ms();
    let uptime = state.started.elapsed();
    let data_dir = state.store.dir();
    let read = state.store.read()?;
    let jobs = inspect::all(&read)?;
    let due = jobs
        .iter()
        .filter(|(p, j)| *p == Place::Pending && j.due_at <= now)
        .count();
    let failed = jobs.iter().filter(|(p, _)| *p == Place::Failed).count();
    let mut outbox = Vec::new();
    for ((b, n), q) in outbound::depth_by_number(&read)? {
        let business = repo::business(&read, b)?;
        let number = numbers::get(&read, b, n)?;
        outbox.push(json!({
            "business_id": b,
            "business_name": business.map(|b| b.name),
            "phone_number_id": number.as_ref().map(|n| n.phone_number_id.clone()),
            "display_number": number.map(|n| n.display_phone_number),
            "depth": q.depth,
        }));
    }
    let (pending, since) = state.search.with_stats(|s| (s.pending, s.pending_since_ms));
    Ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "started_at": rfc3339(now - uptime.as_millis() as i64),
        "uptime_secs": uptime.as_secs(),
        "store_bytes": std::fs::metadata(data_dir.join(DB_FILE)).map_or(0, |m| m.len()),
        "index_bytes": dir_bytes(state.search.dir()),
        "media_bytes": dir_bytes(&data_dir.join("media")),
        "search": {
            "lag_ms": since.map_or(0, |t| (now - t).max(0)),
            "pending": pending,
        },
        "websocket_connections": state.hub.connections(),
        "dead_letters": deadletters::count(&read)?,
        "jobs": {"total": jobs.len(), "due": due, "failed": failed},
        "outbox": outbox,
    }))
}

async fn health(state: web::Data<AppState>, _admin: AdminActor) -> ApiResult<HttpResponse> {
    // Sizes on disk are blocking reads: off the async workers.
    let body = web::block(move || report(&state))
        .await
        .map_err(|e| ApiError::internal(format!("health: {e}")))??;
    Ok(HttpResponse::Ok().json(body))
}
