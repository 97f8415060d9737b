//! Inbound media: Meta's URL expires within minutes and needs the number's
//! token, so a durable job fetches each file into the data folder right away,
//! and members download it through a scope-checked endpoint, never from Meta.
use std::{path::PathBuf, sync::Arc};

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    graph::{Failure, Graph},
    media_check, numbers,
    parse::Media,
};
use crate::{
    auth::MemberActor,
    conversations::{access::Conversations, repo as conversations_repo, Message},
    error::{ApiError, ApiResult, Code},
    events::Event,
    http::{AppState, Routes},
    scheduler::{self, Handler, Job, Outcome},
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, MessageId, NumberId},
        Key, Reader, Record, Store, StoreError, TableSpec, Tbl, WriteCtx,
    },
};

pub const JOB_KIND: &str = "whatsapp.media_fetch";
/// WhatsApp's largest file (documents).
pub const MAX_BYTES: usize = 100 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Pending,
    Stored,
    Failed,
}

impl State {
    /// The name the API and the live channel use for it.
    pub fn label(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Stored => "ready",
            State::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaFile {
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub number_id: NumberId,
    pub wa_media_id: String,
    pub mime_type: String,
    pub filename: Option<String>,
    pub size: u64,
    pub state: State,
    pub error: Option<String>,
    /// The file's name under `media/<business>/` in the data folder.
    pub file_key: String,
}
impl Record for MediaFile {}

/// (business, conversation, message) → MediaFile
const MEDIA: Tbl = TableDefinition::new("media_files");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: MEDIA,
    verify: codec::verify::<MediaFile>,
}];

fn key(b: BusinessId, c: ConversationId, m: MessageId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).id(m.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
    m: MessageId,
) -> Result<Option<MediaFile>, StoreError> {
    store::get(r, MEDIA, &key(b, c, m))
}

fn save(ctx: &mut WriteCtx, f: &MediaFile) -> Result<(), StoreError> {
    ctx.put(
        MEDIA,
        &key(f.business_id, f.conversation_id, f.message_id),
        f,
    )
}

/// Deletes the file record of a message; returns it (its file is the caller's).
pub fn forget(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
    m: MessageId,
) -> Result<Option<MediaFile>, StoreError> {
    let k = key(b, c, m);
    let f: Option<MediaFile> = store::get(ctx, MEDIA, &k)?;
    if f.is_some() {
        ctx.delete(MEDIA, &k)?;
    }
    Ok(f)
}

/// File records left under a conversation (their messages are gone), at most `limit`.
pub fn forget_rest(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
    limit: usize,
) -> Result<Vec<MediaFile>, StoreError> {
    let prefix = Key::new().id(b.bytes()).id(c.bytes()).done();
    let rows = store::scan::<MediaFile, _>(ctx, MEDIA, &prefix, None, limit)?;
    for (k, _) in &rows {
        ctx.delete(MEDIA, k)?;
    }
    Ok(rows.into_iter().map(|(_, f)| f).collect())
}

pub fn path(data_dir: &std::path::Path, f: &MediaFile) -> PathBuf {
    file_path(data_dir, f.business_id, &f.file_key)
}

pub fn file_path(data_dir: &std::path::Path, b: BusinessId, key: &str) -> PathBuf {
    data_dir.join("media").join(b.to_string()).join(key)
}

pub fn save_file(ctx: &mut WriteCtx, f: &MediaFile) -> Result<(), StoreError> {
    save(ctx, f)
}

/// Records the file of an inbound message and schedules its download.
pub fn register(
    ctx: &mut WriteCtx,
    message: &Message,
    number: NumberId,
    media: &Media,
    filename: Option<String>,
) -> Result<(), StoreError> {
    let f = MediaFile {
        business_id: message.business_id,
        conversation_id: message.conversation_id,
        message_id: message.id,
        number_id: number,
        wa_media_id: media.id.clone(),
        mime_type: media
            .mime_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into()),
        filename,
        size: media.file_size.unwrap_or(0),
        state: State::Pending,
        error: None,
        file_key: message.id.to_string(),
    };
    save(ctx, &f)?;
    scheduler::schedule(
        ctx,
        JOB_KIND,
        &json!({"business_id": f.business_id, "conversation_id": f.conversation_id, "message_id": f.message_id,
                "sha256": media.sha256}),
        crate::time::now_ms(),
        5,
    )?;
    Ok(())
}

