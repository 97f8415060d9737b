//! The outbox's lines: each number has its own, ordered by due time, so one
//! number's backlog never stands in front of another number's messages.
use redb::{ReadableTable, WriteTransaction};
use serde_json::json;

use super::{OutboxItem, DEFERRED, HELD, OUTBOX, QUEUED};
use crate::{
    channels::whatsapp::numbers,
    error::ApiResult,
    events::Event,
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, NumberId},
        prefix_end, Key, Reader, StoreError, WriteCtx,
    },
    time::now_ms,
};

pub fn key(item: &OutboxItem) -> Vec<u8> {
    Key::new()
        .id(item.number_id.bytes())
        .i64(item.due_at)
        .id(item.message_id.bytes())
        .done()
}

/// Removes a conversation's queued and kept sends (it is being erased): the
/// outbox is keyed by number and due time, so this walks it, as small as it stays.
pub fn forget_conversation(ctx: &mut WriteCtx, b: BusinessId, c: ConversationId) -> ApiResult<()> {
    for (k, item) in store::scan::<OutboxItem, _>(ctx, OUTBOX, &[], None, usize::MAX)? {
        if item.business_id == b && item.conversation_id == c {
            ctx.delete(OUTBOX, &k)?;
        }
    }
    ctx.delete(DEFERRED, &deferred_key(b, c))?;
    super::retry::forget(ctx, b, c)
}

/// Up to `per_number` items due at or before `now` from each number's line,
/// oldest first within a number, and when the next one falls due.
pub fn due<R: Reader + ?Sized>(
    r: &R,
    now: i64,
    per_number: usize,
) -> Result<(Vec<OutboxItem>, Option<i64>), StoreError> {
    let mut items = Vec::new();
    let mut next_due: Option<i64> = None;
    let mut from: Vec<u8> = Vec::new();
    // One short read per number with anything queued: the next line starts
    // right after this number's prefix.
    while let Some((first, _)) = r
        .range_raw(
            OUTBOX,
            std::ops::Bound::Included(from.as_slice()),
            std::ops::Bound::Unbounded,
            1,
            false,
        )?
        .into_iter()
        .next()
    {
        let Some(number) = first.get(..16) else {
            break;
        };
        for (_, item) in store::scan::<OutboxItem, _>(r, OUTBOX, number, None, per_number)? {
            if item.due_at > now {
                next_due = Some(next_due.map_or(item.due_at, |d| d.min(item.due_at)));
                break;
            }
            items.push(item);
        }
        match prefix_end(number) {
            Some(end) => from = end,
            None => break,
        }
    }
    Ok((items, next_due))
}

pub fn depth<R: Reader + ?Sized>(r: &R) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, OUTBOX, &[], None, usize::MAX)?.len())
}

/// Messages waiting for their business's resume or their number's new token.
pub fn held_depth<R: Reader + ?Sized>(r: &R) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, HELD, &[], None, usize::MAX)?.len())
}

/// Messages that failed for good and are kept for a person's Retry.
pub fn failed_depth<R: Reader + ?Sized>(r: &R) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, super::retry::FAILED, &[], None, usize::MAX)?.len())
}

fn held_key(item: &OutboxItem) -> Vec<u8> {
    Key::new()
        .id(item.business_id.bytes())
        .id(item.message_id.bytes())
        .done()
}

/// Moves a due item out of the sender's way while its business is suspended
/// or its number's access token is dead; false when neither holds any more
/// (a resume or a new token came meanwhile), so the item stays queued.
/// Decided inside the write, so a release never misses it.
pub fn hold(ctx: &mut WriteCtx, item: &OutboxItem) -> ApiResult<bool> {
    let suspended =
        crate::tenancy::repo::business(ctx, item.business_id)?.is_some_and(|b| b.suspended);
    let token_dead =
        numbers::get(ctx, item.business_id, item.number_id)?.is_some_and(|n| n.token_dead);
    if !(suspended || token_dead) || !ctx.delete(OUTBOX, &key(item))? {
        return Ok(false);
    }
    ctx.put(HELD, &held_key(item), item)?;
    super::tell_why_waiting(ctx, item, if suspended { SUSPENDED } else { TOKEN_DEAD })?;
    Ok(true)
}

