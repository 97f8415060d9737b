//! Turns a parsed webhook delivery into stored contacts, conversations,
//! messages and statuses, all in one write job: the webhook answers 200 only
//! after the commit that holds every message of the delivery.
use serde_json::{json, Value};

use super::{
    deadletters, numbers,
    parse::{Change, Delivery, InboundMessage, Media, MessageKind, Status, WaError},
};
use crate::{
    contacts::{self, Identity},
    conversations::{
        model::{MessageStatus, Source},
        repo,
        service::{self, NewInbound, Recorded},
    },
    error::ApiResult,
    store::{
        ids::{BusinessId, ConversationId},
        WriteCtx,
    },
};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub stored: usize,
    pub duplicates: usize,
    pub statuses: usize,
    pub dead_letters: usize,
    /// Files whose download was scheduled.
    pub media: usize,
}

fn media_json(m: &Media) -> Value {
    json!({
        "wa_media_id": m.id,
        "mime_type": m.mime_type,
        "sha256": m.sha256,
        "file_size": m.file_size,
        "caption": m.caption,
    })
}

fn errors_json(errors: &[WaError]) -> Value {
    errors
        .iter()
        .map(|e| json!({"code": e.code, "title": e.title, "message": e.message, "details": e.details}))
        .collect()
}

