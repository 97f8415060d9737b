//! Conversation and message tables. Every list is served by an index written in
//! the same transaction as the record: by last activity for the business, and
//! by assignee (unassigned under the zero id), newest first.
use std::ops::Bound::{self, Excluded, Included, Unbounded};

use redb::TableDefinition;

pub use super::wamids::{by_wamid, by_wamid_in, inbound_known};
use super::{
    model::{Conversation, Message, Note},
    wamids::{self, messages_end},
};
use crate::{
    auth::users::verify_id,
    store::{
        self, codec,
        ids::{BusinessId, ContactId, ConversationId, MemberId, MessageId, NumberId},
        Key, Reader, StoreError, TableSpec, Tbl, WriteCtx,
    },
};

/// (business, conversation) → Conversation
pub(crate) const CONVERSATIONS: Tbl = TableDefinition::new("conversations");
/// (business, newest-first time, conversation) → ()
pub(crate) const BY_ACTIVITY: Tbl = TableDefinition::new("conversations_by_activity");
/// (business, assignee or zero, newest-first time, conversation) → ()
pub(crate) const BY_ASSIGNEE: Tbl = TableDefinition::new("conversations_by_assignee");
/// (business, contact, channel) → conversation: one conversation per contact and number
pub(crate) const BY_CHANNEL: Tbl = TableDefinition::new("conversations_by_channel");
/// (business, conversation, message) → Message
pub(crate) const MESSAGES: Tbl = TableDefinition::new("messages");
/// wamid → (business, conversation, message)
pub(crate) const BY_WAMID: Tbl = TableDefinition::new("messages_by_wamid");
/// (business, conversation, member) → inbound messages seen (u64)
pub(crate) const READS: Tbl = TableDefinition::new("conversation_reads");
/// (business, conversation, note) → Note
pub(crate) const NOTES: Tbl = TableDefinition::new("conversation_notes");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: CONVERSATIONS,
        verify: codec::verify::<Conversation>,
    },
    TableSpec {
        def: BY_ACTIVITY,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_ASSIGNEE,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_CHANNEL,
        verify: verify_id,
    },
    TableSpec {
        def: MESSAGES,
        verify: wamids::verify_message_or_id,
    },
    TableSpec {
        def: BY_WAMID,
        verify: store::verify_len::<48>,
    },
    TableSpec {
        def: READS,
        verify: store::verify_len::<8>,
    },
    TableSpec {
        def: NOTES,
        verify: codec::verify::<Note>,
    },
];

pub const UNASSIGNED: [u8; 16] = [0; 16];

/// Newest first in ascending key order.
pub fn desc_time(ms: i64) -> u64 {
    u64::MAX - (ms.max(0) as u64)
}

/// The part of an index key after the business (and assignee) prefix: it
/// orders conversations and doubles as the list cursor.
pub fn order_suffix(c: &Conversation) -> Vec<u8> {
    Key::new()
        .u64(desc_time(c.updated_at))
        .id(c.id.bytes())
        .done()
}

pub fn assignee_prefix(b: BusinessId, assignee: Option<MemberId>) -> Vec<u8> {
    Key::new()
        .id(b.bytes())
        .id(assignee.map_or(UNASSIGNED, |m| m.bytes()))
        .done()
}

fn conv_key(b: BusinessId, c: ConversationId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

fn channel_key(b: BusinessId, contact: ContactId, number: Option<NumberId>) -> Vec<u8> {
    Key::new()
        .id(b.bytes())
        .id(contact.bytes())
        .id(number.map_or([0; 16], |n| n.bytes()))
        .done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: ConversationId,
) -> Result<Option<Conversation>, StoreError> {
    store::get(r, CONVERSATIONS, &conv_key(b, id))
}

pub fn for_channel<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    contact: ContactId,
    number: Option<NumberId>,
) -> Result<Option<Conversation>, StoreError> {
    match r
        .get_raw(BY_CHANNEL, &channel_key(b, contact, number))?
        .and_then(|v| ConversationId::from_bytes(&v))
    {
        Some(id) => get(r, b, id),
        None => Ok(None),
    }
}

/// Every conversation of a contact (one per number, and one without).
pub fn of_contact<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    contact: ContactId,
) -> Result<Vec<ConversationId>, StoreError> {
    let prefix = Key::new().id(b.bytes()).id(contact.bytes()).done();
    let end = store::prefix_end(&prefix);
    let rows = r.range_raw(
        BY_CHANNEL,
        std::ops::Bound::Included(prefix.as_slice()),
        end.as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        usize::MAX,
        false,
    )?;
    Ok(rows
        .iter()
        .filter_map(|(_, v)| ConversationId::from_bytes(v))
        .collect())
}

