//! `GET /webhooks/facebook` (Meta's verification) and `POST /webhooks/facebook`
//! (signed `page` deliveries). A `leadgen` change only names a lead: it is
//! marked pending and a job reads it, all in one write acknowledged after its
//! commit. A redelivered `leadgen_id` changes nothing; an unknown page is
//! acknowledged and kept in the dead-letter list.
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};
use tokio::sync::Notify;

use super::{by_page_id, graph::id_text, leads::JOB_KIND, LEADGEN_SEEN};
use crate::{
    channels::whatsapp::{
        deadletters, signature,
        webhook::{read_body, MAX_BODY},
    },
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    scheduler,
    store::{Reader, Store},
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.get(
        "/webhooks/facebook",
        crate::channels::whatsapp::webhook::verify,
    )
    .post("/webhooks/facebook", receive);
}

/// A lead a `leadgen` change announces.
#[derive(Debug, PartialEq)]
pub struct Announced {
    pub leadgen_id: String,
    pub page_id: String,
    pub form_id: Option<String>,
}

/// The `leadgen` changes of a `page` delivery; anything else is ignored.
pub fn announced(body: &Value) -> Vec<Announced> {
    if body["object"].as_str() != Some("page") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in body["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            if change["field"].as_str() != Some("leadgen") {
                continue;
            }
            let v = &change["value"];
            let page_id = id_text(&v["page_id"]).or_else(|| id_text(&entry["id"]));
            if let (Some(leadgen_id), Some(page_id)) = (id_text(&v["leadgen_id"]), page_id) {
                out.push(Announced {
                    leadgen_id,
                    page_id,
                    form_id: id_text(&v["form_id"]),
                });
            }
        }
    }
    out
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub accepted: usize,
    pub duplicates: usize,
    pub unknown_pages: usize,
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
        &body,
        header,
    )
    .await?;
    Ok(HttpResponse::Ok().json(json!({
        "received": outcome.accepted,
        "duplicates": outcome.duplicates,
        "unknown_pages": outcome.unknown_pages,
    })))
}

/// Signature over the raw bytes, then one write; the simulator's leads come this way too.
pub async fn ingest_signed(
    store: &Store,
    secret: &str,
    jobs_wake: &Notify,
    body: &[u8],
    header: Option<&str>,
) -> ApiResult<Outcome> {
    if !signature::verify(secret.as_bytes(), body, header) {
        return Err(ApiError::new(
            Code::InvalidSignature,
            "Missing or wrong X-Hub-Signature-256",
        ));
    }
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::new(Code::BadRequest, format!("The body is not JSON: {e}")))?;
    let leads = announced(&parsed);
    if leads.is_empty() {
        return Ok(Outcome::default());
    }
    let raw = String::from_utf8_lossy(body).into_owned();
    let outcome = store
        .write(move |ctx| {
            let mut o = Outcome::default();
            for lead in &leads {
                if ctx.get_raw(LEADGEN_SEEN, lead.leadgen_id.as_bytes())?.is_some() {
                    o.duplicates += 1;
                    continue;
                }
                let Some(page) = by_page_id(ctx, &lead.page_id)? else {
                    deadletters::record(
                        ctx,
                        "facebook",
                        &format!("no connected page {}", lead.page_id),
                        &raw,
                    )?;
                    o.unknown_pages += 1;
                    continue;
                };
                ctx.put_raw(LEADGEN_SEEN, lead.leadgen_id.as_bytes(), &[])?;
                scheduler::schedule(
                    ctx,
                    JOB_KIND,
                    &json!({"page": page.id, "leadgen_id": lead.leadgen_id, "form_id": lead.form_id}),
                    now_ms(),
                    12,
                )?;
                o.accepted += 1;
            }
            Ok(o)
        })
        .await?;
    if outcome.accepted > 0 {
        jobs_wake.notify_one();
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leadgen_changes_are_read_with_ids_as_numbers_or_strings() {
        let body = json!({"object": "page", "entry": [{"id": "153125381133", "time": 1764000000, "changes": [
            {"field": "leadgen", "value": {"leadgen_id": 444444444444i64, "page_id": 153125381133i64,
             "form_id": 555555, "ad_id": 0, "adgroup_id": 0, "created_time": 1764000000}},
            {"field": "feed", "value": {"item": "status"}},
            {"field": "leadgen", "value": {"leadgen_id": "777"}}]}]});
        assert_eq!(
            announced(&body),
            [
                Announced {
                    leadgen_id: "444444444444".into(),
                    page_id: "153125381133".into(),
                    form_id: Some("555555".into())
                },
                Announced {
                    leadgen_id: "777".into(),
                    page_id: "153125381133".into(),
                    form_id: None
                }
            ]
        );
        assert!(announced(&json!({"object": "whatsapp_business_account", "entry": []})).is_empty());
        assert!(announced(&json!([1, 2])).is_empty());
    }
}
