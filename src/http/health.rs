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
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(format!(
            "{}# HELP wafunnel_websocket_connections Open WebSocket connections.\n\
             # TYPE wafunnel_websocket_connections gauge\n\
             wafunnel_websocket_connections {}\n",
            state.metrics.render(),
            state.hub.connections()
        ))
}
