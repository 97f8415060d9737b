//! Browser push: each member's devices subscribe (an endpoint plus the keys
//! the browser made), and a reminder becomes one durable `push_send` job per
//! device. The job encrypts (RFC 8291), signs (VAPID) and posts (RFC 8030);
//! a push service that says the subscription is gone (404/410) gets it removed.
//! A future mobile app's FCM sender is another deliverer behind `notify`.
pub mod ece;
pub mod routes;
pub mod send;
pub mod vapid;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    scheduler,
    store::{
        self, codec,
        ids::{BusinessId, MemberId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

pub use vapid::Vapid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub member_id: MemberId,
    pub endpoint: String,
    /// The browser's P-256 public key (uncompressed point).
    pub p256dh: Vec<u8>,
    /// The browser's 16-byte auth secret.
    pub auth: Vec<u8>,
    pub user_agent: String,
    pub created_at: i64,
}
impl Record for Subscription {}

/// (business, member, id) → Subscription
const SUBSCRIPTIONS: Tbl = TableDefinition::new("push_subscriptions");
/// sha256(endpoint) → (business, member, id): one owner per browser endpoint.
const BY_ENDPOINT: Tbl = TableDefinition::new("push_by_endpoint");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: SUBSCRIPTIONS,
        verify: codec::verify::<Subscription>,
    },
    TableSpec {
        def: BY_ENDPOINT,
        verify: store::verify_len::<48>,
    },
];

pub const JOB: &str = "push_send";
/// Tries of one push: about twenty minutes of backoff, or longer when the
/// push service asks for it with `Retry-After`.
const ATTEMPTS: u32 = 10;

/// What a device shows: the service worker turns it into a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// Path in the app the notification opens.
    pub url: String,
    /// Same tag, same notification slot on the device.
    pub tag: String,
}

fn prefix(b: BusinessId, m: MemberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(m.bytes()).done()
}

fn key(s: &Subscription) -> Vec<u8> {
    Key::new()
        .raw(&prefix(s.business_id, s.member_id))
        .id(s.id.bytes())
        .done()
}

fn endpoint_key(endpoint: &str) -> Vec<u8> {
    Sha256::digest(endpoint.as_bytes()).to_vec()
}

/// Stores a device's subscription; the same endpoint subscribed again
/// (another member on a shared browser, or fresh keys) replaces the old one.
pub fn subscribe(ctx: &mut WriteCtx, s: &Subscription) -> Result<(), StoreError> {
    if let Some(old) = by_endpoint(ctx, &s.endpoint)? {
        remove(ctx, &old)?;
    }
    ctx.put(SUBSCRIPTIONS, &key(s), s)?;
    ctx.put_raw(BY_ENDPOINT, &endpoint_key(&s.endpoint), &key(s))
}

pub fn remove(ctx: &mut WriteCtx, s: &Subscription) -> Result<(), StoreError> {
    ctx.delete(SUBSCRIPTIONS, &key(s))?;
    ctx.delete(BY_ENDPOINT, &endpoint_key(&s.endpoint))?;
    Ok(())
}

fn by_endpoint<R: Reader + ?Sized>(
    r: &R,
    endpoint: &str,
) -> Result<Option<Subscription>, StoreError> {
    match r.get_raw(BY_ENDPOINT, &endpoint_key(endpoint))? {
        Some(k) => store::get(r, SUBSCRIPTIONS, &k),
        None => Ok(None),
    }
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: MemberId,
    id: RecordId,
) -> Result<Option<Subscription>, StoreError> {
    store::get(
        r,
        SUBSCRIPTIONS,
        &Key::new().raw(&prefix(b, m)).id(id.bytes()).done(),
    )
}

/// A member's devices, oldest first.
pub fn of_member<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: MemberId,
) -> Result<Vec<Subscription>, StoreError> {
    store::records(r, SUBSCRIPTIONS, &prefix(b, m), 100)
}

/// Queues the message for every device of the member, in the caller's write.
pub fn notify(
    ctx: &mut WriteCtx,
    b: BusinessId,
    m: MemberId,
    message: &PushMessage,
) -> Result<usize, StoreError> {
    let devices = of_member(ctx, b, m)?;
    for s in &devices {
        scheduler::schedule(
            ctx,
            JOB,
            &json!({"business": b, "member": m, "subscription": s.id, "message": message}),
            now_ms(),
            ATTEMPTS,
        )?;
    }
    Ok(devices.len())
}
