//! Everything the business holds about one contact, as a zip: `contact.json`
//! (the contact, custom fields, labels, where its leads came from),
//! `conversations.json` (each conversation with its messages, notes and
//! follow-ups) and `media/` (the files of its messages). The zip is written
//! to an unnamed temporary file in the data folder, page by page from one
//! read transaction, so a long history never sits in memory.
use std::{
    collections::{BTreeSet, HashMap},
    io::{Seek, Write},
    path::Path,
};

use serde_json::{json, Value};
use zip::{write::SimpleFileOptions, CompressionMethod, ZipWriter};

use crate::{
    channels::whatsapp::media,
    conversations::{model::Conversation, repo, routes::message_json},
    error::{ApiError, ApiResult},
    store::{
        ids::{BusinessId, ContactId, MemberId, MessageId},
        ReadTxn,
    },
    time::rfc3339,
};

/// Messages read per step.
const PAGE: usize = 500;

#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub conversations: usize,
    pub messages: usize,
    pub media_files: usize,
}

fn zip_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("writing the export: {e}"))
}

/// Writes the zip of `contact` into `out`; 404 when the business has no such contact.
pub fn write<W: Write + Seek>(
    read: &ReadTxn,
    data_dir: &Path,
    b: BusinessId,
    contact: ContactId,
    out: W,
) -> ApiResult<(W, Summary)> {
    let k = super::get(read, b, contact)?.ok_or_else(|| ApiError::not_found("contact"))?;
    let mut conversations = Vec::new();
    for id in repo::of_contact(read, b, k.id)? {
        conversations.extend(repo::get(read, b, id)?);
    }
    conversations.sort_by_key(|c| c.created_at);
    let authors: HashMap<MemberId, String> = crate::tenancy::repo::members(read, b)?
        .into_iter()
        .filter_map(|m| {
            let user = crate::auth::users::get(read, m.user_id).ok().flatten()?;
            Some((m.id, user.name))
        })
        .collect();

    let json_opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    let mut zip = ZipWriter::new(out);
    let mut summary = Summary {
        conversations: conversations.len(),
        ..Summary::default()
    };

    let labels: BTreeSet<&String> = conversations.iter().flat_map(|c| &c.labels).collect();
    let fields: serde_json::Map<String, Value> = super::fields(read, b, k.id)?
        .into_iter()
        .map(|(key, v)| (key, Value::String(v)))
        .collect();
    let mut lead_events = Vec::new();
    for c in &conversations {
        // The timeline lines leads write (`system` messages) say where they came from.
        let mut after = None;
        loop {
            let page = repo::messages_after(read, b, c.id, after, PAGE)?;
            for m in page.iter().filter(|m| m.kind == "system") {
                let details: Value = serde_json::from_str(&m.details).unwrap_or(Value::Null);
                lead_events.push(json!({"conversation_id": c.id, "text": m.text,
                    "source": details.get("source"), "created_at": rfc3339(m.created_at)}));
            }
            match page.last() {
                Some(last) if page.len() == PAGE => after = Some(last.id),
                _ => break,
            }
        }
    }
    let contact_doc = json!({
        "id": k.id, "name": k.name, "phone": k.phone, "email": k.email, "wa_user_id": k.wa_user_id,
        "created_at": rfc3339(k.created_at), "updated_at": rfc3339(k.updated_at),
        "custom_fields": fields, "labels": labels,
        "lead_sources": conversations.iter().map(|c| json!({"conversation_id": c.id, "source": c.source,
            "number_id": c.number_id, "created_at": rfc3339(c.created_at)})).collect::<Vec<_>>(),
        "lead_events": lead_events,
    });
    zip.start_file("contact.json", json_opts)
        .map_err(zip_error)?;
    serde_json::to_writer_pretty(&mut zip, &contact_doc).map_err(zip_error)?;

    // conversations.json is streamed: the media files go in after it, from this list.
    let mut files: Vec<(String, media::MediaFile)> = Vec::new();
    zip.start_file("conversations.json", json_opts)
        .map_err(zip_error)?;
    zip.write_all(b"[").map_err(zip_error)?;
    for (i, c) in conversations.iter().enumerate() {
        if i > 0 {
            zip.write_all(b",").map_err(zip_error)?;
        }
        write_conversation(read, c, &authors, &mut zip, &mut files, &mut summary)?;
    }
    zip.write_all(b"]").map_err(zip_error)?;

    let file_opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    for (name, f) in &files {
        let Ok(mut src) = std::fs::File::open(media::path(data_dir, f)) else {
            continue;
        };
        zip.start_file(name.as_str(), file_opts)
            .map_err(zip_error)?;
        std::io::copy(&mut src, &mut zip).map_err(zip_error)?;
        summary.media_files += 1;
    }
    let out = zip.finish().map_err(zip_error)?;
    Ok((out, summary))
}

fn write_conversation<W: Write + Seek>(
    read: &ReadTxn,
    c: &Conversation,
    authors: &HashMap<MemberId, String>,
    zip: &mut ZipWriter<W>,
    files: &mut Vec<(String, media::MediaFile)>,
    summary: &mut Summary,
) -> ApiResult<()> {
    let b = c.business_id;
    let author = |m: Option<MemberId>| m.and_then(|m| authors.get(&m).cloned());
    let notes: Vec<Value> = repo::notes(read, b, c.id)?
        .iter()
        .map(|n| {
            json!({"id": n.id, "text": n.text, "author_id": n.author_id,
            "author": author(Some(n.author_id)), "created_at": rfc3339(n.created_at)})
        })
        .collect();
    let followups: Vec<Value> = crate::followups::of_conversation(read, b, c.id)?
        .iter()
        .map(|f| {
            json!({"id": f.id, "note": f.note, "scheduled_for": rfc3339(f.scheduled_for),
            "assignee_id": f.assignee_id, "done_at": f.done_at.map(rfc3339)})
        })
        .collect();
    let head = json!({
        "id": c.id, "source": c.source, "status": c.status, "number_id": c.number_id,
        "assignee_id": c.assignee_id, "assignee": author(c.assignee_id), "labels": c.labels,
        "created_at": rfc3339(c.created_at), "updated_at": rfc3339(c.updated_at),
        "notes": notes, "followups": followups,
    });
    // The head's closing brace gives way to the streamed `messages` array.
    let head = serde_json::to_string(&head).map_err(zip_error)?;
    let open = head.strip_suffix('}').unwrap_or(&head);
    write!(zip, "{open},\"messages\":[").map_err(zip_error)?;
    let mut after: Option<MessageId> = None;
    let mut first = true;
    loop {
        let page = repo::messages_after(read, b, c.id, after, PAGE)?;
        for m in &page {
            let mut v = message_json(m);
            v["author"] = json!(author(m.author_id));
            if let Some(f) =
                media::get(read, b, c.id, m.id)?.filter(|f| f.state == media::State::Stored)
            {
                let ext = mime_guess::get_mime_extensions_str(&f.mime_type)
                    .and_then(|e| e.first())
                    .map(|e| format!(".{e}"))
                    .unwrap_or_default();
                let name = format!("media/{}{ext}", m.id);
                v["file"] = json!(name);
                files.push((name, f));
            }
            if !first {
                zip.write_all(b",").map_err(zip_error)?;
            }
            first = false;
            serde_json::to_writer(&mut *zip, &v).map_err(zip_error)?;
            summary.messages += 1;
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.id),
            _ => break,
        }
    }
    zip.write_all(b"]}").map_err(zip_error)?;
    Ok(())
}
