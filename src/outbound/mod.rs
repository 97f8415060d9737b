//! The outbox: a message to send is written in the same transaction as the
//! message itself, and a sender drains it under Meta's limits, retrying what
//! can be retried and failing the rest with Meta's reason.
mod attempts;
pub mod compose;
mod queue;
pub mod retry;
pub mod sender;

pub use queue::{
    depth, depth_by_number, due, failed_depth, forget_conversation, held_depth, hold, hurry, key,
    migrate_to_number_keys, release, release_number, Queue,
};

use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    channels::whatsapp::{
        graph::{Failure, GraphError},
        media, numbers, uploads,
    },
    contacts,
    conversations::{
        access::Conversations,
        model::{Direction, Message, MessageStatus},
        repo, service,
    },
    error::{ApiError, ApiResult, Code},
    events::Event,
    store::{
        codec,
        ids::{BusinessId, ConversationId, MessageId, NumberId, RecordId},
        Record, TableSpec, Tbl, WriteCtx,
    },
    tenancy::Scope,
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub number_id: NumberId,
    /// The recipient's wa_id (phone digits).
    pub to: String,
    /// The Graph body, complete but for nothing: sent as is.
    pub payload: String,
    pub attempts: u32,
    pub due_at: i64,
    /// An attachment to upload to Meta before sending (its id goes in the payload).
    pub upload: Option<RecordId>,
}
impl Record for OutboxItem {}

/// (number, due time, message) → OutboxItem: the sender takes what is due,
/// oldest first, from each number's own line.
pub(crate) const OUTBOX: Tbl = TableDefinition::new("outbox");

/// (business, message) → OutboxItem: held while its business is suspended
/// or its number's token is dead.
pub(crate) const HELD: Tbl = TableDefinition::new("outbox_held");

/// (business, conversation) → the OutboxItem waiting to be tried again there:
/// what is written meanwhile queues behind it.
pub(crate) const DEFERRED: Tbl = TableDefinition::new("outbox_deferred");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: OUTBOX,
        verify: codec::verify::<OutboxItem>,
    },
    TableSpec {
        def: HELD,
        verify: codec::verify::<OutboxItem>,
    },
    TableSpec {
        def: retry::FAILED,
        verify: codec::verify::<OutboxItem>,
    },
    TableSpec {
        def: DEFERRED,
        verify: codec::verify::<OutboxItem>,
    },
    attempts::TABLE,
];

pub(crate) use attempts::begin as begin_attempt;

/// Wakes the sender after a commit that queued messages.
pub type Wake = std::sync::Arc<tokio::sync::Notify>;

/// The internal event a committed outbox item announces (no business: no socket hears it).
pub const QUEUED: &str = "outbox.queued";

/// Queues a message from a member: checks the window, stores the message as
/// `queued` and its outbox entry together. The caller wakes the sender after
/// the commit.
pub fn enqueue(
    ctx: &mut WriteCtx,
    scope: &Scope,
    conversation: ConversationId,
    composed: &compose::Composed,
    reply_to: Option<&str>,
) -> ApiResult<Message> {
    let before = Conversations::new(ctx, scope).get(conversation)?;
    let replied = before.clone();
    let message = enqueue_to(ctx, before, composed, reply_to, Some(scope.member_id))?;
    crate::dashboard::record::replied(ctx, &replied, scope.member_id, message.created_at)?;
    // A person answered: an automation running here steps aside, if its flow says so.
    crate::flows::runtime::person_stepped_in(ctx, &message, "a person replied")?;
    Ok(message)
}

