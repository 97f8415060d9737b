//! Files members attach to outbound messages: streamed to the data folder,
//! then uploaded to Meta by the sender right before the message goes out.
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::media;
use crate::{
    auth::MemberActor,
    conversations::access::Conversations,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

/// WhatsApp's largest file (documents); per-type limits apply when sending.
pub const MAX_BYTES: usize = 100 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub conversation_id: ConversationId,
    pub mime_type: String,
    pub filename: Option<String>,
    pub size: u64,
    pub created_at: i64,
}
impl Record for Upload {}

/// (business, upload) → Upload
const UPLOADS: Tbl = TableDefinition::new("uploads");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: UPLOADS,
    verify: codec::verify::<Upload>,
}];

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Upload>, StoreError> {
    store::get(r, UPLOADS, &Key::new().id(b.bytes()).id(id.bytes()).done())
}

/// Deletes the records of a conversation's attachments; returns their file
/// names under `media/<business>/` for the caller to remove after the commit.
pub fn forget_conversation(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<String>, StoreError> {
    let mut files = Vec::new();
    for (k, u) in store::scan::<Upload, _>(ctx, UPLOADS, &b.bytes(), None, usize::MAX)? {
        if u.conversation_id == c {
            ctx.delete(UPLOADS, &k)?;
            files.push(u.id.to_string());
        }
    }
    Ok(files)
}

pub const PRUNE_JOB: &str = "attachments_prune";
const DAY_MS: i64 = 86_400_000;

/// Whether a message took this attachment (its file then shows in the thread).
fn sent<R: Reader + ?Sized>(r: &R, u: &Upload) -> Result<bool, StoreError> {
    Ok(media::in_conversation(r, u.business_id, u.conversation_id)?
        .iter()
        .any(|f| f.file_key == u.id.to_string()))
}

/// Deletes the attachments uploaded before `cutoff` that no message took
/// (the composer was closed, the send refused): nothing can show or send
/// them any more, and they would fill the disk. Returns their files, under `media/`.
pub fn forget_unsent(
    ctx: &mut WriteCtx,
    cutoff: i64,
) -> Result<Vec<std::path::PathBuf>, StoreError> {
    let mut files = Vec::new();
    for (k, u) in store::scan::<Upload, _>(ctx, UPLOADS, &[], None, usize::MAX)? {
        if u.created_at < cutoff && !sent(ctx, &u)? {
            ctx.delete(UPLOADS, &k)?;
            files.push(std::path::PathBuf::from(u.business_id.to_string()).join(u.id.to_string()));
        }
    }
    Ok(files)
}

/// The daily sweep of attachments a day old that were never sent.
pub fn prune_handler(
    store: store::Store,
    data_dir: std::path::PathBuf,
) -> crate::scheduler::Handler {
    std::sync::Arc::new(move |_job| {
        let (store, data_dir) = (store.clone(), data_dir.clone());
        Box::pin(async move {
            let cutoff = now_ms() - DAY_MS;
            match store
                .write(move |ctx| Ok(forget_unsent(ctx, cutoff)?))
                .await
            {
                Ok(files) => {
                    for f in &files {
                        let _ = tokio::fs::remove_file(data_dir.join("media").join(f)).await;
                    }
                    if !files.is_empty() {
                        tracing::info!("{} attachments never sent were removed", files.len());
                    }
                }
                Err(e) => return crate::scheduler::Outcome::Retry(e.message),
            }
            crate::scheduler::again_in(&store, PRUNE_JOB, DAY_MS).await
        })
    })
}

/// What Meta accepts per message type: (largest size, accepted MIME types).
pub fn limits(kind: &str) -> Option<(u64, &'static [&'static str])> {
    Some(match kind {
        "image" => (5 * 1024 * 1024, &["image/jpeg", "image/png"]),
        "video" => (16 * 1024 * 1024, &["video/mp4", "video/3gpp"]),
        "audio" => (
            16 * 1024 * 1024,
            &[
                "audio/aac",
                "audio/amr",
                "audio/mpeg",
                "audio/mp4",
                "audio/ogg",
            ],
        ),
        "sticker" => (500 * 1024, &["image/webp"]),
        "document" => (MAX_BYTES as u64, &[]),
        _ => return None,
    })
}

pub fn routes(r: &mut Routes) {
    r.post("/api/conversations/{id}/attachments", upload)
        .answers(&[201]);
}

#[derive(Deserialize)]
struct UploadQuery {
    filename: Option<String>,
}

