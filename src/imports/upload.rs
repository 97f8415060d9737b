//! `POST /api/imports`: the one route that takes up to 100 MB. The multipart
//! body streams to a file under the data folder (never whole in memory),
//! and the import is recorded once the file is complete.
use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::model::{self, Checkpoint, Import, Kind, Status};
use crate::{
    auth::MemberActor,
    conversations::access::Conversations,
    error::{ApiError, ApiResult, Code},
    http::AppState,
    store::ids::{ConversationId, RecordId},
    tenancy::model::Permission,
    time::now_ms,
};

pub const MAX_BYTES: u64 = 100 * 1024 * 1024;
/// Form fields other than the file are short.
const MAX_FIELD: usize = 200;

pub fn require_import(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.has(Permission::Import) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Importing needs the import permission"))
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::BadRequest, message)
}

pub async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    require_import(&actor)?;
    let b = actor.business.id;
    let id = RecordId::new();
    let dest = model::file_path(&state.config.server.data_dir, b, id);
    let partial = dest.with_extension("partial");
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut file: Option<(String, u64)> = None;
    let streamed: ApiResult<()> = async {
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| match e {
                actix_multipart::MultipartError::ContentTypeMissing
                | actix_multipart::MultipartError::ContentTypeParse
                | actix_multipart::MultipartError::ContentTypeIncompatible => ApiError::new(
                    Code::UnsupportedMediaType,
                    "Send the file as multipart/form-data (a `file` field and `kind`)",
                ),
                e => bad(format!("Unreadable form: {e}")),
            })?;
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                if file.is_some() {
                    return Err(ApiError::field("file", "send one file"));
                }
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .unwrap_or("upload")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>();
                if let Some(dir) = partial.parent() {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                }
                let mut out = tokio::fs::File::create(&partial)
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                let mut size = 0u64;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| bad(format!("Unreadable upload: {e}")))?;
                    size += chunk.len() as u64;
                    if size > MAX_BYTES {
                        return Err(ApiError::new(
                            Code::PayloadTooLarge,
                            "Imports are limited to 100 MB",
                        ));
                    }
                    out.write_all(&chunk)
                        .await
                        .map_err(|e| ApiError::internal(e.to_string()))?;
                }
                out.sync_all()
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                file = Some((file_name, size));
            } else {
                let mut value = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|e| bad(format!("Unreadable form: {e}")))?;
                    value.extend_from_slice(&chunk);
                    if value.len() > MAX_FIELD {
                        return Err(ApiError::field(&name, "is too long"));
                    }
                }
                fields.push((name, String::from_utf8_lossy(&value).trim().to_string()));
            }
        }
        Ok(())
    }
    .await;
    let checked = match streamed {
        Ok(()) => describe(&state, &actor, id, &fields, file).and_then(|i| {
            if i.kind == Kind::Csv {
                spreadsheet_text(&partial)?;
            }
            Ok(i)
        }),
        Err(e) => Err(e),
    };
    let import = match checked {
        Ok(import) => import,
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
    };
    // The file is in place before the record that names it.
    tokio::fs::rename(&partial, &dest)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let saved = import.clone();
    if let Err(e) = state
        .store
        .write(move |ctx| Ok(model::save(ctx, &saved)?))
        .await
    {
        let _ = tokio::fs::remove_file(&dest).await;
        return Err(e);
    }
    Ok(HttpResponse::Accepted().json(json!({"id": import.id, "status": import.status})))
}

/// A workbook or another binary file sent as CSV is refused at once, with
/// what to do, rather than "imported" as rows of garbage that all fail.
fn spreadsheet_text(path: &std::path::Path) -> ApiResult<()> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let refuse = |what: &str| {
        Err(ApiError::new(
            Code::UnsupportedMediaType,
            format!("This is {what}, not a CSV file: save it as CSV (UTF-8) and upload that"),
        ))
    };
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if head.starts_with(b"PK\x03\x04") {
        refuse("an Excel workbook (or another zip file)")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        refuse("an old Excel workbook (.xls)")
    } else if !utf16 && head.contains(&0) {
        refuse("a binary file")
    } else {
        Ok(())
    }
}

fn describe(
    state: &web::Data<AppState>,
    actor: &MemberActor,
    id: RecordId,
    fields: &[(String, String)],
    file: Option<(String, u64)>,
) -> ApiResult<Import> {
    let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let kind = match field("kind") {
        Some("csv") => Kind::Csv,
        Some("chat") => Kind::Chat,
        Some(_) => return Err(ApiError::field("kind", "must be csv or chat")),
        None => return Err(ApiError::field("kind", "is required (csv or chat)")),
    };
    let Some((file_name, size)) = file.filter(|(_, size)| *size > 0) else {
        return Err(ApiError::field("file", "attach a non-empty file"));
    };
    let conversation_id = match field("conversation_id").filter(|v| !v.is_empty()) {
        Some(v) => {
            let c: ConversationId = v
                .parse()
                .map_err(|_| ApiError::field("conversation_id", "no such conversation"))?;
            // Only a conversation the importer may see.
            Conversations::new(&state.store.read()?, &actor.scope).get(c)?;
            Some(c)
        }
        None => None,
    };
    if kind == Kind::Csv && conversation_id.is_some() {
        return Err(ApiError::field(
            "conversation_id",
            "only chat imports join a conversation",
        ));
    }
    let now = now_ms();
    Ok(Import {
        id,
        business_id: actor.business.id,
        kind,
        status: Status::Uploaded,
        file_name,
        size,
        created_by: actor.scope.member_id,
        conversation_id,
        mapping: None,
        checkpoint: Checkpoint::default(),
        rows_total_estimate: None,
        cancel_requested: false,
        error: None,
        started_at: None,
        finished_at: None,
        created_at: now,
        updated_at: now,
    })
}
