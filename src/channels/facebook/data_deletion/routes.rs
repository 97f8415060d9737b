//! `POST /webhooks/facebook/data-deletion` (Meta's callback) and the public
//! status page `GET /data-deletion/{code}`.
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{
    get, key_id, pending_of, save, verify_signed_request, DeletionRequest, Phase, JOB_KIND,
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    channels::facebook::vault,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.post("/webhooks/facebook/data-deletion", request)
        .get("/data-deletion/{code}", status);
}

/// A failed job run is retried with backoff for hours before it gives up
/// (and then waits in the admin's job list for a retry).
const MAX_ATTEMPTS: u32 = 40;

fn status_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/data-deletion/{code}",
        state.config.server.public_url.trim_end_matches('/')
    )
}

/// The `signed_request` field of a form body; anything unreadable is None.
fn signed_field(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut url = reqwest::Url::parse("http://form.invalid/").ok()?;
    url.set_query(Some(text));
    url.query_pairs()
        .find(|(k, _)| k == "signed_request")
        .map(|(_, v)| v.into_owned())
}

async fn request(
    state: web::Data<AppState>,
    origin: Origin,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let verified =
        signed_field(&body).and_then(|s| verify_signed_request(&state.config.meta.app_secret, &s));
    let Some(verified) = verified else {
        return Err(ApiError::new(
            Code::InvalidSignature,
            "The signed_request is missing or not signed by this app",
        ));
    };
    let vault = vault::of(state.store.dir())
        .map_err(|e| ApiError::internal(format!("the Facebook keyring: {e}")))?;
    let hash = vault.user_hash(&verified.user_id);
    if let Some(existing) = pending_of(&state.store.read()?, &hash)? {
        return Ok(answer(&state, &existing.code));
    }
    // The id itself is kept only sealed, for the final scan.
    let code = crate::auth::session::random_token(12);
    let needles =
        serde_json::to_vec(&[&verified.user_id]).map_err(|e| ApiError::internal(e.to_string()))?;
    let sealed = vault
        .seal(&key_id(&code), &needles)
        .map_err(|e| ApiError::internal(format!("sealing the request: {e}")))?;
    let fresh = DeletionRequest {
        code: code.clone(),
        user_hash: hash.clone(),
        requested_at: now_ms(),
        phase: Phase::Requested,
        logins: Vec::new(),
        sealed_needles: sealed,
        completed_at: None,
        last_error: None,
    };
    let kept = state
        .store
        .write(move |ctx| {
            // Two deliveries at once: the first committed wins.
            if let Some(existing) = pending_of(ctx, &fresh.user_hash)? {
                return Ok(existing.code);
            }
            save(ctx, &fresh)?;
            crate::scheduler::schedule(
                ctx,
                JOB_KIND,
                &json!({"code": fresh.code}),
                now_ms(),
                MAX_ATTEMPTS,
            )?;
            let note = Note::new(
                Action::DataDeletionRequested,
                None,
                Who::System,
                format!(
                    "Facebook asked to delete the data of the Facebook user with keyed hash {}",
                    &fresh.user_hash[..16]
                ),
            )
            .target("data_deletion", &fresh.code);
            audit::record(ctx, &origin, &note)?;
            Ok(fresh.code.clone())
        })
        .await?;
    if kept != code {
        let _ = vault.forget(&key_id(&code));
    }
    state.jobs_wake.notify_one();
    Ok(answer(&state, &kept))
}

fn answer(state: &AppState, code: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({"url": status_url(state, code), "confirmation_code": code}))
}

fn valid_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn status(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let code = code.into_inner();
    let found = if valid_code(&code) {
        get(&state.store.read()?, &code)?
    } else {
        None
    };
    let Some(d) = found else {
        return Err(ApiError::not_found("data-deletion request"));
    };
    let completed_at = d.completed_at.filter(|_| d.phase == Phase::Completed);
    let wants_json = req
        .headers()
        .get("Accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({
                "confirmation_code": d.code,
                "status": if completed_at.is_some() { "completed" } else { "pending" },
                "requested_at": rfc3339(d.requested_at),
                "completed_at": completed_at.map(rfc3339),
            })));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(page(&d.code, d.requested_at, completed_at)))
}

/// A self-contained page: the code is hex (checked above), times are ours.
fn page(code: &str, requested_at: i64, completed_at: Option<i64>) -> String {
    let (title, line) = match completed_at {
        Some(t) => (
            "Deletion completed",
            format!(
                "Your Facebook data was deleted from this service on <time datetime=\"{0}\">{0}</time>: \
                 your Facebook profile, your access tokens and the tokens of the pages you connected.",
                rfc3339(t)
            ),
        ),
        None => (
            "Deletion pending",
            "Your request was received and the deletion is in progress. Check this page again in a few minutes."
                .to_string(),
        ),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;color:#1a2320;max-width:34rem;margin:3rem auto;padding:0 1rem}}\
         code{{background:#eef2f0;padding:2px 6px;border-radius:4px}}</style></head><body>\
         <h1>{title}</h1><p>{line}</p><p>Requested on <time datetime=\"{req}\">{req}</time>.</p>\
         <p>Confirmation code: <code>{code}</code></p></body></html>",
        req = rfc3339(requested_at)
    )
}