/// The message type, the text a person reads, and the type-specific details.
pub fn describe(m: &InboundMessage) -> (String, String, Value) {
    let caption = |media: &Media| media.caption.clone().unwrap_or_default();
    let (kind, text, details) = match &m.kind {
        MessageKind::Text { body } => ("text", body.clone(), json!({})),
        MessageKind::Image(md) => ("image", caption(md), json!({"media": media_json(md)})),
        MessageKind::Video(md) => ("video", caption(md), json!({"media": media_json(md)})),
        MessageKind::Audio { media, voice } => (
            "audio",
            String::new(),
            json!({"media": media_json(media), "voice": voice}),
        ),
        MessageKind::Document { media, filename } => (
            "document",
            media
                .caption
                .clone()
                .or_else(|| filename.clone())
                .unwrap_or_default(),
            json!({"media": media_json(media), "filename": filename}),
        ),
        MessageKind::Sticker { media, animated } => (
            "sticker",
            String::new(),
            json!({"media": media_json(media), "animated": animated}),
        ),
        MessageKind::Location {
            latitude,
            longitude,
            name,
            address,
            url,
        } => (
            "location",
            [name.clone(), address.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            json!({"latitude": latitude, "longitude": longitude, "name": name, "address": address, "url": url}),
        ),
        MessageKind::Contacts(cards) => (
            "contacts",
            cards
                .iter()
                .map(|c| c.formatted_name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            json!({"contacts": cards.iter().map(|c| json!({
                "name": c.formatted_name,
                "phones": c.phones.iter().map(|p| json!({"phone": p.phone, "wa_id": p.wa_id, "type": p.kind})).collect::<Vec<_>>(),
                "emails": c.emails,
                "org": c.org,
            })).collect::<Vec<_>>()}),
        ),
        MessageKind::ButtonReply { id, title } => (
            "interactive",
            title.clone(),
            json!({"interactive": {"type": "button_reply", "id": id, "title": title}}),
        ),
        MessageKind::ListReply {
            id,
            title,
            description,
        } => (
            "interactive",
            title.clone(),
            json!({"interactive": {"type": "list_reply", "id": id, "title": title, "description": description}}),
        ),
        MessageKind::FlowReply {
            name,
            body,
            response_json,
        } => (
            "interactive",
            body.clone().or_else(|| name.clone()).unwrap_or_default(),
            json!({"interactive": {"type": "nfm_reply", "name": name, "body": body, "response_json": response_json}}),
        ),
        MessageKind::Button { payload, text } => {
            ("button", text.clone(), json!({"payload": payload}))
        }
        MessageKind::Reaction { message_id, emoji } => (
            "reaction",
            emoji.clone().unwrap_or_default(),
            json!({"message_id": message_id, "emoji": emoji}),
        ),
        MessageKind::Order {
            catalog_id,
            text,
            items,
        } => (
            "order",
            text.clone()
                .unwrap_or_else(|| format!("Order of {} item(s)", items.len())),
            json!({"catalog_id": catalog_id, "items": items.iter().map(|i| json!({
                "product_retailer_id": i.product_retailer_id, "quantity": i.quantity,
                "item_price": i.item_price, "currency": i.currency,
            })).collect::<Vec<_>>()}),
        ),
        MessageKind::System {
            body,
            system_type,
            new_wa_id,
            new_user_id,
            identity,
        } => (
            "system",
            body.clone(),
            json!({"system_type": system_type, "new_wa_id": new_wa_id, "new_user_id": new_user_id, "identity": identity}),
        ),
        MessageKind::Unsupported { type_name, errors } => (
            "unsupported",
            String::new(),
            json!({
                "type_name": type_name,
                "errors": errors_json(errors),
                "raw": serde_json::from_str::<Value>(&m.raw).unwrap_or(Value::Null),
            }),
        ),
    };
    let mut details = details;
    if let (Some(ctx), Value::Object(map)) = (&m.context, &mut details) {
        if ctx.forwarded || ctx.frequently_forwarded {
            map.insert("forwarded".into(), json!(true));
        }
        if ctx.frequently_forwarded {
            map.insert("frequently_forwarded".into(), json!(true));
        }
        // The catalog product the customer asks about ("Message business").
        if let Some(p) = &ctx.referred_product {
            map.insert(
                "referred_product".into(),
                json!({"catalog_id": p.catalog_id, "product_retailer_id": p.product_retailer_id}),
            );
        }
    }
    if let (Some(r), Value::Object(map)) = (&m.referral, &mut details) {
        map.insert(
            "referral".into(),
            json!({"source_url": r.source_url, "source_id": r.source_id, "source_type": r.source_type,
                   "headline": r.headline, "body": r.body, "ctwa_clid": r.ctwa_clid,
                   "media_type": r.media_type, "image_url": r.image_url, "video_url": r.video_url,
                   "thumbnail_url": r.thumbnail_url}),
        );
    }
    (kind.to_string(), text, details)
}

fn identity(change: &Change, m: &InboundMessage) -> Identity {
    let profile = change.contact_of(m);
    let phone = m
        .from
        .clone()
        .or_else(|| profile.and_then(|p| p.wa_id.clone()))
        .and_then(|w| contacts::e164_from_wa_id(&w));
    Identity {
        name: profile.and_then(|p| p.name.clone()),
        phone,
        wa_user_id: m
            .user_id
            .clone()
            .or_else(|| profile.and_then(|p| p.user_id.clone())),
        email: None,
    }
}

fn status_of(s: &Status) -> Option<MessageStatus> {
    match s {
        Status::Sent => Some(MessageStatus::Sent),
        Status::Delivered => Some(MessageStatus::Delivered),
        Status::Read => Some(MessageStatus::Read),
        Status::Failed => Some(MessageStatus::Failed),
        Status::Other(_) => None,
    }
}

fn failure_reason(errors: &[WaError]) -> Option<String> {
    errors.first().map(|e| {
        let text = e
            .details
            .clone()
            .or_else(|| e.message.clone())
            .or_else(|| e.title.clone())
            .unwrap_or_default();
        format!("{} ({})", text, e.code)
    })
}

/// One inbound message, with everything that needs no store worked out
/// before it reaches the writer (which is the one thread every write shares).
pub struct PreparedMessage {
    pub who: Identity,
    pub new: NewInbound,
    /// (target wamid, emoji): applied to its message when that is known.
    pub reaction: Option<(String, Option<String>)>,
    /// The customer's new number, from a `user_changed_number` notice.
    pub new_wa_id: Option<String>,
    /// The customer's new user id (BSUID), from a `user_changed_user_id` notice.
    pub new_user_id: Option<String>,
    pub media: Option<(Media, Option<String>)>,
}

pub struct PreparedChange {
    pub phone_number_id: String,
    /// `value.errors`, each as "code title: message".
    pub errors: Vec<String>,
    pub messages: Vec<PreparedMessage>,
    pub statuses: Vec<(String, MessageStatus, Option<String>)>,
}

/// Parses what can be parsed outside the writer.
pub fn prepare(delivery: &Delivery) -> Vec<PreparedChange> {
    delivery
        .changes
        .iter()
        .map(|change| PreparedChange {
            phone_number_id: change.phone_number_id.clone(),
            errors: change
                .errors
                .iter()
                .map(|e| {
                    let what = [&e.title, &e.message, &e.details]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(": ");
                    format!("{} {what}", e.code)
                })
                .collect(),
            messages: change
                .messages
                .iter()
                .map(|m| {
                    let sent_at = sent_at(m.timestamp, crate::time::now_ms());
                    let (kind, text, details) = describe(m);
                    PreparedMessage {
                        who: identity(change, m),
                        new: NewInbound {
                            wamid: Some(m.id.clone()),
                            kind,
                            text,
                            details: details.to_string(),
                            reply_to: m.context.as_ref().and_then(|c| c.id.clone()),
                            sent_at,
                        },
                        reaction: match &m.kind {
                            MessageKind::Reaction { message_id, emoji } => {
                                Some((message_id.clone(), emoji.clone()))
                            }
                            _ => None,
                        },
                        new_wa_id: match &m.kind {
                            MessageKind::System { new_wa_id, .. } => new_wa_id.clone(),
                            _ => None,
                        },
                        new_user_id: match &m.kind {
                            MessageKind::System {
                                new_user_id,
                                system_type,
                                ..
                            } if system_type == "user_changed_user_id" => {
                                new_user_id.clone().filter(|u| !u.is_empty())
                            }
                            _ => None,
                        },
                        media: media_of(&m.kind).map(|(media, name)| (media.clone(), name)),
                    }
                })
                .collect(),
            statuses: change
                .statuses
                .iter()
                .filter_map(|s| {
                    status_of(&s.status).map(|st| (s.id.clone(), st, failure_reason(&s.errors)))
                })
                .collect(),
        })
        .collect()
}

/// Applies a prepared delivery. `raw` (the body as received) is kept for dead letters.
pub fn apply(ctx: &mut WriteCtx, changes: &[PreparedChange], raw: &[u8]) -> ApiResult<Outcome> {
    let mut out = Outcome::default();
    // What an admin must look at, once per delivery whatever it holds.
    let mut trouble = Vec::new();
    for change in changes {
        if !change.errors.is_empty() {
            let reason = format!("Meta reported: {}", change.errors.join("; "));
            tracing::warn!(phone_number_id = %change.phone_number_id, "{reason}");
            trouble.push(reason);
        }
        let Some(number) = numbers::by_phone_number_id(ctx, &change.phone_number_id)? else {
            trouble.push(format!(
                "no business has phone_number_id `{}`",
                change.phone_number_id
            ));
            continue;
        };
        for p in &change.messages {
            if let Some((target, emoji)) = &p.reaction {
                let thread = customer_thread(ctx, &number, &p.who)?;
                if service::apply_reaction(ctx, thread, target, emoji.as_deref(), p.new.sent_at)? {
                    out.stored += 1;
                    continue;
                }
                // Taking back a reaction to a message we never had leaves nothing to show.
                if emoji.as_deref().is_none_or(str::is_empty) {
                    continue;
                }
            }
            let mut who = p.who.clone();
            if let Some(new) = &p.new_wa_id {
                move_phone(ctx, &number, &who, new)?;
                // The notice itself belongs to the moved contact.
                who.phone = contacts::e164_from_wa_id(new).or(who.phone);
            }
            if let Some(new) = &p.new_user_id {
                move_user_id(ctx, &number, &who, new)?;
                who.wa_user_id = Some(new.clone());
            }
            match service::record_inbound(
                ctx,
                number.business_id,
                Some(number.id),
                Source::Whatsapp,
                &who,
                &p.new,
            )? {
                Recorded::Duplicate => out.duplicates += 1,
                Recorded::Stored(stored) => {
                    out.stored += 1;
                    // An automation's trouble never costs the customer's message.
                    if let Err(e) = crate::flows::runtime::on_inbound(ctx, &stored) {
                        if e.code.http().is_server_error() {
                            return Err(e);
                        }
                        tracing::warn!(conversation = %stored.conversation.id, "flow step refused: {}", e.message);
                    }
                    if let Some((media, filename)) = &p.media {
                        super::media::register(
                            ctx,
                            &stored.message,
                            number.id,
                            media,
                            filename.clone(),
                        )?;
                        out.media += 1;
                    }
                }
            }
        }
        for (wamid, status, reason) in &change.statuses {
            service::apply_status(ctx, number.business_id, wamid, *status, reason.clone())?;
            out.statuses += 1;
        }
    }
    if !trouble.is_empty() {
        trouble.dedup();
        deadletters::record(
            ctx,
            "whatsapp",
            &trouble.join("; "),
            &String::from_utf8_lossy(raw),
        )?;
        out.dead_letters += 1;
    }
    Ok(out)
}

/// The conversation the customer's messages on this number go to, if any yet.
fn customer_thread(
    ctx: &WriteCtx,
    number: &numbers::WaNumber,
    who: &Identity,
) -> ApiResult<Option<(BusinessId, ConversationId)>> {
    let b = number.business_id;
    let Some(contact) = contacts::find(ctx, b, who)? else {
        return Ok(None);
    };
    let thread = repo::thread_for(ctx, b, contact.id, Some(number.id))?;
    Ok(thread.existing.map(|c| (b, c.id)))
}

fn media_of(kind: &MessageKind) -> Option<(&Media, Option<String>)> {
    match kind {
        MessageKind::Image(m) | MessageKind::Video(m) => Some((m, None)),
        MessageKind::Audio { media, .. } | MessageKind::Sticker { media, .. } => {
            Some((media, None))
        }
        MessageKind::Document { media, filename } => Some((media, filename.clone())),
        _ => None,
    }
}

/// A customer's user id changed: the contact takes the new one, it is not duplicated.
fn move_user_id(
    ctx: &mut WriteCtx,
    number: &numbers::WaNumber,
    who: &Identity,
    new_user_id: &str,
) -> ApiResult<()> {
    let b = number.business_id;
    if contacts::by_wa_user(ctx, b, new_user_id)?.is_some() {
        return Ok(());
    }
    if let Some(c) = contacts::find(ctx, b, who)? {
        let mut moved = c.clone();
        moved.wa_user_id = Some(new_user_id.to_string());
        moved.updated_at = crate::time::now_ms();
        contacts::save(ctx, Some(&c), &moved)?;
    }
    Ok(())
}

/// A customer changed their number: the contact moves to it, it is not duplicated.
fn move_phone(
    ctx: &mut WriteCtx,
    number: &numbers::WaNumber,
    who: &Identity,
    new_wa_id: &str,
) -> ApiResult<()> {
    let Some(new_phone) = contacts::e164_from_wa_id(new_wa_id) else {
        return Ok(());
    };
    let Some(old_phone) = &who.phone else {
        return Ok(());
    };
    if let Some(c) = contacts::by_phone(ctx, number.business_id, old_phone)? {
        if contacts::by_phone(ctx, number.business_id, &new_phone)?.is_none() {
            let mut moved = c.clone();
            moved.phone = Some(new_phone);
            moved.updated_at = crate::time::now_ms();
            contacts::save(ctx, Some(&c), &moved)?;
        }
    }
    Ok(())
}

/// When the customer sent a message, from Meta's `timestamp` (seconds; a
/// sender's clock in milliseconds is read as such). Never later than its
/// arrival: a date in the future would hold the 24-hour window open for days.
fn sent_at(timestamp: i64, now: i64) -> i64 {
    const MS_FROM: i64 = 100_000_000_000;
    let ms = if timestamp >= MS_FROM {
        Some(timestamp)
    } else {
        crate::time::secs_to_ms(timestamp)
    };
    ms.filter(|&ms| ms > 0).map_or(now, |ms| ms.min(now))
}

#[cfg(test)]
mod sent_at_tests {
    use super::sent_at;

    #[test]
    fn a_message_is_never_sent_after_it_arrived() {
        let now = 1_764_000_100_000;
        assert_eq!(sent_at(1_764_000_000, now), 1_764_000_000_000);
        assert_eq!(
            sent_at(1_764_000_000_123, now),
            1_764_000_000_123,
            "milliseconds"
        );
        assert_eq!(sent_at(1_864_000_000, now), now, "next year is now");
        assert_eq!(sent_at(0, now), now);
        assert_eq!(sent_at(-5, now), now);
        assert_eq!(sent_at(i64::MAX, now), now);
    }
}
