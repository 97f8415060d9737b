//! Writing conversations: an inbound message from any channel lands here.
use serde_json::json;

use super::{
    model::{Conversation, Direction, Message, MessageStatus, Preview, Reaction, Source, Status},
    repo,
};
use crate::{
    contacts::{self, Contact, Identity},
    error::ApiResult,
    events::{Event, MessageText},
    store::{
        ids::{BusinessId, ConversationId, MemberId, MessageId, NumberId},
        WriteCtx,
    },
    time::now_ms,
};

pub struct NewInbound {
    pub wamid: Option<String>,
    pub kind: String,
    pub text: String,
    pub details: String,
    pub reply_to: Option<String>,
    /// When the customer sent it (ms), as the channel reports.
    pub sent_at: i64,
}

pub struct Stored {
    pub contact: Contact,
    /// The contact was created by this message.
    pub new_contact: bool,
    pub conversation: Conversation,
    pub message: Message,
    pub new_conversation: bool,
    /// The conversation was closed and this message reopened it.
    pub reopened: bool,
}

pub enum Recorded {
    /// Seen before (a redelivery): nothing changed.
    Duplicate,
    Stored(Box<Stored>),
}

const PREVIEW_CHARS: usize = 140;

/// The message type of WhatsApp's notices about a customer (not from them).
pub const SYSTEM_NOTICE: &str = "system";

pub fn preview(kind: &str, text: &str, direction: Direction, at: i64) -> Preview {
    Preview {
        text: text.chars().take(PREVIEW_CHARS).collect(),
        kind: kind.to_string(),
        direction,
        at,
    }
}

/// Meta retries a delivery for up to 7 days. A message that comes over a
/// minute after it was sent takes its place in the thread by when the customer
/// sent it; one on time keeps arrival order (Meta's times are whole seconds).
/// Older times than Meta's retries cannot be a late delivery and are not trusted.
fn inbound_id(sent_at: i64, now: i64) -> MessageId {
    const LATE_AFTER_MS: i64 = 60_000;
    const RETRIES_FOR_MS: i64 = 7 * 86_400_000;
    let late = now - sent_at;
    if late > LATE_AFTER_MS && late <= RETRIES_FOR_MS {
        MessageId(crate::store::ids::ulid_at(sent_at))
    } else {
        MessageId::new()
    }
}

/// Stores an inbound message exactly once: finds or creates the contact and
/// the conversation for (contact, number), reopens it, counts it unread.
pub fn record_inbound(
    ctx: &mut WriteCtx,
    business: BusinessId,
    number: Option<NumberId>,
    source: Source,
    who: &Identity,
    new: &NewInbound,
) -> ApiResult<Recorded> {
    let (contact, new_contact) = contacts::upsert(ctx, business, who)?;
    let now = now_ms();
    let thread = repo::thread_for(ctx, business, contact.id, number)?;
    let existing = thread.existing;
    if let Some(w) = &new.wamid {
        // A redelivery finds the same contact and conversation (a contact
        // made just now has no messages) and its wamid beside their messages.
        if repo::inbound_known(ctx, business, existing.as_ref().map(|c| c.id), w)? {
            return Ok(Recorded::Duplicate);
        }
    }
    let new_conversation = existing.is_none();
    let reopened = existing
        .as_ref()
        .is_some_and(|e| e.status == Status::Closed);
    let mut conversation = existing
        .clone()
        .unwrap_or_else(|| Conversation::start(business, contact.id, number, source, now));
    // A lead's conversation without a number becomes this number's.
    conversation.number_id = conversation.number_id.or(number);
    let message = Message {
        id: inbound_id(new.sent_at, now),
        business_id: business,
        conversation_id: conversation.id,
        direction: Direction::In,
        kind: new.kind.clone(),
        text: new.text.clone(),
        details: new.details.clone(),
        wa_message_id: new.wamid.clone(),
        status: MessageStatus::Received,
        error: None,
        author_id: None,
        reply_to: new.reply_to.clone(),
        reactions: Vec::new(),
        created_at: new.sent_at,
        updated_at: now,
    };
    if new_conversation {
        if let Some(n) = number {
            let channel = crate::assignment::Channel::WhatsApp(n);
            conversation.assignee_id = crate::assignment::assign_returning(
                ctx,
                business,
                channel,
                conversation.id,
                thread.previous_assignee,
            )?;
        }
    } else if conversation.status == Status::Closed {
        if let Some(next) = crate::assignment::on_reopen(ctx, &conversation)? {
            conversation.assignee_id = next;
        }
    }
    conversation.status = Status::Open;
    // A message Meta delivers late does not replace a newer one in the list.
    if conversation
        .last_message
        .as_ref()
        .is_none_or(|p| p.at <= new.sent_at)
    {
        conversation.last_message = Some(preview(&new.kind, &new.text, Direction::In, new.sent_at));
    }
    // A system notice (a changed number or security code) is Meta's, not the
    // customer's: it opens no service window. Late messages never move it back.
    if new.kind != SYSTEM_NOTICE {
        conversation.last_inbound_at = Some(
            conversation
                .last_inbound_at
                .map_or(new.sent_at, |t| t.max(new.sent_at)),
        );
    }
    conversation.inbound_count += 1;
    conversation.updated_at = now.max(conversation.updated_at);
    repo::save_message(ctx, &message)?;
    repo::save(ctx, existing.as_ref(), &conversation)?;
    if let Some(before) = existing.as_ref().filter(|_| reopened) {
        // The customer's message reopened it; a pool may have passed it on too.
        super::timeline::record(ctx, before, &conversation, None)?;
    }
    let previous_assignee = existing.as_ref().and_then(|e| e.assignee_id);
    if conversation.assignee_id != previous_assignee {
        crate::notifications::assigned(ctx, &conversation, previous_assignee, None)?;
    }
    // Only the activity changed (no contact, label or assignee change): the
    // search card stays as it is.
    let activity_only = !new_contact && previous_assignee == conversation.assignee_id;
    // A new conversation nobody took is flagged, so owners and leads notice it.
    let conv_json = json!({"conversation_id": conversation.id, "assignee_id": conversation.assignee_id,
                           "previous_assignee_id": previous_assignee,
                           "unassigned": conversation.assignee_id.is_none(),
                           "activity_only": activity_only});
    ctx.emit(Event::new(
        Some(business),
        if new_conversation {
            "conversation.new"
        } else {
            "conversation.updated"
        },
        conv_json,
    ));
    ctx.emit(message_new_event(&message, conversation.assignee_id));
    Ok(Recorded::Stored(Box::new(Stored {
        contact,
        new_contact,
        conversation,
        message,
        new_conversation,
        reopened,
    })))
}

