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
/// (uploaded at, business, upload) → (): attachments no message has taken
/// yet, oldest first, for the daily sweep.
const UNSENT: Tbl = TableDefinition::new("uploads_unsent");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: UPLOADS,
        verify: codec::verify::<Upload>,
    },
    TableSpec {
        def: UNSENT,
        verify: store::verify_empty,
    },
];

fn record_key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

fn unsent_key(u: &Upload) -> Vec<u8> {
    Key::new()
        .i64(u.created_at)
        .raw(&record_key(u.business_id, u.id))
        .done()
}

/// A new attachment, waiting for the message that takes it.
fn save_new(ctx: &mut WriteCtx, u: &Upload) -> Result<(), StoreError> {
    ctx.put(UPLOADS, &record_key(u.business_id, u.id), u)?;
    ctx.put_raw(UNSENT, &unsent_key(u), &[])
}

/// A message took the attachment: it stays as long as the message shows it.
pub fn taken(ctx: &mut WriteCtx, u: &Upload) -> Result<(), StoreError> {
    ctx.delete(UNSENT, &unsent_key(u)).map(|_| ())
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Upload>, StoreError> {
    store::get(r, UPLOADS, &record_key(b, id))
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
            taken(ctx, &u)?;
            files.push(u.id.to_string());
        }
    }
    Ok(files)
}

pub const PRUNE_JOB: &str = "attachments_prune";
const DAY_MS: i64 = 86_400_000;
const PRUNE_BATCH: usize = 500;

/// The attachments uploaded before `cutoff` that no message took (the
/// composer was closed, the send refused), at most `limit`, oldest first:
/// their records go, and their files (under `media/`) are returned for the
/// caller to remove. Nothing can show or send them any more.
pub fn forget_unsent(
    ctx: &mut WriteCtx,
    cutoff: i64,
    limit: usize,
) -> Result<Vec<std::path::PathBuf>, StoreError> {
    let before = Key::new().i64(cutoff).done();
    let keys = ctx.range_raw(
        UNSENT,
        std::ops::Bound::Unbounded,
        std::ops::Bound::Excluded(before.as_slice()),
        limit,
        false,
    )?;
    let mut files = Vec::new();
    for (k, _) in keys {
        ctx.delete(UNSENT, &k)?;
        // After the time come (business, upload): the record's own key.
        let record = k.get(8..).unwrap_or_default();
        if let Some(u) = store::get::<Upload, _>(ctx, UPLOADS, record)? {
            ctx.delete(UPLOADS, record)?;
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
            // In short writes, so the writer serves requests in between.
            loop {
                let files = match store
                    .write(move |ctx| Ok(forget_unsent(ctx, cutoff, PRUNE_BATCH)?))
                    .await
                {
                    Ok(files) => files,
                    Err(e) => return crate::scheduler::Outcome::Retry(e.message),
                };
                for f in &files {
                    let _ = tokio::fs::remove_file(data_dir.join("media").join(f)).await;
                }
                if !files.is_empty() {
                    tracing::info!("{} attachments never sent were removed", files.len());
                }
                if files.len() < PRUNE_BATCH {
                    break;
                }
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
        .write(move |ctx| Ok(save_new(ctx, &stored)?))
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": record.id, "mime_type": record.mime_type, "filename": record.filename, "size": record.size,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let taken_one = sent_long_ago.clone();
        store
            .write_blocking(move |ctx| {
                for u in &all {
                    save_new(ctx, u)?;
                }
                taken(ctx, &taken_one)?;
                Ok(())
            })
            .expect("seed");
        let gone = store
            .write_blocking(move |ctx| Ok(forget_unsent(ctx, day_ago, 100)?))
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
