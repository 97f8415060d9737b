//! Retired list-index entries, removed in sorted batches instead of one by one.
//!
//! Every inbound message moves its conversation to the top of both list
//! indexes. Deleting the old entries at once cost each group commit a random
//! B-tree leaf per index and message (about one write in seven of the ingest
//! path, and 13-15 % of its throughput in `benches/ingest.sh`). So the old
//! keys are logged here in arrival order, which appends, and once
//! `COLLECT_AFTER` of them wait they are deleted together, in key order, so a
//! leaf is rewritten once for all the entries it held.
//!
//! Until then an index may hold entries that no longer describe their
//! conversation. Readers keep only live ones (`is_live`): the entry's order
//! suffix is the conversation's current one, and in the assignee index its
//! assignee is the current one. The record is read for every listed row
//! anyway, so the check costs nothing extra.
use redb::TableDefinition;

use super::{
    model::Conversation,
    repo::{self, BY_ACTIVITY, BY_ASSIGNEE},
};
use crate::store::{
    codec::CodecError, ids::ConversationId, ids::RecordId, Reader, StoreError, TableSpec, Tbl,
    WriteCtx,
};

/// (time-ordered id) → (index tag, retired key)
pub(crate) const STALE: Tbl = TableDefinition::new("conversations_list_stale");

/// Retired entries wait for at most this many others: a bound on the dead
/// entries a list page may step over, and a batch large enough that most
/// leaves of a busy business's indexes lose several entries at once.
pub const COLLECT_AFTER: u64 = 2_048;

const TAG_ACTIVITY: u8 = 0;
const TAG_ASSIGNEE: u8 = 1;

pub const TABLE: TableSpec = TableSpec {
    def: STALE,
    verify: verify_entry,
};

fn verify_entry(v: &[u8]) -> Result<(), CodecError> {
    match v.split_first() {
        Some((&TAG_ACTIVITY | &TAG_ASSIGNEE, key)) if key.len() > 24 => Ok(()),
        _ => Err(CodecError::Bincode("not a retired list entry".into())),
    }
}

fn table_of(tag: u8) -> Option<Tbl> {
    match tag {
        TAG_ACTIVITY => Some(BY_ACTIVITY),
        TAG_ASSIGNEE => Some(BY_ASSIGNEE),
        _ => None,
    }
}

/// Logs the entries `before` had that `after` does not, and collects the log
/// when it is long enough.
pub fn retire(
    ctx: &mut WriteCtx,
    before: &Conversation,
    after: &Conversation,
) -> Result<(), StoreError> {
    let (old, new) = (repo::order_suffix(before), repo::order_suffix(after));
    if old == new && before.assignee_id == after.assignee_id {
        return Ok(());
    }
    if old != new {
        log(
            ctx,
            TAG_ACTIVITY,
            &repo::activity_key(before.business_id, &old),
        )?;
    }
    log(ctx, TAG_ASSIGNEE, &repo::assignee_key(before, &old))?;
    if ctx.len(STALE)? >= COLLECT_AFTER {
        collect(ctx)?;
    }
    Ok(())
}

fn log(ctx: &mut WriteCtx, tag: u8, key: &[u8]) -> Result<(), StoreError> {
    let mut entry = Vec::with_capacity(1 + key.len());
    entry.push(tag);
    entry.extend_from_slice(key);
    ctx.put_raw(STALE, &RecordId::new().bytes(), &entry)
}

/// Deletes every logged entry, in key order, unless it became live again
/// (a conversation reassigned back and forth within one millisecond).
pub fn collect(ctx: &mut WriteCtx) -> Result<usize, StoreError> {
    let logged = ctx.range_raw(
        STALE,
        std::ops::Bound::Unbounded,
        std::ops::Bound::Unbounded,
        usize::MAX,
        false,
    )?;
    let mut retired: Vec<(u8, Vec<u8>)> = logged
        .into_iter()
        .filter_map(|(_, v)| v.split_first().map(|(t, k)| (*t, k.to_vec())))
        .collect();
    retired.sort();
    retired.dedup();
    let mut deleted = 0;
    for (tag, key) in &retired {
        let Some(table) = table_of(*tag) else {
            continue;
        };
        if !still_live(ctx, *tag, key)? && ctx.delete(table, key)? {
            deleted += 1;
        }
    }
    ctx.clear(STALE)?;
    Ok(deleted)
}

/// The conversation an index key names (its last 16 bytes).
fn conversation_in(key: &[u8]) -> Option<ConversationId> {
    key.len()
        .checked_sub(16)
        .and_then(|at| ConversationId::from_bytes(&key[at..]))
}

fn still_live(ctx: &WriteCtx, tag: u8, key: &[u8]) -> Result<bool, StoreError> {
    let (Some(b), Some(id)) = (
        key.get(..16)
            .and_then(crate::store::ids::BusinessId::from_bytes),
        conversation_in(key),
    ) else {
        return Ok(false);
    };
    let Some(c) = repo::get(ctx, b, id)? else {
        return Ok(false);
    };
    let suffix = repo::order_suffix(&c);
    Ok(if tag == TAG_ACTIVITY {
        key == repo::activity_key(b, &suffix).as_slice()
    } else {
        key == repo::assignee_key(&c, &suffix).as_slice()
    })
}

/// Whether an index entry with this order suffix, met under `assignee`
/// (`None`: the activity index) is the conversation's current one.
pub fn is_live(
    c: &Conversation,
    suffix: &[u8],
    assignee: Option<Option<crate::store::ids::MemberId>>,
) -> bool {
    repo::order_suffix(c) == suffix && assignee.is_none_or(|a| a == c.assignee_id)
}

/// How many retired entries wait (the index check tells them from strays).
pub fn logged<R: Reader + ?Sized>(r: &R) -> Result<Vec<(Tbl, Vec<u8>)>, StoreError> {
    Ok(r.range_raw(
        STALE,
        std::ops::Bound::Unbounded,
        std::ops::Bound::Unbounded,
        usize::MAX,
        false,
    )?
    .into_iter()
    .filter_map(|(_, v)| {
        let (tag, key) = v.split_first()?;
        Some((table_of(*tag)?, key.to_vec()))
    })
    .collect())
}

#[cfg(test)]
#[path = "stale_tests.rs"]
mod tests;
