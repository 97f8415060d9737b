//! `POST /hooks/{channel_id}`: a lead from another system. Bearer token of the
//! channel, a JSON body of at most 64 KB mapped by the channel's JSON pointers,
//! and an optional `Idempotency-Key` so a retried call creates nothing twice.
use actix_web::{web, HttpRequest, HttpResponse};
use redb::TableDefinition;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::get;
use crate::{
    assignment::Channel as PoolChannel,
    channels::whatsapp::webhook::read_body,
    conversations::model::Source,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    leads::{self, Capture, Fields},
    store::{
        ids::{ContactId, ConversationId, RecordId},
        Key, Reader, Tbl,
    },
    tenancy::repo as tenancy,
};

/// Bodies larger than this are refused.
pub const MAX_BODY: usize = 64 * 1024;

/// (channel, idempotency key) → conversation and contact (16 + 16 bytes),
/// then the sha256 of the body the key came with (32 bytes; absent in
/// entries written before it was kept).
pub(crate) const SEEN: Tbl = TableDefinition::new("custom_hooks_seen");

pub(crate) fn verify_seen(v: &[u8]) -> Result<(), crate::store::codec::CodecError> {
    match v.len() {
        32 => Ok(()),
        _ => crate::store::verify_len::<64>(v),
    }
}

pub fn routes(r: &mut Routes) {
    r.post("/hooks/{id}", receive).answers(&[201]);
}

fn unauthorized() -> ApiError {
    ApiError::new(
        Code::Unauthenticated,
        "Missing or wrong channel token (Authorization: Bearer …)",
    )
}

/// The text at `pointer`, whether the sender sent a string or a number.
fn at(body: &Value, pointer: &str) -> Option<String> {
    match body.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => None,
        // A structured answer is kept as written rather than dropped.
        other => Some(other.to_string()),
    }
}

async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    // One answer for "no such channel" and "wrong token": ids are not secrets.
    let channel = id
        .parse::<RecordId>()
        .ok()
        .map(|id| get(&state.store.read()?, id))
        .transpose()?
        .flatten()
        .filter(|c| c.kind == super::Kind::Webhook)
        .ok_or_else(unauthorized)?;
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let hash = crate::auth::tokens::hash(token.trim());
    if !bool::from(hash.ct_eq(&channel.token_hash)) {
        return Err(unauthorized());
    }
    let body = read_body(payload, MAX_BODY).await?;
    let form = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    // A website's own form may post straight here: its fields map like JSON keys.
    let body: Value = if form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|e| {
            ApiError::new(
                Code::BadRequest,
                format!("The form body is unreadable: {e}"),
            )
        })?;
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(Code::MalformedJson, format!("The body is not JSON: {e}")))?
    };
    if !body.is_object() {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "The body must be a JSON object",
        ));
    }
    let pointer = |field: &str| {
        channel
            .mapping
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, p)| p.as_str())
            .unwrap_or("")
    };
    let field = |name: &str| match pointer(name) {
        "" => None,
        p => at(&body, p),
    };
    let business =
        tenancy::business(&state.store.read()?, channel.business_id)?.ok_or_else(unauthorized)?;
    let (who, note) = leads::validate_lenient(
        Fields {
            name: field("name"),
            phone: field("phone"),
            email: field("email"),
            note: field("note"),
        },
        &business.default_country,
    )?;
    let idempotency = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| k.chars().take(200).collect::<String>());
    let capture = Capture {
        who,
        note,
        number: None,
        source: Source::Webhook,
        channel: PoolChannel::Custom(channel.id),
        assignee: None,
        fallback: None,
        origin: format!("Lead from {}", channel.name),
        author: None,
        live: true,
        labels: Vec::new(),
        details: serde_json::Value::Null,
    };
    // Keys sorted (serde_json's map), so a retry that reorders them is the same body.
    let fingerprint: [u8; 32] =
        <sha2::Sha256 as sha2::Digest>::digest(body.to_string().as_bytes()).into();
    let (cid, contact_id, created) = state
        .store
        .write(move |ctx| {
            let seen_key = idempotency
                .as_ref()
                .map(|k| Key::new().id(channel.id.bytes()).str(k).done());
            if let Some(k) = &seen_key {
                if let Some(v) = ctx.get_raw(SEEN, k)? {
                    // The same key with another lead is a client's bug: taking
                    // it for a retry would drop that lead without a word.
                    if v.get(32..64).is_some_and(|seen| seen != fingerprint) {
                        return Err(ApiError::new(
                            Code::InvalidRequest,
                            "This Idempotency-Key was already used with a different body",
                        ));
                    }
                    let (c, p) = (
                        v.get(..16).and_then(ConversationId::from_bytes),
                        v.get(16..32).and_then(ContactId::from_bytes),
                    );
                    if let (Some(c), Some(p)) = (c, p) {
                        return Ok((c, p, false));
                    }
                }
            }
            let (c, _) = leads::capture(ctx, channel.business_id, &capture)?;
            if let Some(k) = &seen_key {
                let seen = [&c.id.bytes()[..], &c.contact_id.bytes(), &fingerprint].concat();
                ctx.put_raw(SEEN, k, &seen)?;
            }
            Ok((c.id, c.contact_id, true))
        })
        .await?;
    let out = json!({"conversation_id": cid, "contact_id": contact_id, "replayed": !created});
    // A replay answers as the first call did.
    Ok(HttpResponse::Created().json(out))
}