const SUSPENDED: &str = "Waiting to send: this business is suspended";
const TOKEN_DEAD: &str =
    "Waiting to send: the WhatsApp number's access token is invalid; an owner can replace it in Channels";

fn deferred_key(b: BusinessId, c: ConversationId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

/// When a message written now in a conversation may go: not before one
/// that waits there to be tried again.
pub(super) fn not_before(
    ctx: &WriteCtx,
    b: BusinessId,
    c: ConversationId,
    now: i64,
) -> Result<i64, StoreError> {
    let waiting: Option<OutboxItem> = store::get(ctx, DEFERRED, &deferred_key(b, c))?;
    Ok(waiting.map_or(now, |w| w.due_at.max(now)))
}

/// The send of `item` ended one way or another: its conversation no longer waits on it.
pub(super) fn settled(ctx: &mut WriteCtx, item: &OutboxItem) -> Result<(), StoreError> {
    let k = deferred_key(item.business_id, item.conversation_id);
    let waiting: Option<OutboxItem> = store::get(ctx, DEFERRED, &k)?;
    if waiting.is_some_and(|w| w.message_id == item.message_id) {
        ctx.delete(DEFERRED, &k)?;
    }
    Ok(())
}

/// A message that waits to be tried again keeps its place: the conversation's
/// later messages, queued or still to be written, wait until it is due, so
/// they cannot reach the customer first.
pub(super) fn keep_behind(ctx: &mut WriteCtx, retried: &OutboxItem) -> Result<(), StoreError> {
    ctx.put(
        DEFERRED,
        &deferred_key(retried.business_id, retried.conversation_id),
        retried,
    )?;
    let line =
        store::scan::<OutboxItem, _>(ctx, OUTBOX, &retried.number_id.bytes(), None, usize::MAX)?;
    for (k, item) in line {
        let later = item.conversation_id == retried.conversation_id
            && item.message_id > retried.message_id
            && item.due_at < retried.due_at;
        if later {
            ctx.delete(OUTBOX, &k)?;
            let behind = OutboxItem {
                due_at: retried.due_at,
                ..item
            };
            ctx.put(OUTBOX, &key(&behind), &behind)?;
        }
    }
    Ok(())
}

/// Holds an item already taken out of the outbox (its send met a dead token).
pub(super) fn keep_held(ctx: &mut WriteCtx, item: &OutboxItem) -> ApiResult<()> {
    let fresh = OutboxItem {
        attempts: 0,
        ..item.clone()
    };
    ctx.put(HELD, &held_key(&fresh), &fresh)?;
    super::tell_why_waiting(ctx, item, TOKEN_DEAD)
}

/// A resumed business's held messages go back in line, due now.
pub fn release(ctx: &mut WriteCtx, b: BusinessId) -> Result<usize, StoreError> {
    release_where(ctx, b, |_| true)
}

/// A number's held messages go back in line, due now (its token was replaced).
pub fn release_number(ctx: &mut WriteCtx, b: BusinessId, n: NumberId) -> Result<usize, StoreError> {
    release_where(ctx, b, |item| item.number_id == n)
}

fn release_where(
    ctx: &mut WriteCtx,
    b: BusinessId,
    wanted: impl Fn(&OutboxItem) -> bool,
) -> Result<usize, StoreError> {
    let held = store::scan::<OutboxItem, _>(ctx, HELD, &b.bytes(), None, usize::MAX)?;
    let now = now_ms();
    let mut released = 0;
    for (k, item) in held.iter().filter(|(_, item)| wanted(item)) {
        ctx.delete(HELD, k)?;
        let again = OutboxItem {
            due_at: now,
            ..item.clone()
        };
        ctx.put(OUTBOX, &key(&again), &again)?;
        released += 1;
    }
    if released > 0 {
        ctx.emit(Event::new(None, QUEUED, json!({})));
    }
    Ok(released)
}

/// A number's queue as operators see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Queue {
    /// Queued plus held (a suspended business's, a dead token's) messages.
    pub depth: usize,
    /// When the earliest queued message falls due (held ones never do).
    pub next_due: Option<i64>,
}

