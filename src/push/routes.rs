//! A member's devices: the key their browser needs to subscribe, the
//! subscriptions themselves, and a test push to see it work.
use actix_web::{web, HttpRequest, HttpResponse};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use serde::Deserialize;
use serde_json::json;

use super::{get, notify, of_member, remove, subscribe, PushMessage, Subscription};
use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::ids::RecordId,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/push/key", key)
        .get("/api/push/subscriptions", list)
        .post("/api/push/subscriptions", create)
        .answers(&[201])
        .delete("/api/push/subscriptions/{id}", delete)
        .answers(&[204])
        .post("/api/push/test", test)
        .answers(&[202]);
}

async fn key(state: web::Data<AppState>, _actor: MemberActor) -> HttpResponse {
    HttpResponse::Ok().json(json!({"public_key": state.vapid.public_key}))
}

fn json_of(s: &Subscription) -> serde_json::Value {
    let host = reqwest::Url::parse(&s.endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    json!({"id": s.id, "endpoint_host": host, "user_agent": s.user_agent, "created_at": rfc3339(s.created_at)})
}

async fn list(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let items = of_member(&read, actor.business.id, actor.scope.member_id)?;
    Ok(HttpResponse::Ok()
        .json(json!({"items": items.iter().map(json_of).collect::<Vec<_>>(), "next_cursor": null})))
}

#[derive(Deserialize)]
struct Keys {
    p256dh: String,
    auth: String,
}

/// The shape of the browser's `PushSubscription.toJSON()`.
#[derive(Deserialize)]
struct NewSubscription {
    endpoint: String,
    keys: Keys,
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default, rename = "expirationTime")]
    _expiration_time: Option<serde_json::Value>,
}

fn decode_key(field: &str, value: &str, len: usize) -> ApiResult<Vec<u8>> {
    let bytes = B64
        .decode(value.trim_end_matches('='))
        .map_err(|_| ApiError::field(field, "must be base64url"))?;
    if bytes.len() != len {
        return Err(ApiError::field(field, format!("must be {len} bytes")));
    }
    Ok(bytes)
}

async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    req: HttpRequest,
    body: web::Json<NewSubscription>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let endpoint = reqwest::Url::parse(&body.endpoint)
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
        .ok_or_else(|| ApiError::field("endpoint", "must be the push service's http(s) URL"))?;
    if body.endpoint.len() > 2048 {
        return Err(ApiError::field("endpoint", "at most 2048 characters"));
    }
    let p256dh = decode_key("keys.p256dh", &body.keys.p256dh, 65)?;
    if p256::PublicKey::from_sec1_bytes(&p256dh).is_err() {
        return Err(ApiError::field("keys.p256dh", "is not a P-256 public key"));
    }
    let auth = decode_key("keys.auth", &body.keys.auth, 16)?;
    let user_agent = body
        .user_agent
        .or_else(|| {
            req.headers()
                .get("User-Agent")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let sub = Subscription {
        id: RecordId::new(),
        business_id: actor.business.id,
        member_id: actor.scope.member_id,
        endpoint: endpoint.to_string(),
        p256dh,
        auth,
        user_agent,
        created_at: now_ms(),
    };
    let saved = sub.clone();
    state
        .store
        .write(move |ctx| Ok(subscribe(ctx, &saved)?))
        .await?;
    Ok(HttpResponse::Created().json(json_of(&sub)))
}

async fn delete(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: RecordId = id
        .parse()
        .map_err(|_| ApiError::new(Code::NotFound, "No such device"))?;
    let (b, m) = (actor.business.id, actor.scope.member_id);
    state
        .store
        .write(move |ctx| match get(ctx, b, m, id)? {
            Some(s) => Ok(remove(ctx, &s)?),
            None => Err(ApiError::new(Code::NotFound, "No such device")),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sends "It works" to every device of the caller.
async fn test(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let (b, m) = (actor.business.id, actor.scope.member_id);
    let message = PushMessage {
        title: "wafunnel".into(),
        body: "Push notifications work on this device.".into(),
        url: "/profile".into(),
        tag: "test".into(),
    };
    let devices = state
        .store
        .write(move |ctx| Ok(notify(ctx, b, m, &message)?))
        .await?;
    state.jobs_wake.notify_one();
    Ok(HttpResponse::Accepted().json(json!({"devices": devices})))
}
