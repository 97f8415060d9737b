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
