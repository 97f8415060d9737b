//! Webhook deliveries we could not place (an unregistered phone_number_id):
//! acknowledged to Meta, kept here for the platform admin to see.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::store::{
    self, codec, ids::RecordId, Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub id: RecordId,
    pub at: i64,
    pub source: String,
    pub reason: String,
    /// The payload as received, cut at 64 KiB.
    pub body: String,
}
impl Record for DeadLetter {}

/// (dead letter id) → DeadLetter; ULID keys keep them in arrival order.
const DEAD_LETTERS: Tbl = TableDefinition::new("dead_letters");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: DEAD_LETTERS,
    verify: codec::verify::<DeadLetter>,
}];

const MAX_BODY: usize = 64 * 1024;

pub fn record(
    ctx: &mut WriteCtx,
    source: &str,
    reason: &str,
    body: &str,
) -> Result<(), StoreError> {
    let mut cut = body.len().min(MAX_BODY);
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let d = DeadLetter {
        id: RecordId::new(),
        at: crate::time::now_ms(),
        source: source.to_string(),
        reason: reason.to_string(),
        body: body[..cut].to_string(),
    };
    ctx.put(DEAD_LETTERS, &Key::new().id(d.id.bytes()).done(), &d)
}

/// How many are kept (a key count, for the operators' health view).
pub fn count<R: Reader + ?Sized>(r: &R) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, DEAD_LETTERS, &[], None, usize::MAX)?.len())
}

/// Newest first.
pub fn list<R: Reader + ?Sized>(r: &R, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    let entries = r.range_raw(
        DEAD_LETTERS,
        std::ops::Bound::Unbounded,
        std::ops::Bound::Unbounded,
        limit,
        true,
    )?;
    store::decode_entries(DEAD_LETTERS, entries)
}