/// Where a contact's new message or lead goes, so a person has one timeline.
pub struct Thread {
    /// The conversation to continue, if any.
    pub existing: Option<Conversation>,
    /// Without one: who had the contact's latest conversation (sticky pools).
    pub previous_assignee: Option<MemberId>,
}

/// The conversation on the same number; else a lead without a number joins
/// the contact's latest conversation, and a contact's first message on a
/// number takes over their conversation that has none yet.
pub fn thread_for(
    ctx: &WriteCtx,
    b: BusinessId,
    contact: ContactId,
    number: Option<NumberId>,
) -> Result<Thread, StoreError> {
    if let Some(c) = for_channel(ctx, b, contact, number)? {
        return Ok(Thread {
            existing: Some(c),
            previous_assignee: None,
        });
    }
    let prefix = Key::new().id(b.bytes()).id(contact.bytes()).done();
    let mut latest: Option<Conversation> = None;
    for (_, v) in ctx.range_raw(
        BY_CHANNEL,
        std::ops::Bound::Included(prefix.as_slice()),
        store::prefix_end(&prefix)
            .as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        64,
        false,
    )? {
        let Some(c) = ConversationId::from_bytes(&v).and_then(|id| get(ctx, b, id).transpose())
        else {
            continue;
        };
        let c = c?;
        if number.is_some() && c.number_id.is_none() {
            return Ok(Thread {
                existing: Some(c),
                previous_assignee: None,
            });
        }
        if latest.as_ref().is_none_or(|l| c.updated_at > l.updated_at) {
            latest = Some(c);
        }
    }
    Ok(match (number, latest) {
        (None, Some(c)) => Thread {
            existing: Some(c),
            previous_assignee: None,
        },
        (_, latest) => Thread {
            existing: None,
            previous_assignee: latest.and_then(|c| c.assignee_id),
        },
    })
}

/// Every conversation of every business in key order, after `after` (backfills).
pub fn all_after<R: Reader + ?Sized>(
    r: &R,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Conversation)>, StoreError> {
    store::scan(r, CONVERSATIONS, &[], after, limit)
}

/// Writes the conversation and moves its index entries from `before`'s
/// position; the dashboard's counters move in the same write.
pub fn save(
    ctx: &mut WriteCtx,
    before: Option<&Conversation>,
    c: &Conversation,
) -> Result<(), StoreError> {
    crate::dashboard::record::conversation_saved(ctx, before, c)?;
    if before.is_none() {
        crate::tenancy::usage::conversation_created(ctx, c.business_id)?;
    }
    let b = c.business_id;
    let suffix = order_suffix(c);
    if let Some(old) = before {
        if old.assignee_id != c.assignee_id {
            crate::followups::conversation_reassigned(ctx, c, old.assignee_id)?;
        }
        let old_suffix = order_suffix(old);
        if old_suffix != suffix || old.assignee_id != c.assignee_id {
            ctx.delete(
                BY_ACTIVITY,
                &Key::new().id(b.bytes()).raw(&old_suffix).done(),
            )?;
            ctx.delete(
                BY_ASSIGNEE,
                &Key::new()
                    .raw(&assignee_prefix(b, old.assignee_id))
                    .raw(&old_suffix)
                    .done(),
            )?;
        }
        if old.number_id != c.number_id {
            ctx.delete(BY_CHANNEL, &channel_key(b, c.contact_id, old.number_id))?;
            ctx.put_raw(
                BY_CHANNEL,
                &channel_key(b, c.contact_id, c.number_id),
                &c.id.bytes(),
            )?;
        }
    } else {
        ctx.put_raw(
            BY_CHANNEL,
            &channel_key(b, c.contact_id, c.number_id),
            &c.id.bytes(),
        )?;
    }
    ctx.put_raw(
        BY_ACTIVITY,
        &Key::new().id(b.bytes()).raw(&suffix).done(),
        &[],
    )?;
    ctx.put_raw(
        BY_ASSIGNEE,
        &Key::new()
            .raw(&assignee_prefix(b, c.assignee_id))
            .raw(&suffix)
            .done(),
        &[],
    )?;
    ctx.put(CONVERSATIONS, &conv_key(b, c.id), c)
}

