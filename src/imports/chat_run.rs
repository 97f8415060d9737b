//! Running a chat-history import: the export's messages join a
//! conversation's timeline in time order, marked imported. Each message's id
//! is made from its time and a hash of its author, text and occurrence, so
//! importing the same file again finds every message already there. Imported
//! history is the past: it starts no flow, assigns nobody, notifies nobody,
//! opens no 24-hour window and leaves the conversation's place in the inbox.
use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    chat_export::{ChatMessage, Kind},
    model::{self, Import, Mapping, Status},
};
use crate::{
    contacts::{self, Identity},
    conversations::{
        model::{Conversation, Direction, Message, MessageStatus, Source},
        repo, service,
    },
    error::{ApiError, ApiResult},
    store::{
        ids::{BusinessId, ConversationId, MessageId, RecordId},
        Store, WriteCtx,
    },
    time::now_ms,
};

const BATCH: usize = 500;

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::System => "system",
        Kind::Media { .. } => "media",
        Kind::Deleted => "deleted",
    }
}

/// Export times are wall-clock without a zone: read in the business's
/// offset given at mapping time (UTC when none).
fn utc_ms(m: &ChatMessage, offset_minutes: i64) -> i64 {
    m.at.and_utc().timestamp_millis() - offset_minutes * 60_000
}

/// The same message (time, author, text, n-th such in the file) always gets the same id.
pub fn message_id(at_ms: i64, m: &ChatMessage, occurrence: u32) -> MessageId {
    let mut h = Sha256::new();
    h.update(m.author.as_deref().unwrap_or("").as_bytes());
    h.update([0]);
    h.update(m.text.as_bytes());
    h.update(occurrence.to_be_bytes());
    let digest = h.finalize();
    let mut random = [0u8; 16];
    random[6..].copy_from_slice(&digest[..10]);
    MessageId(ulid::Ulid::from_parts(
        at_ms.max(0) as u64,
        u128::from_be_bytes(random),
    ))
}

/// The conversation the history joins: the chosen one, or a new one with the
/// other participant (their name, and their phone when the name is one).
fn conversation(
    ctx: &mut WriteCtx,
    i: &Import,
    other: &str,
    country: &str,
    first: Option<MessageId>,
) -> ApiResult<Conversation> {
    if let Some(c) = i.conversation_id {
        return repo::get(ctx, i.business_id, c)?
            .ok_or_else(|| ApiError::not_found("conversation"));
    }
    // The same export again (or a later, longer one of the same chat) goes
    // where its first message went, so nothing is imported twice.
    if let Some(first) = first {
        for prior in model::list(ctx, i.business_id)? {
            let Some(c) = prior.conversation_id.filter(|_| prior.id != i.id) else {
                continue;
            };
            if repo::message(ctx, i.business_id, c, first)?.is_some() {
                if let Some(found) = repo::get(ctx, i.business_id, c)? {
                    return Ok(found);
                }
            }
        }
    }
    let phone = contacts::phone::plain(other)
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        .then(|| contacts::phone::normalize(other, country).ok())
        .flatten();
    let who = Identity {
        name: (phone.is_none()).then(|| other.to_string()),
        phone,
        wa_user_id: None,
        email: None,
    };
    let (contact, _) = contacts::upsert(ctx, i.business_id, &who)?;
    // A person already known by this number: their history joins their
    // conversation, if the importer may open it.
    if let Some(existing) = repo::thread_for(ctx, i.business_id, contact.id, None)?.existing {
        let sees = match crate::tenancy::repo::member(ctx, i.business_id, i.created_by)? {
            Some(m) => {
                crate::tenancy::repo::scope_for(ctx, &m)?.sees_conversation(existing.assignee_id)
            }
            None => false,
        };
        if sees {
            return Ok(existing);
        }
    }
    let mut c = Conversation::start(i.business_id, contact.id, None, Source::Import, now_ms());
    // The importer already knows this person: the conversation is theirs.
    c.assignee_id = Some(i.created_by);
    repo::save(ctx, None, &c)?;
    Ok(c)
}

