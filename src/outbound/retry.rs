//! Retrying a failed message by hand: the send as it was composed goes back
//! into the outbox under the same message, which returns to `queued`.
use redb::TableDefinition;
use serde_json::json;

use super::{key, OutboxItem, OUTBOX};
use crate::{
    conversations::{
        access::Conversations,
        model::{Direction, Message, MessageStatus},
        repo, service,
    },
    error::{ApiError, ApiResult, Code},
    events::Event,
    store::{
        ids::{BusinessId, ConversationId, MessageId},
        Key, Tbl, WriteCtx,
    },
    tenancy::Scope,
    time::now_ms,
};

/// (business, conversation, message) → the OutboxItem of a message that failed for good.
pub(crate) const FAILED: Tbl = TableDefinition::new("outbox_failed");

fn failed_key(b: BusinessId, c: ConversationId, m: MessageId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).id(m.bytes()).done()
}

/// Drops the kept sends of a conversation (it is being erased).
pub fn forget(ctx: &mut WriteCtx, b: BusinessId, c: ConversationId) -> ApiResult<()> {
    ctx.delete_prefix(
        FAILED,
        &Key::new().id(b.bytes()).id(c.bytes()).done(),
        usize::MAX,
    )?;
    Ok(())
}

pub fn keep(ctx: &mut WriteCtx, item: &OutboxItem) -> ApiResult<()> {
    let k = failed_key(item.business_id, item.conversation_id, item.message_id);
    let fresh = OutboxItem {
        attempts: 0,
        ..item.clone()
    };
    Ok(ctx.put(FAILED, &k, &fresh)?)
}

pub fn retry(
    ctx: &mut WriteCtx,
    scope: &Scope,
    conversation_id: ConversationId,
    message_id: MessageId,
) -> ApiResult<Message> {
    let c = Conversations::new(ctx, scope).get(conversation_id)?;
    let mut m = repo::message(ctx, c.business_id, c.id, message_id)?
        .filter(|m| m.direction == Direction::Out)
        .ok_or_else(|| ApiError::not_found("message"))?;
    if m.status != MessageStatus::Failed {
        return Err(ApiError::new(
            Code::Conflict,
            "Only a failed message can be retried",
        ));
    }
    let k = failed_key(c.business_id, c.id, m.id);
    let item: OutboxItem = crate::store::get(ctx, FAILED, &k)?.ok_or_else(|| {
        ApiError::new(
            Code::Conflict,
            "This message cannot be sent again; write it anew",
        )
    })?;
    let now = now_ms();
    if m.kind != "template" && !c.window_open(now) {
        return Err(ApiError::new(
            Code::WindowClosed,
            "The 24-hour customer service window is closed; only a template can be sent",
        ));
    }
    ctx.delete(FAILED, &k)?;
    let item = OutboxItem {
        attempts: 0,
        due_at: now,
        ..item
    };
    ctx.put(OUTBOX, &key(&item), &item)?;
    m.status = MessageStatus::Queued;
    m.error = None;
    m.updated_at = now;
    repo::save_message(ctx, &m)?;
    ctx.emit(Event::new(
        Some(m.business_id),
        "message.status",
        json!({"conversation_id": m.conversation_id, "message_id": m.id, "status": m.status, "error": null,
               "assignee_id": service::assignee_of(ctx, &m)?}),
    ));
    Ok(m)
}