/// Removes the conversation record and every entry pointing at it: both list
/// indexes, its channel slot, read counters and notes. Its messages go in
/// batches (`delete_messages`); they are unreachable once this commits.
pub fn delete(ctx: &mut WriteCtx, c: &Conversation) -> Result<(), StoreError> {
    crate::dashboard::record::conversation_erased(ctx, c)?;
    crate::tenancy::usage::conversation_removed(ctx, c.business_id)?;
    let b = c.business_id;
    let suffix = order_suffix(c);
    ctx.delete(BY_ACTIVITY, &Key::new().id(b.bytes()).raw(&suffix).done())?;
    ctx.delete(
        BY_ASSIGNEE,
        &Key::new()
            .raw(&assignee_prefix(b, c.assignee_id))
            .raw(&suffix)
            .done(),
    )?;
    let slot = channel_key(b, c.contact_id, c.number_id);
    if ctx.get_raw(BY_CHANNEL, &slot)?.as_deref() == Some(&c.id.bytes()[..]) {
        ctx.delete(BY_CHANNEL, &slot)?;
    }
    ctx.delete_prefix(READS, &conv_key(b, c.id), usize::MAX)?;
    ctx.delete_prefix(NOTES, &conv_key(b, c.id), usize::MAX)?;
    ctx.delete_prefix(
        super::timeline::ACTIVITY,
        &super::timeline::prefix(b, c.id),
        usize::MAX,
    )?;
    ctx.delete(CONVERSATIONS, &conv_key(b, c.id))?;
    Ok(())
}

/// Deletes up to `limit` messages of a conversation (and their wamid
/// entries); returns them, so callers can remove what they referenced.
pub fn delete_messages(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    let entries = message_entries(ctx, b, c, Unbounded, Unbounded, limit, false)?;
    let mut out = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        ctx.delete(MESSAGES, &k)?;
        let m: Message = codec::decode(&v).map_err(|source| StoreError::Codec {
            table: store::table_name(MESSAGES),
            source,
        })?;
        wamids::unindex(ctx, &m)?;
        out.push(m);
    }
    Ok(out)
}

/// The conversation ids of order-index entries, after their prefix and time.
fn ids_after_time(entries: &[(Vec<u8>, Vec<u8>)], prefix_len: usize) -> Vec<ConversationId> {
    entries
        .iter()
        .filter_map(|(k, _)| k.get(prefix_len + 8..).and_then(ConversationId::from_bytes))
        .collect()
}

/// Conversations of a business whose last activity is at or after `since`,
/// newest first (the search index's catch-up after a crash).
pub fn updated_since<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    since: i64,
) -> Result<Vec<ConversationId>, StoreError> {
    let prefix = Key::new().id(b.bytes()).done();
    let end = Key::new().id(b.bytes()).u64(desc_time(since)).done();
    let entries = r.range_raw(
        BY_ACTIVITY,
        std::ops::Bound::Included(prefix.as_slice()),
        std::ops::Bound::Excluded(store::prefix_end(&end).as_deref().unwrap_or(end.as_slice())),
        usize::MAX,
        false,
    )?;
    Ok(ids_after_time(&entries, prefix.len()))
}

/// The conversations of one assignee (`None`: Unassigned), any status, the
/// least recently active first: who waits longest, or what someone leaving held.
pub fn by_assignee_oldest_first<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    assignee: Option<MemberId>,
    limit: usize,
) -> Result<Vec<ConversationId>, StoreError> {
    let prefix = assignee_prefix(b, assignee);
    let end = store::prefix_end(&prefix);
    let entries = r.range_raw(
        BY_ASSIGNEE,
        std::ops::Bound::Included(prefix.as_slice()),
        end.as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        limit,
        true,
    )?;
    Ok(ids_after_time(&entries, prefix.len()))
}

pub(crate) fn message_key(b: BusinessId, c: ConversationId, m: MessageId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).id(m.bytes()).done()
}

pub fn message<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    m: MessageId,
) -> Result<Option<Message>, StoreError> {
    store::get(r, MESSAGES, &message_key(b, c, m))
}

pub fn save_message(ctx: &mut WriteCtx, m: &Message) -> Result<(), StoreError> {
    let key = message_key(m.business_id, m.conversation_id, m.id);
    let new = ctx.put_new(MESSAGES, &key, m)?;
    if new {
        crate::tenancy::usage::message_created(ctx, m.business_id, m.created_at)?;
    }
    wamids::index(ctx, m, new)
}