pub async fn run(store: &Store, data_dir: &Path, b: BusinessId, id: RecordId) -> ApiResult<()> {
    let Some(import) = model::get(&store.read()?, b, id)? else {
        return Ok(());
    };
    let Some(Mapping::Chat(mapping)) = import.mapping.clone() else {
        return Err(ApiError::field(
            "mapping",
            "choose the business's side first",
        ));
    };
    let path = model::file_path(data_dir, b, id);
    let chat = super::chat::parsed(&path).await?;
    let zip_path = super::chat_zip::is_zip(&path).then(|| path.clone());
    let business = crate::tenancy::repo::business(&store.read()?, b)?
        .ok_or_else(|| ApiError::not_found("business"))?;
    let other = chat
        .participants
        .iter()
        .find(|p| **p != mapping.business_participant)
        .cloned()
        .unwrap_or_else(|| "WhatsApp contact".into());
    // Occurrence numbers make identical lines in one minute distinct messages.
    let mut seen: std::collections::HashMap<(i64, Option<String>, String), u32> =
        Default::default();
    // Exports count in minutes (or seconds): the file's order within one
    // timestamp is kept by a millisecond apiece.
    let mut same_time: std::collections::HashMap<i64, i64> = Default::default();
    let mut prepared = Vec::with_capacity(chat.messages.len());
    for m in &chat.messages {
        let at = utc_ms(m, mapping.tz_offset_minutes);
        let n = seen
            .entry((at, m.author.clone(), m.text.clone()))
            .or_insert(0);
        *n += 1;
        let k = same_time.entry(at).or_insert(0);
        let ordered = at + *k;
        *k += 1;
        prepared.push((message_id(ordered, m, *n), ordered, m.clone()));
    }
    let total = prepared.len() as u64;
    let first_id = prepared.first().map(|(id, _, _)| *id);
    // A file goes to the first line that names it: a zip naming one entry on
    // every line would otherwise be copied out once per line.
    let mut named = std::collections::HashSet::new();
    let firsts: std::collections::HashSet<MessageId> = prepared
        .iter()
        .filter(|(_, _, m)| match &m.kind {
            Kind::Media {
                file: Some(name), ..
            } => named.insert(name.clone()),
            _ => false,
        })
        .map(|(id, _, _)| *id)
        .collect();
    let errors: Vec<(u64, String, String)> = chat
        .errors
        .iter()
        .map(|e| (e.line as u64, e.reason.clone(), e.text.clone()))
        .collect();
    loop {
        let Some(i) = model::get(&store.read()?, b, id)? else {
            return Ok(());
        };
        if i.status != Status::Running {
            return Ok(());
        }
        if i.cancel_requested {
            return super::csv_run::end_cancelled(store, &i).await;
        }
        let from = i.checkpoint.row as usize;
        let batch: Vec<_> = prepared.iter().skip(from).take(BATCH).cloned().collect();
        let eof = from + batch.len() >= prepared.len();
        let (me, them, country) = (
            mapping.business_participant.clone(),
            other.clone(),
            business.default_country.clone(),
        );
        let errors = if from == 0 {
            errors.clone()
        } else {
            Vec::new()
        };
        // The batch's attachments are on disk before the messages naming them commit.
        let files = attach(
            zip_path.clone(),
            data_dir.to_path_buf(),
            b,
            id,
            batch
                .iter()
                .filter(|(m, _, _)| firsts.contains(m))
                .cloned()
                .collect(),
        )
        .await?;
        let on_disk: Vec<(MessageId, String)> =
            files.iter().map(|(m, f)| (*m, f.key.clone())).collect();
        let kept = store
            .write(move |ctx| {
                // Another run's turn: its messages may name these files.
                let Some(mut i) = model::get(ctx, b, id)? else {
                    return Ok(None);
                };
                if i.status != Status::Running || i.checkpoint.row as usize != from {
                    return Ok(None);
                }
                let c = conversation(ctx, &i, &them, &country, first_id)?;
                if i.conversation_id.is_none() {
                    i.conversation_id = Some(c.id);
                }
                for (line, reason, text) in &errors {
                    super::csv_run::fail(
                        ctx,
                        &mut i,
                        *line,
                        None,
                        reason.clone(),
                        vec![text.clone()],
                    )?;
                }
                let mut added = Vec::with_capacity(batch.len());
                let mut newest: Option<Message> = None;
                for (mid, at, m) in &batch {
                    if repo::message(ctx, b, c.id, *mid)?.is_some() {
                        i.checkpoint.skipped += 1;
                        continue;
                    }
                    let saved = save(ctx, &i, c.id, *mid, *at, m, &me, files.get(mid))?;
                    if newest
                        .as_ref()
                        .is_none_or(|n| saved.created_at >= n.created_at)
                    {
                        newest = Some(saved);
                    }
                    added.push(*mid);
                    i.checkpoint.done += 1;
                }
                // The list shows the latest line of the history unless the
                // conversation has a later one of its own.
                if let Some(n) =
                    newest.filter(|n| c.last_message.as_ref().is_none_or(|p| n.created_at >= p.at))
                {
                    let mut shown = c.clone();
                    shown.last_message = Some(service::preview(
                        &n.kind,
                        &n.text,
                        n.direction,
                        n.created_at,
                    ));
                    repo::save(ctx, Some(&c), &shown)?;
                }
                ctx.emit(crate::events::Event::new(
                    Some(b),
                    "index.messages",
                    json!({"conversation_id": c.id, "message_ids": added}),
                ));
                i.checkpoint.row = (from + batch.len()) as u64;
                if eof {
                    i.status = Status::Completed;
                    i.finished_at = Some(now_ms());
                }
                i.rows_total_estimate = Some(total);
                i.updated_at = now_ms();
                model::save(ctx, &i)?;
                super::csv_run::progress(ctx, &i, 0.0);
                Ok(Some(added))
            })
            .await?;
        // Files copied for lines the conversation already had (a chat
        // exported again) belong to no message.
        let unused = on_disk
            .iter()
            .filter(|(m, _)| kept.as_ref().is_some_and(|k| !k.contains(m)));
        for (mid, key) in unused {
            let path = crate::channels::whatsapp::media::file_path(data_dir, b, key);
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!("chat import: an unused attachment of {mid} stays: {e}");
            }
        }
        if eof {
            return Ok(());
        }
    }
}

