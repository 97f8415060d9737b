//! Usage counters per business for the platform admin: conversations and
//! messages per UTC day, kept in the write path that creates them, so the
//! admin list never walks a tenant's history (a 30-day figure is a range of
//! at most 30 keys).
use std::ops::Bound;

use redb::TableDefinition;

use crate::{
    store::{self, ids::BusinessId, Key, Reader, StoreError, TableSpec, Tbl, WriteCtx},
    time::now_ms,
};

/// (business, metric, UTC day) → u64 LE. Totals use day 0.
const USAGE: Tbl = TableDefinition::new("business_usage");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: USAGE,
    verify: store::verify_len::<8>,
}];

const CONVERSATIONS: u8 = 1;
const MESSAGES_DAY: u8 = 2;
const DAY_MS: i64 = 86_400_000;

fn day(ms: i64) -> u32 {
    ms.div_euclid(DAY_MS).clamp(0, u32::MAX as i64) as u32
}

fn key(b: BusinessId, metric: u8, day: u32) -> Vec<u8> {
    Key::new()
        .id(b.bytes())
        .raw(&[metric])
        .raw(&day.to_be_bytes())
        .done()
}

fn read_u64<R: Reader + ?Sized>(r: &R, k: &[u8]) -> Result<u64, StoreError> {
    Ok(r.get_raw(USAGE, k)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, u64::from_le_bytes))
}

fn add(ctx: &mut WriteCtx, k: &[u8], delta: i64) -> Result<(), StoreError> {
    ctx.add_to_counter(USAGE, k, delta);
    Ok(())
}

/// A conversation was created (the repo calls this for every new one).
pub fn conversation_created(ctx: &mut WriteCtx, b: BusinessId) -> Result<(), StoreError> {
    add(ctx, &key(b, CONVERSATIONS, 0), 1)
}

/// A conversation was deleted (erasure must call this to keep the count true).
pub fn conversation_removed(ctx: &mut WriteCtx, b: BusinessId) -> Result<(), StoreError> {
    add(ctx, &key(b, CONVERSATIONS, 0), -1)
}

/// A message was stored for the first time, dated `at`.
pub fn message_created(ctx: &mut WriteCtx, b: BusinessId, at: i64) -> Result<(), StoreError> {
    add(ctx, &key(b, MESSAGES_DAY, day(at)), 1)
}

pub fn conversations<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<u64, StoreError> {
    read_u64(r, &key(b, CONVERSATIONS, 0))
}

/// Messages dated within the last 30 days (today and the 29 before).
pub fn messages_30d<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<u64, StoreError> {
    let today = day(now_ms());
    let from = key(b, MESSAGES_DAY, today.saturating_sub(29));
    let to = key(b, MESSAGES_DAY, today.saturating_add(1));
    let rows = r.range_raw(
        USAGE,
        Bound::Included(from.as_slice()),
        Bound::Excluded(to.as_slice()),
        64,
        false,
    )?;
    Ok(rows
        .iter()
        .filter_map(|(_, v)| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map(u64::from_le_bytes)
        .sum())
}

/// Stores written before these counters get them once, at start-up: every
/// conversation is counted, and every message by the time in its id. A no-op
/// once done.
pub fn backfill(ctx: &mut WriteCtx) -> Result<usize, StoreError> {
    // The all-zero business marks facts about the whole store.
    let marker = key(BusinessId(ulid::Ulid::nil()), 0, 0);
    if ctx.get_raw(USAGE, &marker)?.is_some() {
        return Ok(0);
    }
    let mut counted = 0;
    // Counters already there mean this build wrote everything itself.
    if store::scan_raw(ctx, USAGE, &[], 1)?.is_empty() {
        counted += backfill_table(ctx, crate::conversations::repo::CONVERSATIONS, |ctx, k| {
            match BusinessId::from_bytes(k) {
                Some(b) => conversation_created(ctx, b),
                None => Ok(()),
            }
        })?;
        counted += backfill_table(ctx, crate::conversations::repo::MESSAGES, |ctx, k| {
            let b = BusinessId::from_bytes(k);
            let m = k
                .get(32..)
                .and_then(crate::store::ids::MessageId::from_bytes);
            match (b, m) {
                (Some(b), Some(m)) => message_created(ctx, b, m.0.timestamp_ms() as i64),
                _ => Ok(()),
            }
        })?;
    }
    ctx.put_raw(USAGE, &marker, &1u64.to_le_bytes())?;
    Ok(counted)
}

fn backfill_table(
    ctx: &mut WriteCtx,
    t: Tbl,
    mut each: impl FnMut(&mut WriteCtx, &[u8]) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let mut after: Option<Vec<u8>> = None;
    let mut n = 0;
    loop {
        let keys = store::scan_keys(ctx, t, &[], after.as_deref(), 5_000)?;
        let Some(last) = keys.last().cloned() else {
            return Ok(n);
        };
        for k in &keys {
            each(ctx, k)?;
            n += 1;
        }
        after = Some(last);
    }
}