/// A conversation's message entries between two of its messages (unbounded:
/// from its first, to its last), never the wamid entries that follow them.
fn message_entries<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    from: Bound<MessageId>,
    to: Bound<MessageId>,
    limit: usize,
    rev: bool,
) -> Result<store::Entries, StoreError> {
    let key = |m| message_key(b, c, m);
    let start = match from {
        Unbounded => Included(conv_key(b, c)),
        bound => bound.map(key),
    };
    let end = match to {
        Unbounded => Excluded(messages_end(b, c)),
        bound => bound.map(key),
    };
    r.range_raw(
        MESSAGES,
        start.as_ref().map(Vec::as_slice),
        end.as_ref().map(Vec::as_slice),
        limit,
        rev,
    )
}

/// Messages of a conversation, newest first, before the exclusive cursor.
pub fn messages<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    before: Option<MessageId>,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    let to = before.map_or(Unbounded, Excluded);
    let entries = message_entries(r, b, c, Unbounded, to, limit, true)?;
    store::decode_entries(MESSAGES, entries)
}

/// Messages of a conversation, oldest first, after the exclusive cursor (exports).
pub fn messages_after<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    after: Option<MessageId>,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    let from = after.map_or(Unbounded, Excluded);
    let entries = message_entries(r, b, c, from, Unbounded, limit, false)?;
    store::decode_entries(MESSAGES, entries)
}

/// Messages of a conversation from the newest back to `until` (inclusive),
/// newest first; None when `until` is not among the newest `limit`.
pub fn messages_until<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    until: MessageId,
    limit: usize,
) -> Result<Option<Vec<Message>>, StoreError> {
    let entries = message_entries(r, b, c, Included(until), Unbounded, limit, true)?;
    let page: Vec<Message> = store::decode_entries(MESSAGES, entries)?;
    Ok(page
        .last()
        .filter(|m| m.id == until)
        .is_some()
        .then_some(page))
}

fn read_key(b: BusinessId, c: ConversationId, m: MemberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).id(m.bytes()).done()
}

pub fn seen<R: Reader + ?Sized>(r: &R, c: &Conversation, m: MemberId) -> Result<u64, StoreError> {
    Ok(r.get_raw(READS, &read_key(c.business_id, c.id, m))?
        .and_then(|v| v.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0))
}

pub fn mark_seen(ctx: &mut WriteCtx, c: &Conversation, m: MemberId) -> Result<(), StoreError> {
    ctx.put_raw(
        READS,
        &read_key(c.business_id, c.id, m),
        &c.inbound_count.to_be_bytes(),
    )
}

/// Stores a note and tells the search index, whoever wrote it (the notes
/// route, a lead's note, an import row).
pub fn add_note(ctx: &mut WriteCtx, b: BusinessId, n: &Note) -> Result<(), StoreError> {
    ctx.put(NOTES, &message_key(b, n.conversation_id, n.id), n)?;
    ctx.emit(crate::events::Event::new(
        Some(b),
        "index.note",
        serde_json::json!({"conversation_id": n.conversation_id, "note_id": n.id}),
    ));
    Ok(())
}

pub fn notes<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<Note>, StoreError> {
    store::records::<Note, _>(r, NOTES, &conv_key(b, c), usize::MAX)
}

/// Index check: both list indexes hold exactly one entry per conversation, at
/// its current position; every wamid entry points at its message.
pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<Conversation, _>(r, CONVERSATIONS, &[], None, usize::MAX)?;
    for (_, c) in &all {
        let b = c.business_id;
        let suffix = order_suffix(c);
        if !store::exists(
            r,
            BY_ACTIVITY,
            &Key::new().id(b.bytes()).raw(&suffix).done(),
        )? {
            problems.push(format!(
                "conversations_by_activity: missing entry for {}",
                c.id
            ));
        }
        if !store::exists(
            r,
            BY_ASSIGNEE,
            &Key::new()
                .raw(&assignee_prefix(b, c.assignee_id))
                .raw(&suffix)
                .done(),
        )? {
            problems.push(format!(
                "conversations_by_assignee: missing entry for {}",
                c.id
            ));
        }
    }
    for t in [BY_ACTIVITY, BY_ASSIGNEE] {
        let n = store::scan_keys(r, t, &[], None, usize::MAX)?.len();
        if n != all.len() {
            problems.push(format!(
                "{}: {n} entries for {} conversations",
                store::table_name(t),
                all.len()
            ));
        }
    }
    for key in store::scan_keys(r, BY_WAMID, &[], None, usize::MAX)? {
        let wamid = String::from_utf8_lossy(&key[..key.len().saturating_sub(1)]).to_string();
        if by_wamid(r, &wamid)?
            .and_then(|m| m.wa_message_id)
            .as_deref()
            != Some(wamid.as_str())
        {
            problems.push(format!("messages_by_wamid: {wamid} points at no message"));
        }
    }
    Ok(())
}