/// An attachment copied out of the zip for one message.
#[derive(Clone)]
struct Attached {
    /// The file's name in the media folder.
    key: String,
    name: String,
    kind: &'static str,
    mime: String,
    size: u64,
}

/// Copies the attachments of `batch` out of the zip into the media folder,
/// named by import and message id (a resumed batch copies them again,
/// harmlessly). Message ids repeat when one chat is imported into two
/// conversations; the import keeps their files apart, so erasing one
/// conversation leaves the other's.
async fn attach(
    zip: Option<std::path::PathBuf>,
    data_dir: std::path::PathBuf,
    b: BusinessId,
    import: RecordId,
    batch: Vec<(MessageId, i64, ChatMessage)>,
) -> ApiResult<std::collections::HashMap<MessageId, Attached>> {
    let Some(zip) = zip else {
        return Ok(Default::default());
    };
    actix_web::web::block(move || {
        let mut files = super::chat_zip::Attachments::open(&zip)?;
        let mut out = std::collections::HashMap::new();
        for (id, _, m) in &batch {
            let Kind::Media {
                file: Some(name),
                omitted: false,
            } = &m.kind
            else {
                continue;
            };
            if !files.has(name) {
                continue;
            }
            let key = format!("{import}-{id}");
            let dest = crate::channels::whatsapp::media::file_path(&data_dir, b, &key);
            // A damaged file costs its own message its attachment, not the history.
            let size = match files.extract(name, &dest) {
                Ok(size) => size,
                Err(e) => {
                    tracing::warn!("chat import: skipping attachment {name}: {}", e.message);
                    continue;
                }
            };
            let (kind, mime) = super::chat_zip::media_kind(name);
            out.insert(
                *id,
                Attached {
                    key,
                    name: name.clone(),
                    kind,
                    mime,
                    size,
                },
            );
        }
        Ok(out)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

#[allow(clippy::too_many_arguments)]
fn save(
    ctx: &mut WriteCtx,
    i: &Import,
    conversation: ConversationId,
    id: MessageId,
    at: i64,
    m: &ChatMessage,
    business_side: &str,
    file: Option<&Attached>,
) -> ApiResult<Message> {
    let ours = m.author.as_deref() == Some(business_side);
    let media = file.map(|f| json!({"mime_type": f.mime, "filename": f.name, "file_size": f.size}));
    // Named in the text but not at hand: what the phone said, no file to serve.
    let placeholder = match (&m.kind, file) {
        (Kind::Media { file, omitted }, None) => json!({"file": file, "omitted": omitted}),
        _ => serde_json::Value::Null,
    };
    if let Some(f) = file {
        crate::channels::whatsapp::media::save_file(
            ctx,
            &crate::channels::whatsapp::media::MediaFile {
                business_id: i.business_id,
                conversation_id: conversation,
                message_id: id,
                number_id: crate::store::ids::NumberId::from_bytes(&[0; 16]).unwrap_or_default(),
                wa_media_id: String::new(),
                mime_type: f.mime.clone(),
                filename: Some(f.name.clone()),
                size: f.size,
                state: crate::channels::whatsapp::media::State::Stored,
                error: None,
                file_key: f.key.clone(),
            },
        )?;
    }
    let message = Message {
        id,
        business_id: i.business_id,
        conversation_id: conversation,
        direction: if ours { Direction::Out } else { Direction::In },
        kind: file.map_or(kind_name(&m.kind), |f| f.kind).to_string(),
        text: m.text.clone(),
        details: json!({"imported": true, "import_id": i.id, "author": m.author, "line": m.line, "media": media, "placeholder": placeholder})
            .to_string(),
        wa_message_id: None,
        status: if ours { MessageStatus::Sent } else { MessageStatus::Received },
        error: None,
        author_id: None,
        reply_to: None,
        reactions: Vec::new(),
        created_at: at,
        updated_at: at,
    };
    repo::save_message(ctx, &message)?;
    Ok(message)
}
