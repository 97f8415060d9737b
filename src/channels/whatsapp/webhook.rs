//! `GET /webhooks/whatsapp` (Meta's verification) and `POST /webhooks/whatsapp`
//! (signed deliveries, acknowledged after their commit).
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

use super::{ingest, parse, signature};
use tokio::sync::Notify;

use crate::{
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::Store,
};

/// Meta sends up to 3 MB per delivery.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

pub fn routes(r: &mut Routes) {
    r.get("/webhooks/whatsapp", verify)
        .post("/webhooks/whatsapp", receive);
}

#[derive(Deserialize)]
pub struct Verification {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

pub async fn verify(state: web::Data<AppState>, q: web::Query<Verification>) -> HttpResponse {
    let expected = &state.config.meta.verify_token;
    let ok = q.mode.as_deref() == Some("subscribe")
        && !expected.is_empty()
        && q.verify_token.as_deref().is_some_and(|t| {
            subtle::ConstantTimeEq::ct_eq(t.as_bytes(), expected.as_bytes()).into()
        });
    match (ok, &q.challenge) {
        (true, Some(challenge)) => HttpResponse::Ok()
            .content_type("text/plain")
            .body(challenge.clone()),
        _ => HttpResponse::Forbidden().json(
            json!({"error": {"code": "forbidden", "message": "Verification token mismatch"}}),
        ),
    }
}

/// Reads a body up to `limit` bytes, answering 413 beyond.
pub async fn read_body(mut payload: web::Payload, limit: usize) -> ApiResult<web::Bytes> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::new(Code::BadRequest, format!("Unreadable body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::new(
                Code::PayloadTooLarge,
                format!("The body is larger than {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, MAX_BODY).await?;
    let header = req
        .headers()
        .get("X-Hub-Signature-256")
        .and_then(|v| v.to_str().ok());
    let outcome = ingest_signed(
        &state.store,
        &state.webhook_secret,
        &state.jobs_wake,
        body,
        header,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Acknowledged {
        received: outcome.stored,
        duplicates: outcome.duplicates,
        statuses: outcome.statuses,
    }))
}

#[derive(serde::Serialize)]
struct Acknowledged {
    received: usize,
    duplicates: usize,
    statuses: usize,
}

/// The one way a delivery enters: signature over the raw bytes, parse, then
/// one write whose commit comes before the caller's answer. The simulator
/// goes through here too, so a sandbox conversation is a real one.
pub async fn ingest_signed(
    store: &Store,
    secret: &str,
    jobs_wake: &Notify,
    body: web::Bytes,
    header: Option<&str>,
) -> ApiResult<ingest::Outcome> {
    if !signature::verify(secret.as_bytes(), &body, header) {
        return Err(ApiError::new(
            Code::InvalidSignature,
            "Missing or wrong X-Hub-Signature-256",
        ));
    }
    let delivery = match parse::parse(&body) {
        Ok(d) => d,
        // Signed by Meta but not WhatsApp's (another product subscribed to
        // this URL): kept for the admin and acknowledged, since a refusal
        // only makes Meta send it again for days.
        Err(e @ parse::ParseError::NotWhatsApp(_)) => {
            let reason = e.to_string();
            store
                .write(move |ctx| {
                    super::deadletters::record(
                        ctx,
                        "whatsapp",
                        &reason,
                        &String::from_utf8_lossy(&body),
                    )?;
                    Ok(())
                })
                .await?;
            return Ok(ingest::Outcome {
                dead_letters: 1,
                ..Default::default()
            });
        }
        Err(e) => return Err(ApiError::new(Code::BadRequest, e.to_string())),
    };
    if delivery.changes.is_empty() {
        return Ok(ingest::Outcome::default());
    }
    let prepared = ingest::prepare(&delivery);
    let outcome = store
        .write(move |ctx| ingest::apply(ctx, &prepared, &body))
        .await?;
    if outcome.media > 0 {
        jobs_wake.notify_one();
    }
    Ok(outcome)
}
