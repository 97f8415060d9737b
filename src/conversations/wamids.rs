//! Finding a message by the id WhatsApp gave it (its wamid): the
//! exactly-once check of inbound messages, statuses and reactions.
use super::{
    model::{Direction, Message},
    repo::{message, BY_WAMID, MESSAGES},
};
use crate::store::{
    self, codec,
    ids::{BusinessId, ConversationId, MessageId},
    Key, Reader, StoreError, WriteCtx,
};

/// After a conversation's messages (whose ids, ULIDs, never start with
/// 0xFF) come the wamids of its inbound messages, hashed, each naming its
/// message. So the exactly-once check of a new message reads, and its entry
/// writes, the page the message itself goes to: in one global index of
/// Meta's random-looking ids every message wrote a random page of its own,
/// which cost over a quarter of the webhook throughput (BENCHMARKS.md). Outbound
/// messages, looked up by the wamid alone when their statuses come, stay in
/// `BY_WAMID`, as do inbound ones stored before.
const INBOUND_IDS: u8 = 0xFF;

pub(super) fn messages_end(b: BusinessId, c: ConversationId) -> Vec<u8> {
    Key::new()
        .id(b.bytes())
        .id(c.bytes())
        .raw(&[INBOUND_IDS])
        .done()
}

fn inbound_id_key(b: BusinessId, c: ConversationId, wamid: &str) -> Vec<u8> {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(wamid.as_bytes());
    Key::new()
        .id(b.bytes())
        .id(c.bytes())
        .raw(&[INBOUND_IDS])
        .raw(&hash[..8])
        .done()
}

/// A message, or the id an inbound wamid entry names.
pub(super) fn verify_message_or_id(v: &[u8]) -> Result<(), codec::CodecError> {
    if v.len() == 16 {
        return Ok(());
    }
    codec::verify::<Message>(v)
}

/// The message WhatsApp knows as `wamid`, in any business.
pub fn by_wamid<R: Reader + ?Sized>(r: &R, wamid: &str) -> Result<Option<Message>, StoreError> {
    let Some(loc) = r.get_raw(BY_WAMID, &Key::new().str(wamid).done())? else {
        return Ok(None);
    };
    match (
        BusinessId::from_bytes(&loc[..16]),
        loc.get(16..32).and_then(ConversationId::from_bytes),
        loc.get(32..48).and_then(MessageId::from_bytes),
    ) {
        (Some(b), Some(c), Some(m)) => message(r, b, c, m),
        _ => Ok(None),
    }
}

/// Whether an inbound message with this wamid is stored already, in
/// `conversation` (where the customer's messages go) or anywhere.
pub fn inbound_known<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    conversation: Option<ConversationId>,
    wamid: &str,
) -> Result<bool, StoreError> {
    if let Some(c) = conversation {
        if inbound_by_wamid(r, b, c, wamid)?.is_some() {
            return Ok(true);
        }
    }
    store::exists(r, BY_WAMID, &Key::new().str(wamid).done())
}

/// The message WhatsApp knows as `wamid`: among the inbound messages of
/// `conversation` first, then in any business.
pub fn by_wamid_in<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    conversation: Option<ConversationId>,
    wamid: &str,
) -> Result<Option<Message>, StoreError> {
    if let Some(c) = conversation {
        if let Some(m) = inbound_by_wamid(r, b, c, wamid)? {
            return Ok(Some(m));
        }
    }
    by_wamid(r, wamid)
}

fn inbound_by_wamid<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    wamid: &str,
) -> Result<Option<Message>, StoreError> {
    let Some(id) = r
        .get_raw(MESSAGES, &inbound_id_key(b, c, wamid))?
        .and_then(|v| MessageId::from_bytes(&v))
    else {
        return Ok(None);
    };
    // The key holds a hash of the wamid: the message itself confirms it.
    Ok(message(r, b, c, id)?.filter(|m| m.wa_message_id.as_deref() == Some(wamid)))
}

/// Indexes a saved message's wamid (`new`: the message was not stored before).
pub(super) fn index(ctx: &mut WriteCtx, m: &Message, new: bool) -> Result<(), StoreError> {
    let Some(wamid) = &m.wa_message_id else {
        return Ok(());
    };
    if m.direction == Direction::In {
        if !new {
            return Ok(());
        }
        let id_key = inbound_id_key(m.business_id, m.conversation_id, wamid);
        // A hash shared with another message of the conversation (never seen,
        // but possible): that message keeps the entry, this one goes global.
        if ctx.get_raw(MESSAGES, &id_key)?.is_none() {
            return ctx.put_raw(MESSAGES, &id_key, &m.id.bytes());
        }
    }
    ctx.put_raw(BY_WAMID, &Key::new().str(wamid).done(), &location(m))
}

/// Removes the entries that name `m` by its wamid, as `m` itself is deleted.
pub(super) fn unindex(ctx: &mut WriteCtx, m: &Message) -> Result<(), StoreError> {
    let Some(wamid) = &m.wa_message_id else {
        return Ok(());
    };
    let id_key = inbound_id_key(m.business_id, m.conversation_id, wamid);
    if ctx.get_raw(MESSAGES, &id_key)?.as_deref() == Some(&m.id.bytes()[..]) {
        ctx.delete(MESSAGES, &id_key)?;
    }
    let global = Key::new().str(wamid).done();
    if ctx.get_raw(BY_WAMID, &global)?.as_deref() == Some(&location(m)[..]) {
        ctx.delete(BY_WAMID, &global)?;
    }
    Ok(())
}

/// Where a global wamid entry finds its message.
fn location(m: &Message) -> Vec<u8> {
    Key::new()
        .id(m.business_id.bytes())
        .id(m.conversation_id.bytes())
        .id(m.id.bytes())
        .done()
}
