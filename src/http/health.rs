//! Liveness, readiness and Prometheus metrics.
use actix_web::{web, HttpResponse};
use serde_json::json;

use super::{AppState, Routes};

pub fn routes(r: &mut Routes) {
    r.get("/healthz", healthz)
        .get("/readyz", readyz)
        .get("/metrics", metrics);
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready when the store answers a read.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.read() {
        Ok(_) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(e) => HttpResponse::ServiceUnavailable()
            .json(json!({"error": {"code": "unavailable", "message": e.to_string()}})),
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut out = format!(
        "{}# HELP wafunnel_websocket_connections Open WebSocket connections.\n\
         # TYPE wafunnel_websocket_connections gauge\n\
         wafunnel_websocket_connections {}\n",
        state.metrics.render(),
        state.hub.connections()
    );
    // What waits in the store: a queue that only grows is what an operator
    // needs to hear about before a customer does.
    let read = state.store.read();
    match read
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|r| backlog(r).map_err(|e| e.to_string()))
    {
        Ok(text) => out.push_str(&text),
        Err(e) => tracing::warn!("metrics: reading the backlog: {e}"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(out)
}

/// Gauges of the outbox, the durable jobs and the dead letters, read from one snapshot.
fn backlog(r: &crate::store::ReadTxn) -> Result<String, crate::store::StoreError> {
    use std::{collections::BTreeMap, fmt::Write};
    let mut out = String::new();
    out.push_str(
        "# HELP wafunnel_outbox_messages WhatsApp messages waiting to go out, by state.\n",
    );
    out.push_str("# TYPE wafunnel_outbox_messages gauge\n");
    for (state, n) in [
        ("queued", crate::outbound::depth(r)?),
        ("held", crate::outbound::held_depth(r)?),
        ("failed", crate::outbound::failed_depth(r)?),
    ] {
        let _ = writeln!(out, "wafunnel_outbox_messages{{state=\"{state}\"}} {n}");
    }
    let mut jobs: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for (place, job) in crate::scheduler::inspect::all(r)? {
        let state = match place {
            crate::scheduler::inspect::Place::Pending => "pending",
            crate::scheduler::inspect::Place::Failed => "failed",
        };
        *jobs.entry((state, job.kind)).or_default() += 1;
    }
    out.push_str("# HELP wafunnel_jobs Durable jobs (mail, pushes, lead fetches, imports...) by state and kind.\n");
    out.push_str("# TYPE wafunnel_jobs gauge\n");
    for ((state, kind), n) in jobs {
        let _ = writeln!(
            out,
            "wafunnel_jobs{{state=\"{state}\",kind=\"{kind}\"}} {n}"
        );
    }
    out.push_str("# HELP wafunnel_dead_letters Webhook deliveries no business could take.\n");
    out.push_str("# TYPE wafunnel_dead_letters gauge\n");
    let _ = writeln!(
        out,
        "wafunnel_dead_letters {}",
        crate::channels::whatsapp::deadletters::count(r)?
    );
    Ok(out)
}
