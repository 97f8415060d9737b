//! Follow-ups: a note to get back to a conversation at a time, owned by an
//! assignee and seen exactly as conversations are (owner all, a lead their
//! teams, a member their own). Each one due and not done has a durable timer
//! that reminds its assignee once, restart or not.
pub mod reminder;
pub mod routes;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::store::{
    self, codec,
    ids::{BusinessId, ConversationId, MemberId, RecordId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Followup {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub note: String,
    /// UTC milliseconds.
    pub scheduled_for: i64,
    pub assignee_id: MemberId,
    pub created_by: MemberId,
    pub done_at: Option<i64>,
    /// Bumped at every reschedule: only the latest timer reminds.
    pub timer_seq: u64,
    /// The timer that reminded, so a repeat after a crash does nothing.
    pub reminded_seq: u64,
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for Followup {}

/// (business, id) → Followup
const FOLLOWUPS: Tbl = TableDefinition::new("followups");
/// (business, scheduled_for, id) → ()
const BY_DUE: Tbl = TableDefinition::new("followups_by_due");
/// (business, conversation, id) → ()
const BY_CONVERSATION: Tbl = TableDefinition::new("followups_by_conversation");
/// (business, scheduled_for, id) → assignee, for those not done: overdue counts
/// read only these, never the done history.
const PENDING: Tbl = TableDefinition::new("followups_pending");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: FOLLOWUPS,
        verify: codec::verify::<Followup>,
    },
    TableSpec {
        def: BY_DUE,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_CONVERSATION,
        verify: store::verify_empty,
    },
    TableSpec {
        def: PENDING,
        verify: store::verify_len::<16>,
    },
];

fn key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

fn due_key(f: &Followup) -> Vec<u8> {
    Key::new()
        .id(f.business_id.bytes())
        .i64(f.scheduled_for)
        .id(f.id.bytes())
        .done()
}

fn conv_key(f: &Followup) -> Vec<u8> {
    Key::new()
        .id(f.business_id.bytes())
        .id(f.conversation_id.bytes())
        .id(f.id.bytes())
        .done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Followup>, StoreError> {
    store::get(r, FOLLOWUPS, &key(b, id))
}

/// Writes the follow-up and moves its due-time index from `before`.
pub fn save(ctx: &mut WriteCtx, before: Option<&Followup>, f: &Followup) -> Result<(), StoreError> {
    if let Some(old) = before {
        if old.scheduled_for != f.scheduled_for {
            ctx.delete(BY_DUE, &due_key(old))?;
            ctx.delete(PENDING, &due_key(old))?;
        }
    }
    ctx.put(FOLLOWUPS, &key(f.business_id, f.id), f)?;
    ctx.put_raw(BY_DUE, &due_key(f), &[])?;
    if f.done_at.is_none() {
        ctx.put_raw(PENDING, &due_key(f), &f.assignee_id.bytes())?;
    } else {
        ctx.delete(PENDING, &due_key(f))?;
    }
    ctx.put_raw(BY_CONVERSATION, &conv_key(f), &[])?;
    changed(ctx, f)
}

/// Tells the open conversation's viewers, live, that its follow-ups changed.
fn changed(ctx: &mut WriteCtx, f: &Followup) -> Result<(), StoreError> {
    let assignee = crate::conversations::repo::get(ctx, f.business_id, f.conversation_id)?
        .and_then(|c| c.assignee_id);
    ctx.emit(crate::events::Event::new(
        Some(f.business_id),
        "followup.updated",
        serde_json::json!({"conversation_id": f.conversation_id, "id": f.id, "assignee_id": assignee}),
    ));
    Ok(())
}

/// A new follow-up with its reminder armed (automations, the demo).
pub fn schedule(
    ctx: &mut WriteCtx,
    b: BusinessId,
    conversation: ConversationId,
    note: &str,
    at: i64,
    assignee: MemberId,
    created_by: MemberId,
) -> Result<Followup, StoreError> {
    let now = crate::time::now_ms();
    let mut f = Followup {
        id: RecordId::new(),
        business_id: b,
        conversation_id: conversation,
        note: note.chars().take(2000).collect(),
        scheduled_for: at,
        assignee_id: assignee,
        created_by,
        done_at: None,
        timer_seq: 0,
        reminded_seq: 0,
        created_at: now,
        updated_at: now,
    };
    reminder::arm(ctx, &mut f)?;
    save(ctx, None, &f)?;
    Ok(f)
}

/// A conversation changed hands: the open follow-ups its previous assignee
/// had on it go along, so they (and their reminders) reach whoever answers it
/// now, not someone who may no longer open it. So do those of anyone else who
/// can no longer open it (it waited unassigned in between, or they left).
pub fn conversation_reassigned(
    ctx: &mut WriteCtx,
    c: &crate::conversations::model::Conversation,
    from: Option<MemberId>,
) -> Result<(), StoreError> {
    let Some(to) = c.assignee_id else {
        return Ok(());
    };
    if from == Some(to) {
        return Ok(());
    }
    for f in of_conversation(ctx, c.business_id, c.id)? {
        if f.done_at.is_some() || f.assignee_id == to {
            continue;
        }
        if Some(f.assignee_id) == from || !opens(ctx, c, f.assignee_id)? {
            let mut moved = f.clone();
            moved.assignee_id = to;
            moved.updated_at = crate::time::now_ms();
            reminder::arm(ctx, &mut moved)?;
            save(ctx, Some(&f), &moved)?;
        }
    }
    Ok(())
}

/// Whether `member` (still in the business) may open the conversation as it is now.
fn opens(
    ctx: &mut WriteCtx,
    c: &crate::conversations::model::Conversation,
    member: MemberId,
) -> Result<bool, StoreError> {
    Ok(
        match crate::tenancy::repo::member(ctx, c.business_id, member)? {
            Some(m) => crate::tenancy::repo::scope_for(ctx, &m)?.sees_conversation(c.assignee_id),
            None => false,
        },
    )
}

pub fn delete(ctx: &mut WriteCtx, f: &Followup) -> Result<(), StoreError> {
    ctx.delete(FOLLOWUPS, &key(f.business_id, f.id))?;
    ctx.delete(BY_DUE, &due_key(f))?;
    ctx.delete(PENDING, &due_key(f))?;
    ctx.delete(BY_CONVERSATION, &conv_key(f))?;
    changed(ctx, f)
}

/// Follow-ups due in `[from, to)`, earliest first, after the `after` key.
pub fn due_between<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Vec<Followup>, StoreError> {
    let start = Key::new().id(b.bytes()).i64(from).done();
    let end = Key::new().id(b.bytes()).i64(to).done();
    let mut out = Vec::new();
    for (k, _) in r.range_raw(
        BY_DUE,
        std::ops::Bound::Included(start.as_slice()),
        std::ops::Bound::Excluded(end.as_slice()),
        limit,
        false,
    )? {
        if let Some(id) = k.get(24..).and_then(RecordId::from_bytes) {
            out.extend(get(r, b, id)?);
        }
    }
    Ok(out)
}

pub fn of_conversation<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<Followup>, StoreError> {
    let prefix = Key::new().id(b.bytes()).id(c.bytes()).done();
    let mut out = Vec::new();
    for k in store::scan_keys(r, BY_CONVERSATION, &prefix, None, 500)? {
        if let Some(id) = k.get(32..).and_then(RecordId::from_bytes) {
            out.extend(get(r, b, id)?);
        }
    }
    out.sort_by_key(|f| f.scheduled_for);
    Ok(out)
}

/// Follow-ups not done whose time has passed, counted per assignee.
pub fn overdue_by_assignee<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    now: i64,
) -> Result<std::collections::HashMap<MemberId, u64>, StoreError> {
    let start = Key::new().id(b.bytes()).done();
    let end = Key::new().id(b.bytes()).i64(now).done();
    let mut out = std::collections::HashMap::new();
    for (_, v) in r.range_raw(
        PENDING,
        std::ops::Bound::Included(start.as_slice()),
        std::ops::Bound::Excluded(end.as_slice()),
        usize::MAX,
        false,
    )? {
        if let Some(m) = MemberId::from_bytes(&v) {
            *out.entry(m).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Every follow-up of every business (the one-time index backfill).
pub fn all<R: Reader + ?Sized>(r: &R) -> Result<Vec<Followup>, StoreError> {
    store::records(r, FOLLOWUPS, &[], usize::MAX)
}
