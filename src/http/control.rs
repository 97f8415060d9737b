//! The control endpoint: while `serve` holds the store's lock, CLI commands on
//! the same machine run here instead, proven by the secret in the data folder.
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::AppState;
use crate::{cli::ops, error::ApiError};

pub const HEADER: &str = "X-Wafunnel-Control";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/internal/cli", web::post().to(run));
}

async fn run(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    let given = req
        .headers()
        .get(HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let secret_ok = bool::from(given.ct_eq(state.control_secret.as_bytes()));
    if !loopback || !secret_ok {
        // Indistinguishable from an unknown route.
        return Err(ApiError::new(
            crate::error::Code::RouteNotFound,
            "No route for this path",
        ));
    }
    let op: ops::Op = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(crate::error::Code::InvalidRequest, e.to_string()))?;
    let store = state.store.clone();
    let search = state.search.clone();
    let result = web::block(move || ops::execute(&store, Some(&search), op))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(match result {
        Ok(output) => HttpResponse::Ok().json(json!({"ok": true, "output": output})),
        Err(e) => HttpResponse::Ok().json(json!({"ok": false, "error": e.message})),
    })
}
