//! Statuses that outran their send. Meta can deliver `sent` or even `read`
//! for a wamid before the sender has recorded Meta's answer to the send; such a
//! status is parked here and applied the moment the wamid is recorded. Parked
//! statuses of wamids that never show up (sent by another tool on the same
//! number) expire after `KEEP_MS`.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::model::MessageStatus;
use crate::{
    store::{self, codec, Key, Record, StoreError, TableSpec, Tbl, WriteCtx},
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parked {
    pub status: MessageStatus,
    pub error: Option<String>,
    pub at: i64,
}
impl Record for Parked {}

/// wamid → the furthest status seen for it
const PARKED: Tbl = TableDefinition::new("statuses_parked");
/// (parked at, wamid) → (): the expiry order
const PARKED_BY_TIME: Tbl = TableDefinition::new("statuses_parked_by_time");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: PARKED,
        verify: codec::verify::<Parked>,
    },
    TableSpec {
        def: PARKED_BY_TIME,
        verify: store::verify_empty,
    },
];

/// Far longer than any send takes to be recorded.
const KEEP_MS: i64 = 10 * 60 * 1000;
/// Expired entries removed per park, so cleanup keeps pace without a job.
const SWEEP: usize = 4;

fn wamid_key(wamid: &str) -> Vec<u8> {
    Key::new().str(wamid).done()
}

fn time_key(at: i64, wamid: &str) -> Vec<u8> {
    Key::new().i64(at).str(wamid).done()
}

pub fn park(
    ctx: &mut WriteCtx,
    wamid: &str,
    status: MessageStatus,
    error: Option<String>,
) -> Result<(), StoreError> {
    sweep(ctx)?;
    let k = wamid_key(wamid);
    let existing: Option<Parked> = store::get(ctx, PARKED, &k)?;
    if let Some(p) = &existing {
        if !p.status.advances_to(status) {
            return Ok(());
        }
        ctx.delete(PARKED_BY_TIME, &time_key(p.at, wamid))?;
    }
    let at = now_ms();
    ctx.put(PARKED, &k, &Parked { status, error, at })?;
    ctx.put_raw(PARKED_BY_TIME, &time_key(at, wamid), &[])
}

/// The status parked for `wamid`, removed: it is being applied.
pub fn take(ctx: &mut WriteCtx, wamid: &str) -> Result<Option<Parked>, StoreError> {
    let k = wamid_key(wamid);
    let Some(p) = store::get::<Parked, _>(ctx, PARKED, &k)? else {
        return Ok(None);
    };
    ctx.delete(PARKED, &k)?;
    ctx.delete(PARKED_BY_TIME, &time_key(p.at, wamid))?;
    Ok(Some(p))
}

fn sweep(ctx: &mut WriteCtx) -> Result<(), StoreError> {
    let horizon = now_ms() - KEEP_MS;
    for key in store::scan_keys(ctx, PARKED_BY_TIME, &[], None, SWEEP)? {
        let at = key
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(|b| (u64::from_be_bytes(b) ^ (1 << 63)) as i64);
        if at.is_none_or(|at| at >= horizon) {
            break;
        }
        ctx.delete(PARKED_BY_TIME, &key)?;
        // The time index key ends with the wamid key itself.
        if let Some(wamid_key) = key.get(8..) {
            ctx.delete(PARKED, wamid_key)?;
        }
    }
    Ok(())
}