/// Every number's queue, by (business, number).
pub fn depth_by_number<R: Reader + ?Sized>(
    r: &R,
) -> Result<std::collections::BTreeMap<(BusinessId, NumberId), Queue>, StoreError> {
    let mut out: std::collections::BTreeMap<_, Queue> = std::collections::BTreeMap::new();
    for (t, queued) in [(OUTBOX, true), (HELD, false)] {
        for (_, item) in store::scan::<OutboxItem, _>(r, t, &[], None, usize::MAX)? {
            let q = out.entry((item.business_id, item.number_id)).or_default();
            q.depth += 1;
            if queued {
                q.next_due = Some(q.next_due.map_or(item.due_at, |d| d.min(item.due_at)));
            }
        }
    }
    Ok(out)
}

/// Makes a number's queued messages due now (an operator's retry).
pub fn hurry(ctx: &mut WriteCtx, b: BusinessId, n: NumberId) -> Result<usize, StoreError> {
    let items = store::scan::<OutboxItem, _>(ctx, OUTBOX, &n.bytes(), None, usize::MAX)?;
    let now = now_ms();
    let mut moved = 0;
    for (k, item) in items {
        if item.business_id != b || item.due_at <= now {
            continue;
        }
        ctx.delete(OUTBOX, &k)?;
        let again = OutboxItem {
            due_at: now,
            ..item
        };
        ctx.put(OUTBOX, &key(&again), &again)?;
        moved += 1;
    }
    ctx.emit(Event::new(None, QUEUED, json!({})));
    Ok(moved)
}

/// Schema step 2: the outbox was one line keyed by (due time, message); each
/// queued item moves to its number's line.
pub fn migrate_to_number_keys(tx: &WriteTransaction) -> Result<(), StoreError> {
    let mut table = tx.open_table(OUTBOX)?;
    let mut old = Vec::new();
    for entry in table.iter()? {
        let (k, v) = entry?;
        old.push((k.value().to_vec(), v.value().to_vec()));
    }
    for (k, v) in old {
        let item: OutboxItem = codec::decode(&v).map_err(|source| StoreError::Codec {
            table: "outbox".into(),
            source,
        })?;
        table.remove(k.as_slice())?;
        table.insert(key(&item).as_slice(), v.as_slice())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ids::MessageId;

    #[test]
    fn a_queued_item_of_an_older_store_moves_to_its_numbers_line() {
        let dir = tempfile::tempdir().unwrap();
        let db = redb::Database::create(dir.path().join("s.redb")).unwrap();
        let item = OutboxItem {
            business_id: BusinessId::new(),
            conversation_id: ConversationId::new(),
            message_id: MessageId::new(),
            number_id: NumberId::new(),
            to: "5511987654321".into(),
            payload: "{}".into(),
            attempts: 2,
            due_at: 1_764_000_000_000,
            upload: None,
        };
        let old_key = Key::new()
            .i64(item.due_at)
            .id(item.message_id.bytes())
            .done();
        let tx = db.begin_write().unwrap();
        tx.open_table(OUTBOX)
            .unwrap()
            .insert(old_key.as_slice(), codec::encode(&item).as_slice())
            .unwrap();
        migrate_to_number_keys(&tx).unwrap();
        let table = tx.open_table(OUTBOX).unwrap();
        assert!(table.get(old_key.as_slice()).unwrap().is_none());
        let moved = table.get(key(&item).as_slice()).unwrap().unwrap();
        assert_eq!(codec::decode::<OutboxItem>(moved.value()).unwrap(), item);
        assert_eq!(table.iter().unwrap().count(), 1);
    }
}