/// The raw body is the file; `Content-Type` is its type; `?filename=` names it.
async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
    q: web::Query<UploadQuery>,
    mut payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let conversation =
        Conversations::new(&state.store.read()?, &actor.scope).get(id.into_inner())?;
    let mime = req
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_lowercase())
        .filter(|v| media::is_media_type(v))
        .ok_or_else(|| {
            ApiError::new(
                Code::UnsupportedMediaType,
                "Send the file with its own Content-Type (one type/subtype, e.g. image/jpeg)",
            )
        })?;
    let upload_id = RecordId::new();
    let dest = media::file_path(
        &state.config.server.data_dir,
        conversation.business_id,
        &upload_id.to_string(),
    );
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let tmp = dest.with_extension("partial");
    let mut file = tokio::fs::File::create(&tmp)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut size = 0usize;
    let written: ApiResult<()> = async {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::new(Code::BadRequest, format!("Unreadable body: {e}")))?;
            size += chunk.len();
            if size > MAX_BYTES {
                return Err(ApiError::new(
                    Code::PayloadTooLarge,
                    "Files are limited to 100 MB",
                ));
            }
            file.write_all(&chunk)
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?;
        }
        file.sync_all()
            .await
            .map_err(|e| ApiError::internal(e.to_string()))
    }
    .await;
    if let Err(e) = written.and_then(|_| {
        if size == 0 {
            Err(ApiError::field("file", "is empty"))
        } else {
            Ok(())
        }
    }) {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(e);
    }
    tokio::fs::rename(&tmp, &dest)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let record = Upload {
        id: upload_id,
        business_id: conversation.business_id,
        conversation_id: conversation.id,
        mime_type: mime,
        filename: q
            .filename
            .clone()
            .map(|f| f.chars().filter(|c| !c.is_control()).take(200).collect()),
        size: size as u64,
        created_at: now_ms(),
    };
    let stored = record.clone();
    state
        .store
        .write(move |ctx| {
            ctx.put(
                UPLOADS,
                &Key::new()
                    .id(stored.business_id.bytes())
                    .id(stored.id.bytes())
                    .done(),
                &stored,
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": record.id, "mime_type": record.mime_type, "filename": record.filename, "size": record.size,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ids::{MessageId, NumberId};

    fn upload(b: BusinessId, c: ConversationId, created_at: i64) -> Upload {
        Upload {
            id: RecordId::new(),
            business_id: b,
            conversation_id: c,
            mime_type: "image/png".into(),
            filename: Some("car.png".into()),
            size: 4,
            created_at,
        }
    }

    #[test]
    fn attachments_a_day_old_that_no_message_took_are_swept_the_rest_stay() {
        let (_dir, store) = crate::store::temp();
        let (b, c) = (BusinessId::new(), ConversationId::new());
        let day_ago = now_ms() - DAY_MS;
        let abandoned = upload(b, c, day_ago - 1);
        let sent_long_ago = upload(b, c, day_ago - 1);
        let just_now = upload(b, c, now_ms());
        let all = [abandoned.clone(), sent_long_ago.clone(), just_now.clone()];
        let taken = sent_long_ago.clone();
        store
            .write_blocking(move |ctx| {
                for u in &all {
                    ctx.put(
                        UPLOADS,
                        &Key::new().id(b.bytes()).id(u.id.bytes()).done(),
                        u,
                    )?;
                }
                media::save_file(
                    ctx,
                    &media::MediaFile {
                        business_id: b,
                        conversation_id: c,
                        message_id: MessageId::new(),
                        number_id: NumberId::new(),
                        wa_media_id: String::new(),
                        mime_type: taken.mime_type.clone(),
                        filename: taken.filename.clone(),
                        size: taken.size,
                        state: media::State::Stored,
                        error: None,
                        file_key: taken.id.to_string(),
                    },
                )?;
                Ok(())
            })
            .expect("seed");
        let gone = store
            .write_blocking(move |ctx| Ok(forget_unsent(ctx, day_ago)?))
            .expect("sweep");
        assert_eq!(
            gone,
            vec![std::path::PathBuf::from(b.to_string()).join(abandoned.id.to_string())]
        );
        let r = store.read().expect("read");
        assert!(get(&r, b, abandoned.id).expect("get").is_none());
        assert!(
            get(&r, b, sent_long_ago.id).expect("get").is_some(),
            "its message shows it"
        );
        assert!(
            get(&r, b, just_now.id).expect("get").is_some(),
            "the composer may still send it"
        );
    }
}
