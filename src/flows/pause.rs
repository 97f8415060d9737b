//! When Meta answers an automated message with a rate limit, the number's
//! flow stops starting new runs for a cooldown (`flows.rate_limit_cooldown_secs`),
//! and a durable job lifts the pause, so a burst does not dig the hole deeper
//! and nobody has to remember to switch the flow back on.
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use redb::TableDefinition;
use serde_json::{json, Value};

use crate::{
    conversations::model::Message,
    events::Event,
    scheduler::{self, Handler, Job, Outcome},
    store::{
        ids::{BusinessId, NumberId},
        Key, Reader, Store, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

pub const JOB: &str = "flow_reenable";
/// (business, number) → paused until (ms, 8 bytes)
const PAUSES: Tbl = TableDefinition::new("flow_pauses");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: PAUSES,
    verify: crate::store::verify_len::<8>,
}];

static COOLDOWN_MS: AtomicI64 = AtomicI64::new(30 * 60_000);

/// Set once at start from the configuration.
pub fn set_cooldown_secs(secs: u64) {
    COOLDOWN_MS.store((secs.max(1) as i64).saturating_mul(1000), Ordering::Relaxed);
}

fn key(b: BusinessId, n: NumberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(n.bytes()).done()
}

/// Until when the number's flow is paused, if it is.
pub fn paused_until<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
) -> Result<Option<i64>, StoreError> {
    Ok(r.get_raw(PAUSES, &key(b, n))?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(i64::from_be_bytes)
        .filter(|until| *until > now_ms()))
}

/// Meta refused a message for its rate: if a flow sent it, pause that number's flow.
pub fn on_rate_limit(ctx: &mut WriteCtx, number: NumberId, m: &Message) -> Result<(), StoreError> {
    let automated = m.author_id.is_none() && m.details.contains("\"flow\"");
    if !automated || paused_until(ctx, m.business_id, number)?.is_some() {
        return Ok(());
    }
    let until = now_ms() + COOLDOWN_MS.load(Ordering::Relaxed);
    ctx.put_raw(PAUSES, &key(m.business_id, number), &until.to_be_bytes())?;
    scheduler::schedule(
        ctx,
        JOB,
        &json!({"business": m.business_id, "number": number}),
        until,
        5,
    )?;
    ctx.emit(Event::new(
        Some(m.business_id),
        "flow.paused",
        json!({"number_id": number, "until": crate::time::rfc3339(until)}),
    ));
    Ok(())
}

pub fn handler(store: Store) -> Handler {
    Arc::new(move |job: Job| {
        let store = store.clone();
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let (Some(b), Some(n)) = (
                args["business"]
                    .as_str()
                    .and_then(|s| s.parse::<BusinessId>().ok()),
                args["number"]
                    .as_str()
                    .and_then(|s| s.parse::<NumberId>().ok()),
            ) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            let lifted = store
                .write(move |ctx| {
                    ctx.delete(PAUSES, &key(b, n))?;
                    ctx.emit(Event::new(Some(b), "flow.resumed", json!({"number_id": n})));
                    Ok(())
                })
                .await;
            match lifted {
                Ok(()) => Outcome::Done,
                Err(e) => Outcome::Retry(e.message),
            }
        })
    })
}