#[derive(Deserialize)]
struct JobArgs {
    business_id: BusinessId,
    conversation_id: ConversationId,
    message_id: MessageId,
    /// The digest the webhook stated; jobs scheduled before it was kept have none.
    #[serde(default)]
    sha256: Option<String>,
}

/// Adds the file's download state (`pending`, `ready`, `failed`) to a
/// message's JSON `media`, so the thread knows whether there is a file to show.
pub fn annotate<R: Reader + ?Sized>(r: &R, m: &Message, v: &mut Value) -> Result<(), StoreError> {
    if !v["media"].is_object() {
        return Ok(());
    }
    if let Some(f) = get(r, m.business_id, m.conversation_id, m.id)? {
        v["media"]["status"] = json!(f.state.label());
    }
    Ok(())
}

/// The job handler: media info → download → file → record.
pub fn handler(store: Store, graph: Graph, data_dir: PathBuf) -> Handler {
    Arc::new(move |job: Job| {
        let (store, graph, data_dir) = (store.clone(), graph.clone(), data_dir.clone());
        Box::pin(async move { fetch(&store, &graph, &data_dir, &job).await })
    })
}

async fn fetch(store: &Store, graph: &Graph, data_dir: &std::path::Path, job: &Job) -> Outcome {
    let Ok(args) = serde_json::from_str::<JobArgs>(&job.payload) else {
        return Outcome::Fail("unreadable job arguments".into());
    };
    let looked_up = store.read().map_err(ApiError::from).and_then(|r| {
        let f = get(&r, args.business_id, args.conversation_id, args.message_id)?;
        let n = match &f {
            Some(f) => numbers::get(&r, f.business_id, f.number_id)?,
            None => None,
        };
        Ok((f, n))
    });
    if let Ok((None, _)) = looked_up {
        // Erased (with its message) before the download ran: nothing to fetch.
        return Outcome::Done;
    }
    let Ok((Some(file), Some(number))) = looked_up else {
        return Outcome::Fail("the message or its number no longer exists".into());
    };
    let result = async {
        let info = graph
            .media_info(&file.wa_media_id, &number.access_token)
            .await?;
        graph
            .download(&info.url, &number.access_token, MAX_BYTES)
            .await
            .map(|downloaded| (info, downloaded))
    }
    .await;
    let (info, downloaded) = match result {
        Ok(x) => x,
        Err(e) => {
            let permanent = e.failure == Failure::Permanent;
            return give_up_or_retry(store, &file, job, e.reason(), permanent).await;
        }
    };
    // A refused body is like an expired URL: the next attempt asks Meta afresh.
    if let Some(reason) = media_check::refusal(
        &downloaded.bytes,
        downloaded.content_type.as_deref(),
        &file.mime_type,
        args.sha256.as_deref(),
    ) {
        tracing::warn!(message = %file.message_id, "inbound media refused: {reason}");
        return give_up_or_retry(store, &file, job, reason, false).await;
    }
    let bytes = downloaded.bytes;
    let dest = path(data_dir, &file);
    let written = async {
        if let Some(dir) = dest.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = dest.with_extension("partial");
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &dest).await
    }
    .await;
    if let Err(e) = written {
        let reason = format!("writing the file failed: {e}");
        return give_up_or_retry(store, &file, job, reason, false).await;
    }
    let mime = info.mime_type.unwrap_or(file.mime_type.clone());
    let kept = mark(
        store,
        &file,
        State::Stored,
        None,
        Some((bytes.len() as u64, mime)),
    )
    .await;
    if !kept {
        // The message was erased while the file downloaded: it must not stay.
        let _ = tokio::fs::remove_file(&dest).await;
    }
    Outcome::Done
}

/// A failed attempt is retried while attempts remain; the last one (or one
/// that can never succeed) marks the file failed.
async fn give_up_or_retry(
    store: &Store,
    file: &MediaFile,
    job: &Job,
    reason: String,
    permanent: bool,
) -> Outcome {
    if job.attempts + 1 >= job.max_attempts || permanent {
        mark(store, file, State::Failed, Some(reason.clone()), None).await;
        return Outcome::Fail(reason);
    }
    Outcome::Retry(reason)
}

