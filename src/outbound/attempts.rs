//! Sends that went out to Meta and have no recorded answer yet. Meta's send
//! API has no idempotency key, so a send whose answer was lost (a crash, a
//! timeout after the request left) may have reached the customer: it is
//! never sent again on its own, a person decides.
use redb::TableDefinition;

use super::OutboxItem;
use crate::{
    store::{codec, Key, Reader, StoreError, TableSpec, Tbl, WriteCtx},
    time::now_ms,
};

/// message → when its send started (i64, big-endian ms).
const SENDING: Tbl = TableDefinition::new("outbox_sending");

pub const TABLE: TableSpec = TableSpec {
    def: SENDING,
    verify: verify_started,
};

fn verify_started(v: &[u8]) -> Result<(), codec::CodecError> {
    match v.len() {
        8 => Ok(()),
        n => Err(codec::CodecError::Bincode(format!(
            "a send's start holds 8 bytes, not {n}"
        ))),
    }
}

fn key(item: &OutboxItem) -> Vec<u8> {
    Key::new().id(item.message_id.bytes()).done()
}

/// Notes, durably, that this item is about to go out. False when an earlier
/// process had already sent it out and stopped before Meta's answer was kept.
pub fn begin(ctx: &mut WriteCtx, item: &OutboxItem) -> Result<bool, StoreError> {
    if ctx.get_raw(SENDING, &key(item))?.is_some() {
        return Ok(false);
    }
    ctx.put_raw(SENDING, &key(item), &now_ms().to_be_bytes())?;
    Ok(true)
}

/// The send's answer is recorded (or it is gone): its note goes.
pub fn end(ctx: &mut WriteCtx, item: &OutboxItem) -> Result<(), StoreError> {
    ctx.delete(SENDING, &key(item))?;
    Ok(())
}
