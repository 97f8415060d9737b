//! Delivering one queued push to one device (RFC 8030): encrypt, sign, POST,
//! and read the push service's answer: 2xx delivered, 404/410 the
//! subscription is gone (remove it), 429/5xx/unreachable try again later.
use std::{sync::Arc, time::Duration};

use serde_json::Value;

use super::{ece, get, remove, PushMessage, Vapid};
use crate::{
    scheduler::{Handler, Job, Outcome},
    store::{
        ids::{BusinessId, MemberId, RecordId},
        Store,
    },
};

/// Seconds a push service may hold a message for an offline device.
const TTL_SECS: u32 = 24 * 3600;

struct Target {
    business: BusinessId,
    member: MemberId,
    subscription: RecordId,
    message: PushMessage,
}

fn target(payload: &str) -> Option<Target> {
    let v: Value = serde_json::from_str(payload).ok()?;
    Some(Target {
        business: v["business"].as_str()?.parse().ok()?,
        member: v["member"].as_str()?.parse().ok()?,
        subscription: v["subscription"].as_str()?.parse().ok()?,
        message: serde_json::from_value(v["message"].clone()).ok()?,
    })
}

pub fn handler(store: Store, vapid: Arc<Vapid>) -> Handler {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_default();
    Arc::new(move |job: Job| {
        let (store, vapid, http) = (store.clone(), vapid.clone(), http.clone());
        Box::pin(async move {
            let Some(t) = target(&job.payload) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let found = store
                .read()
                .map(|r| get(&r, t.business, t.member, t.subscription));
            let sub = match found {
                Ok(Ok(Some(s))) => s,
                // Unsubscribed since: nothing to deliver.
                Ok(Ok(None)) => return Outcome::Done,
                _ => return Outcome::Retry("reading the subscription failed".into()),
            };
            let Ok(endpoint) = reqwest::Url::parse(&sub.endpoint) else {
                return Outcome::Fail("the subscription's endpoint is not a URL".into());
            };
            let plaintext = serde_json::to_vec(&t.message).unwrap_or_default();
            let body = match ece::encrypt(&sub.p256dh, &sub.auth, &plaintext) {
                Ok(b) => b,
                Err(e) => return Outcome::Fail(e.to_string()),
            };
            let mut request = http.post(endpoint.clone());
            let topic = topic(&t.message.tag);
            if !topic.is_empty() {
                request = request.header("Topic", topic);
            }
            let sent = request
                .header("Content-Encoding", "aes128gcm")
                .header("Content-Type", "application/octet-stream")
                .header("TTL", TTL_SECS.to_string())
                .header("Urgency", "normal")
                .header(
                    "Authorization",
                    vapid.authorization(&endpoint, crate::time::now_ms() / 1000),
                )
                .body(body)
                .send()
                .await;
            let (status, retry_after) = match sent {
                // RFC 8030: a push service that throttles says when to come back.
                Ok(r) => (
                    r.status().as_u16(),
                    r.headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<i64>().ok())
                        .map(|secs| secs.clamp(0, 3600) * 1000),
                ),
                Err(e) => return Outcome::Retry(format!("push service unreachable: {e}")),
            };
            match status {
                200..=299 => Outcome::Done,
                404 | 410 => {
                    let gone = store
                        .write(move |ctx| {
                            if let Some(s) = get(ctx, t.business, t.member, t.subscription)? {
                                remove(ctx, &s)?;
                            }
                            Ok(())
                        })
                        .await;
                    match gone {
                        Ok(()) => Outcome::Done,
                        Err(e) => Outcome::Retry(e.message),
                    }
                }
                429 | 500..=599 => match retry_after {
                    Some(ms) => Outcome::RetryAfter(format!("push service answered {status}"), ms),
                    None => Outcome::Retry(format!("push service answered {status}")),
                },
                _ => Outcome::Fail(format!("push service refused the message ({status})")),
            }
        })
    })
}

/// RFC 8030 §5.4: a topic is at most 32 base64url characters; a newer
/// message with the same topic replaces an undelivered older one.
fn topic(tag: &str) -> String {
    tag.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect()
}