/// Records the file's new state and tells the thread's viewers, so an open
/// thread shows the file (or that it is lost) without a reload; false when
/// its record is gone (erased).
async fn mark(
    store: &Store,
    file: &MediaFile,
    state: State,
    error: Option<String>,
    stored: Option<(u64, String)>,
) -> bool {
    let mut f = file.clone();
    f.state = state;
    f.error = error;
    if let Some((size, mime)) = stored {
        f.size = size;
        f.mime_type = mime;
    }
    let saved = store
        .write(move |ctx| {
            if get(ctx, f.business_id, f.conversation_id, f.message_id)?.is_none() {
                return Ok(false);
            }
            save(ctx, &f)?;
            let assignee = conversations_repo::get(ctx, f.business_id, f.conversation_id)?
                .and_then(|c| c.assignee_id);
            ctx.emit(Event::new(
                Some(f.business_id),
                "message.status",
                json!({"conversation_id": f.conversation_id, "message_id": f.message_id,
                       "media": {"status": f.state.label()}, "assignee_id": assignee}),
            ));
            Ok(true)
        })
        .await;
    saved.unwrap_or_else(|e| {
        tracing::error!("recording media state failed: {e}");
        true
    })
}

pub fn routes(r: &mut Routes) {
    r.get(
        "/api/conversations/{id}/messages/{message_id}/media",
        download,
    );
}

async fn download(
    state: web::Data<AppState>,
    actor: MemberActor,
    path_ids: web::Path<(ConversationId, MessageId)>,
) -> ApiResult<HttpResponse> {
    let (cid, mid) = path_ids.into_inner();
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(cid)?;
    let f = get(&read, c.business_id, c.id, mid)?.ok_or_else(|| ApiError::not_found("media"))?;
    match f.state {
        State::Pending => {
            let mut e = ApiError::new(
                Code::Conflict,
                "The file is still being downloaded from WhatsApp",
            );
            e.retry_after_secs = Some(2);
            Err(e)
        }
        State::Failed => Err(ApiError::new(
            Code::NotFound,
            format!(
                "The file could not be downloaded: {}",
                f.error.unwrap_or_default()
            ),
        )),
        State::Stored => {
            let bytes = tokio::fs::read(path(&state.config.server.data_dir, &f))
                .await
                .map_err(|e| ApiError::internal(format!("media file unreadable: {e}")))?;
            // Pictures, sound and video show in the thread; anything else
            // (a customer's or uploader's claimed text/html or JavaScript
            // included) is a download of bytes, never a page or a script of
            // this site.
            let (mime, how) = served_as(&f.mime_type);
            let disposition = match &f.filename {
                Some(name) => format!(
                    "{how}; filename=\"{}\"",
                    name.replace(['"', '\\', '\r', '\n'], "_")
                ),
                None => how.into(),
            };
            Ok(HttpResponse::Ok()
                .content_type(mime)
                .insert_header(("Cache-Control", "private, max-age=86400"))
                .insert_header(("Content-Disposition", disposition))
                .insert_header(("X-Content-Type-Options", "nosniff"))
                .body(bytes))
        }
    }
}

/// The type a stored file is served with, and whether it shows inline.
fn served_as(claimed: &str) -> (String, &'static str) {
    let essence = claimed
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let shows = ["image/", "audio/", "video/"]
        .iter()
        .any(|p| essence.starts_with(p))
        && essence != "image/svg+xml"
        && is_media_type(&essence);
    if shows || essence == "application/pdf" {
        (essence, "inline")
    } else {
        ("application/octet-stream".into(), "attachment")
    }
}

/// One `type/subtype` of RFC 6838's characters: nothing a browser could
/// read as a second type (`image/png,text/html`).
pub fn is_media_type(essence: &str) -> bool {
    let name = |part: &str| {
        part.len() <= 127
            && part.starts_with(|c: char| c.is_ascii_alphanumeric())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    matches!(essence.split_once('/'), Some((t, s)) if name(t) && name(s))
}

#[cfg(test)]
mod tests {
    use super::served_as;

    #[test]
    fn only_pictures_sound_video_and_pdf_show_inline_the_rest_downloads_as_bytes() {
        assert_eq!(served_as("image/jpeg"), ("image/jpeg".into(), "inline"));
        assert_eq!(
            served_as("audio/ogg; codecs=opus"),
            ("audio/ogg".into(), "inline")
        );
        assert_eq!(served_as("application/pdf").1, "inline");
        for risky in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "application/javascript",
            "image/svg+xml",
            "text/plain",
            "",
            "image/png,text/html",
            "image/png text/html",
            "image/",
        ] {
            assert_eq!(
                served_as(risky),
                ("application/octet-stream".into(), "attachment"),
                "{risky}"
            );
        }
    }
}