/// Queues a message in a conversation the caller already may write to;
/// `author` is None for the business's automations.
pub fn enqueue_to(
    ctx: &mut WriteCtx,
    before: crate::conversations::Conversation,
    composed: &compose::Composed,
    reply_to: Option<&str>,
    author: Option<crate::store::ids::MemberId>,
) -> ApiResult<Message> {
    // A lead stored before leads got the business's number takes it now.
    let number_id = match before.number_id {
        Some(n) => n,
        None => numbers::default_for(ctx, before.business_id)?
            .filter(|n| matches!(repo::for_channel(ctx, before.business_id, before.contact_id, Some(*n)), Ok(None)))
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidRequest,
                    "This conversation has no WhatsApp number to send from; connect one in Channels",
                )
            })?,
    };
    let contact = contacts::get(ctx, before.business_id, before.contact_id)?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    let Some(to) = contact
        .phone
        .as_deref()
        .map(|p| p.trim_start_matches('+').to_string())
    else {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "This contact has no phone number to send to",
        ));
    };
    // A synced template's thread line is what the customer reads, not its name.
    let mut text = composed.text.clone();
    if let Some(t) = composed.details.get("template") {
        let params: Vec<String> = t["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| p.as_str().unwrap_or_default().to_string())
            .collect();
        if let Some(rendered) = crate::channels::whatsapp::templates::check_send(
            ctx,
            before.business_id,
            number_id,
            t["name"].as_str().unwrap_or(""),
            t["language"].as_str().unwrap_or(""),
            &params,
        )? {
            text = rendered;
        }
    }
    let upload = match &composed.upload {
        Some(id) => {
            let u = checked_upload(ctx, &before, &composed.kind, id)?;
            // A refused send (below) drops the whole write: it stays unsent.
            uploads::taken(ctx, &u)?;
            Some(u)
        }
        None => None,
    };
    let now = now_ms();
    if !composed.is_template && !before.window_open(now) {
        let since = before
            .window_expires_at()
            .map(rfc3339)
            .unwrap_or_else(|| "never opened".into());
        return Err(ApiError::new(
            Code::WindowClosed,
            format!("The 24-hour customer service window is closed (closed at {since}); only a template can be sent"),
        ));
    }
    let mut payload = composed.payload.clone();
    payload["messaging_product"] = json!("whatsapp");
    payload["recipient_type"] = json!("individual");
    payload["to"] = json!(to);
    if let Some(r) = reply_to {
        payload["context"] = json!({"message_id": r});
    }
    let mut details = composed.details.clone();
    if let Some(u) = &upload {
        if let (Some(doc), Some(name)) = (payload.get_mut("document"), &u.filename) {
            doc["filename"] = json!(name);
        }
        details["media"]["mime_type"] = json!(u.mime_type);
        details["media"]["filename"] = json!(u.filename);
        details["media"]["file_size"] = json!(u.size);
    }
    let message = Message {
        id: MessageId::new(),
        business_id: before.business_id,
        conversation_id: before.id,
        direction: Direction::Out,
        kind: composed.kind.clone(),
        text,
        details: details.to_string(),
        wa_message_id: None,
        status: MessageStatus::Queued,
        error: None,
        author_id: author,
        reply_to: reply_to.map(str::to_string),
        reactions: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    let item = OutboxItem {
        business_id: before.business_id,
        conversation_id: before.id,
        message_id: message.id,
        number_id,
        to,
        payload: payload.to_string(),
        attempts: 0,
        due_at: queue::not_before(ctx, before.business_id, before.id, now)?,
        upload: upload.as_ref().map(|u| u.id),
    };
    repo::save_message(ctx, &message)?;
    if let Some(u) = &upload {
        // The thread shows the file from the data folder, like an inbound one.
        media::save_file(
            ctx,
            &media::MediaFile {
                business_id: u.business_id,
                conversation_id: u.conversation_id,
                message_id: message.id,
                number_id,
                wa_media_id: String::new(),
                mime_type: u.mime_type.clone(),
                filename: u.filename.clone(),
                size: u.size,
                state: media::State::Stored,
                error: None,
                file_key: u.id.to_string(),
            },
        )?;
    }
    ctx.put(OUTBOX, &key(&item), &item)?;
    ctx.emit(Event::new(None, QUEUED, json!({})));
    let mut conversation = before.clone();
    conversation.last_message = Some(service::preview(
        &message.kind,
        &message.text,
        Direction::Out,
        now,
    ));
    conversation.updated_at = now.max(before.updated_at);
    conversation.number_id = Some(number_id);
    repo::save(ctx, Some(&before), &conversation)?;
    ctx.emit(service::message_new_event(
        &message,
        conversation.assignee_id,
    ));
    Ok(message)
}

/// The attachment named by a send, checked against the conversation and Meta's limits.
fn checked_upload(
    ctx: &WriteCtx,
    c: &crate::conversations::Conversation,
    kind: &str,
    id: &str,
) -> ApiResult<uploads::Upload> {
    let not_found = || ApiError::field("media_id", "no such attachment in this conversation");
    let id: RecordId = id.parse().map_err(|_| not_found())?;
    let u = uploads::get(ctx, c.business_id, id)?
        .filter(|u| u.conversation_id == c.id)
        .ok_or_else(not_found)?;
    if let Some((max, types)) = uploads::limits(kind) {
        if u.size > max {
            return Err(ApiError::field(
                "media_id",
                format!("a {kind} can be at most {} KB", max / 1024),
            ));
        }
        if !types.is_empty() && !types.contains(&u.mime_type.as_str()) {
            return Err(ApiError::field(
                "media_id",
                format!("WhatsApp does not take {} as a {kind}", u.mime_type),
            ));
        }
    }
    Ok(u)
}

pub const MAX_ATTEMPTS: u32 = 8;

/// How long a number rests after Meta's spam or policy block.
pub const PAUSE_MS: i64 = 30 * 60_000;

/// A dead token or a block is the number's state, not one message's: record it
/// so the sender holds the number's other messages and the owner sees why.
fn flag_number(ctx: &mut WriteCtx, item: &OutboxItem, e: &GraphError) -> ApiResult<()> {
    let (dead, pause) = match e.failure {
        Failure::TokenDead => (true, false),
        Failure::PauseNumber => (false, true),
        _ => return Ok(()),
    };
    let Some(mut n) = numbers::get(ctx, item.business_id, item.number_id)? else {
        return Ok(());
    };
    if dead && !n.token_dead {
        // Its messages wait for a new token, which only an owner can give.
        let text = format!(
            "The WhatsApp number {} stopped sending: Meta no longer accepts its access token. Replace the token in Channels; its messages wait and go out then ({})",
            n.display_phone_number,
            e.reason()
        );
        crate::notifications::owners(ctx, n.business_id, "whatsapp_token_invalid", &text)?;
    }
    n.token_dead |= dead;
    if pause {
        n.paused_until = n.paused_until.max(now_ms() + PAUSE_MS);
    }
    n.last_error = Some(e.reason());
    numbers::save(ctx, &n)?;
    ctx.emit(Event::new(
        Some(n.business_id),
        "number.updated",
        json!({"number_id": n.id, "status": n.status(now_ms()), "error": n.last_error}),
    ));
    Ok(())
}

/// A held message stays `queued`, and says why it waits: the person who
/// wrote it sees more than a clock that never moves. Its send clears it.
pub(crate) fn tell_why_waiting(ctx: &mut WriteCtx, item: &OutboxItem, why: &str) -> ApiResult<()> {
    let Some(mut m) = repo::message(ctx, item.business_id, item.conversation_id, item.message_id)?
    else {
        return Ok(());
    };
    if m.status != MessageStatus::Queued || m.error.as_deref() == Some(why) {
        return Ok(());
    }
    m.error = Some(why.to_string());
    service::save_status(ctx, &mut m)
}

/// Records what happened to one send, in one transaction with the outbox.
pub fn record(
    ctx: &mut WriteCtx,
    item: &OutboxItem,
    result: &Result<String, GraphError>,
) -> ApiResult<()> {
    record_after_upload(ctx, item, result, None)
}

/// `record`, for a send whose attachment Meta took (`uploaded`: the payload
/// with Meta's media id): an automatic retry sends that id instead of
/// uploading the file again. A message kept for a person's retry keeps its
/// file, since that retry may come after Meta's ids have expired.
pub fn record_after_upload(
    ctx: &mut WriteCtx,
    item: &OutboxItem,
    result: &Result<String, GraphError>,
    uploaded: Option<&str>,
) -> ApiResult<()> {
    ctx.delete(OUTBOX, &key(item))?;
    attempts::end(ctx, item)?;
    queue::settled(ctx, item)?;
    let Some(mut m) = repo::message(ctx, item.business_id, item.conversation_id, item.message_id)?
    else {
        return Ok(());
    };
    let failed = |reason: String| (MessageStatus::Failed, Some(reason));
    let (status, error) = match result {
        Ok(wamid) => {
            m.wa_message_id = Some(wamid.clone());
            // A status that arrived before this answer was parked: it wins if further.
            match crate::conversations::parked::take(ctx, wamid)? {
                Some(p) if MessageStatus::Sent.advances_to(p.status) => (p.status, p.error),
                _ => (MessageStatus::Sent, None),
            }
        }
        Err(e) => {
            flag_number(ctx, item, e)?;
            // Not this message's fault: it waits, queued, for the number's new token.
            if e.failure == Failure::TokenDead {
                queue::keep_held(ctx, item)?;
                return Ok(());
            }
            if matches!(e.code, 130429 | 131048 | 368 | 80007) {
                crate::flows::pause::on_rate_limit(ctx, item.number_id, &m)?;
            }
            let retry = match e.failure {
                Failure::Retry | Failure::RecipientBackoff | Failure::PauseNumber => {
                    item.attempts + 1 < MAX_ATTEMPTS
                }
                Failure::RetryOnce => item.attempts == 0,
                Failure::Permanent | Failure::TokenDead | Failure::Uncertain => false,
            };
            if retry {
                let backoff = match e.failure {
                    // Meta's pair limit is about one message per 6 s to a user.
                    Failure::RecipientBackoff => 6_000 * i64::from(item.attempts + 1),
                    Failure::PauseNumber => PAUSE_MS,
                    _ => (500i64 << item.attempts.min(9)).min(300_000),
                };
                let backoff = e
                    .retry_after
                    .map_or(backoff, |d| backoff.max(d.as_millis() as i64));
                let mut next = OutboxItem {
                    attempts: item.attempts + 1,
                    due_at: now_ms() + backoff,
                    ..item.clone()
                };
                if let Some(payload) = uploaded {
                    next.payload = payload.to_string();
                    next.upload = None;
                }
                ctx.put(OUTBOX, &key(&next), &next)?;
                queue::keep_behind(ctx, &next)?;
                // Whoever wrote it sees Meta's reason while it waits, not only a clock.
                tell_why_waiting(
                    ctx,
                    item,
                    &format!("Not sent yet, trying again: {}", e.reason()),
                )?;
                return Ok(());
            }
            // Kept so a person can retry it as it was composed.
            retry::keep(ctx, item)?;
            failed(e.reason())
        }
    };
    if m.status.advances_to(status) {
        m.status = status;
        m.error = error;
        service::save_status(ctx, &mut m)?;
        if m.status == MessageStatus::Failed {
            crate::flows::runtime::message_failed(ctx, &m)?;
        }
    }
    Ok(())
}
