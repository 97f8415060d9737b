//! Chat-history imports: what a WhatsApp export holds, read with the
//! export parser, shown before anything is written.
use serde_json::{json, Value};

use super::chat_export::{self, Format, Kind, ParsedChat};
use crate::error::{ApiError, ApiResult};

/// Messages shown in the preview.
const SAMPLE: usize = 20;
/// Unreadable lines listed in the preview (all of them are in the run's report).
const ERRORS_SHOWN: usize = 50;

/// Reads and parses the uploaded export off the async threads.
pub async fn parsed(path: &std::path::Path) -> ApiResult<ParsedChat> {
    let path = path.to_path_buf();
    actix_web::web::block(move || -> ApiResult<ParsedChat> {
        let bytes = if super::chat_zip::is_zip(&path) {
            super::chat_zip::chat_text(&path)?
        } else {
            std::fs::read(&path)
                .map_err(|e| ApiError::internal(format!("the uploaded file is gone: {e}")))?
        };
        let text = chat_export::decode(&bytes)
            .map_err(|e| ApiError::field("file", format!("is not a text export: {e}")))?;
        Ok(chat_export::parse(&text))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::System => "system",
        Kind::Media { .. } => "media",
        Kind::Deleted => "deleted",
    }
}

pub async fn preview(path: &std::path::Path) -> ApiResult<Value> {
    let chat = parsed(path).await?;
    let sample: Vec<Value> = chat
        .messages
        .iter()
        .take(SAMPLE)
        .map(|m| {
            json!({"line": m.line, "at": m.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
                   "author": m.author, "text": m.text, "kind": kind_name(&m.kind)})
        })
        .collect();
    let errors: Vec<Value> = chat
        .errors
        .iter()
        .take(ERRORS_SHOWN)
        .map(|e| json!({"line": e.line, "reason": e.reason, "text": e.text}))
        .collect();
    // Files named in the text that the zip really holds become message media.
    let attached = if super::chat_zip::is_zip(path) {
        let zip = super::chat_zip::Attachments::open(path)?;
        chat.messages
            .iter()
            .filter(
                |m| matches!(&m.kind, Kind::Media { file: Some(f), omitted: false } if zip.has(f)),
            )
            .count()
    } else {
        0
    };
    Ok(json!({
        "media_attached": attached,
        "format": match chat.format { Format::Android => "android", Format::Ios => "ios" },
        "date_order": format!("{:?}", chat.date_order).to_lowercase(),
        "date_order_guessed": chat.date_order_guessed,
        "participants": chat.participants,
        "messages": chat.messages.len(),
        "sample": sample,
        "errors": errors,
        "errors_total": chat.errors.len(),
    }))
}

/// The business's side must be one of the people in the file, unless only
/// the customer ever wrote (then any name stands for the silent business).
pub async fn check_participant(path: &std::path::Path, who: &str) -> ApiResult<()> {
    let chat = parsed(path).await?;
    let only_the_customer = chat.participants.len() == 1;
    if only_the_customer || chat.participants.iter().any(|p| p == who) {
        Ok(())
    } else {
        Err(ApiError::field(
            "business_participant",
            format!(
                "is not in this chat; it has {}",
                chat.participants.join(", ")
            ),
        ))
    }
}