/// A stored message's `message.new`, with its text for the search index.
pub fn message_new_event(m: &Message, assignee: Option<MemberId>) -> Event {
    Event::new(
        Some(m.business_id),
        "message.new",
        json!({"conversation_id": m.conversation_id, "message_id": m.id, "assignee_id": assignee}),
    )
    .with_message_text(MessageText {
        assignee_id: assignee,
        created_at: m.created_at,
        text: m.text.clone(),
    })
}

/// Who the message's conversation is assigned to: realtime decides who may see an event by it.
pub fn assignee_of(ctx: &WriteCtx, m: &Message) -> ApiResult<Option<MemberId>> {
    Ok(repo::get(ctx, m.business_id, m.conversation_id)?.and_then(|c| c.assignee_id))
}

/// Stores a message whose status or error changed and tells its viewers.
pub fn save_status(ctx: &mut WriteCtx, m: &mut Message) -> ApiResult<()> {
    m.updated_at = now_ms();
    repo::save_message(ctx, m)?;
    ctx.emit(Event::new(
        Some(m.business_id),
        "message.status",
        json!({"conversation_id": m.conversation_id, "message_id": m.id, "status": m.status, "error": m.error,
               "assignee_id": assignee_of(ctx, m)?}),
    ));
    Ok(())
}

/// Moves a message's delivery status forward; older or repeated statuses do
/// nothing. `business`: whose number reported it; it speaks for its own messages only.
pub fn apply_status(
    ctx: &mut WriteCtx,
    business: BusinessId,
    wamid: &str,
    status: MessageStatus,
    error: Option<String>,
) -> ApiResult<Option<Message>> {
    let found = repo::by_wamid(ctx, wamid)?;
    if found.as_ref().is_some_and(|m| m.business_id != business) {
        return Ok(None);
    }
    let Some(mut m) = found else {
        // Meta may report on a send before its answer to that send is recorded.
        super::parked::park(ctx, wamid, status, error)?;
        return Ok(None);
    };
    if !m.status.advances_to(status) {
        return Ok(None);
    }
    m.status = status;
    if status == MessageStatus::Failed {
        m.error = error;
    }
    save_status(ctx, &mut m)?;
    if status == MessageStatus::Failed {
        crate::flows::runtime::message_failed(ctx, &m)?;
    }
    Ok(Some(m))
}

/// Sets (or, with no emoji, removes) the customer's reaction on a message.
/// Idempotent, so a redelivered reaction changes nothing.
/// `thread`: the reacting customer's conversation, where their own messages are.
pub fn apply_reaction(
    ctx: &mut WriteCtx,
    thread: Option<(BusinessId, ConversationId)>,
    target_wamid: &str,
    emoji: Option<&str>,
    at: i64,
) -> ApiResult<bool> {
    let found = match thread {
        Some((b, c)) => repo::by_wamid_in(ctx, b, Some(c), target_wamid)?,
        None => repo::by_wamid(ctx, target_wamid)?,
    };
    let Some(mut m) = found else {
        return Ok(false);
    };
    // Meta may deliver a reaction late or twice: an older one never
    // replaces (or removes) the customer's newer one.
    if m.reactions.iter().any(|r| r.from_customer && r.at > at) {
        return Ok(true);
    }
    let before = m.reactions.clone();
    m.reactions.retain(|r| !r.from_customer);
    if let Some(e) = emoji.filter(|e| !e.is_empty()) {
        m.reactions.push(Reaction {
            emoji: e.to_string(),
            from_customer: true,
            at,
        });
    }
    if m.reactions != before {
        m.updated_at = now_ms();
        repo::save_message(ctx, &m)?;
        ctx.emit(Event::new(
            Some(m.business_id),
            "message.status",
            json!({"conversation_id": m.conversation_id, "message_id": m.id, "reactions": m.reactions.len(),
                   "assignee_id": assignee_of(ctx, &m)?}),
        ));
    }
    Ok(true)
}

/// Writes a changed conversation and tells the sockets, including those of
/// whoever had it before (their UI drops it if it left their scope).
pub fn save_changed(
    ctx: &mut WriteCtx,
    before: &Conversation,
    c: &Conversation,
    actor: Option<MemberId>,
) -> ApiResult<()> {
    repo::save(ctx, Some(before), c)?;
    super::timeline::record(ctx, before, c, actor)?;
    if c.assignee_id != before.assignee_id {
        crate::notifications::assigned(ctx, c, before.assignee_id, actor)?;
    }
    ctx.emit(Event::new(
        Some(c.business_id),
        "conversation.updated",
        json!({"conversation_id": c.id, "assignee_id": c.assignee_id, "previous_assignee_id": before.assignee_id}),
    ));
    Ok(())
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
