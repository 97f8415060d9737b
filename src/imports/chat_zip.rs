//! WhatsApp's "export chat with media": a zip holding the chat's `.txt`
//! (`_chat.txt` on iOS, `WhatsApp Chat with …txt` on Android) and the
//! attached files the text names.
use std::{
    fs::File,
    io::{Read, Write},
    path::Path,
};

use zip::ZipArchive;

use crate::error::{ApiError, ApiResult};

/// No export's text is larger; a bigger entry is a zip bomb, not a chat.
const MAX_TEXT: u64 = 100 * 1024 * 1024;
/// WhatsApp's largest attachment.
const MAX_FILE: u64 = 100 * 1024 * 1024;
/// Photos, videos, voice notes and PDFs barely compress; an entry that
/// expands past ten times its stored size (plus a little) is a zip bomb.
const MAX_RATIO: u64 = 10;
const RATIO_SLACK: u64 = 1024 * 1024;

pub fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|_| &magic == b"PK\x03\x04")
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::field("file", message)
}

fn open(path: &Path) -> ApiResult<ZipArchive<File>> {
    let f = File::open(path)
        .map_err(|e| ApiError::internal(format!("the uploaded file is gone: {e}")))?;
    ZipArchive::new(f).map_err(|e| bad(format!("is not a readable zip: {e}")))
}

/// The entry's file name without folders (exports are flat, but some zip
/// tools add a folder).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Entry names that decode; an undecodable name cannot be one the text names.
fn names_of(zip: &ZipArchive<File>) -> Vec<String> {
    zip.file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect()
}

/// The chat's text: `_chat.txt`, else the only other `.txt`.
pub fn chat_text(path: &Path) -> ApiResult<Vec<u8>> {
    let mut zip = open(path)?;
    let names = names_of(&zip);
    let texts: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with("__MACOSX") && n.to_lowercase().ends_with(".txt"))
        .collect();
    let chosen = texts
        .iter()
        .find(|n| base_name(n) == "_chat.txt")
        .or_else(|| (texts.len() == 1).then(|| &texts[0]))
        .ok_or_else(|| bad("holds no chat text (expected _chat.txt or one .txt file)"))?;
    let entry = zip
        .by_name(chosen)
        .map_err(|e| bad(format!("cannot read {chosen}: {e}")))?;
    let mut text = Vec::new();
    entry
        .take(MAX_TEXT + 1)
        .read_to_end(&mut text)
        .map_err(|e| bad(format!("cannot read {chosen}: {e}")))?;
    if text.len() as u64 > MAX_TEXT {
        return Err(bad("its chat text is larger than 100 MB"));
    }
    Ok(text)
}

/// The attachments the zip holds, by their base name.
pub struct Attachments {
    zip: ZipArchive<File>,
    by_name: std::collections::HashMap<String, String>,
}

impl Attachments {
    pub fn open(path: &Path) -> ApiResult<Attachments> {
        let zip = open(path)?;
        let by_name = names_of(&zip)
            .into_iter()
            .filter(|n| !n.starts_with("__MACOSX") && !n.ends_with('/'))
            .map(|n| (base_name(&n).to_string(), n))
            .collect();
        Ok(Attachments { zip, by_name })
    }

    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn count(&self) -> usize {
        self.by_name
            .keys()
            .filter(|n| !n.to_lowercase().ends_with(".txt"))
            .count()
    }

    /// Copies the attachment to `dest`; its size.
    pub fn extract(&mut self, name: &str, dest: &Path) -> ApiResult<u64> {
        let full = self
            .by_name
            .get(name)
            .ok_or_else(|| ApiError::not_found("attachment"))?;
        let entry = self
            .zip
            .by_name(full)
            .map_err(|e| bad(format!("cannot read {name}: {e}")))?;
        let limit = MAX_FILE.min(
            entry
                .compressed_size()
                .saturating_mul(MAX_RATIO)
                .saturating_add(RATIO_SLACK),
        );
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ApiError::internal(e.to_string()))?;
        }
        let tmp = dest.with_extension("part");
        let mut out = File::create(&tmp).map_err(|e| ApiError::internal(e.to_string()))?;
        let copied = std::io::copy(&mut entry.take(limit + 1), &mut out)
            .map_err(|e| bad(format!("cannot read {name}: {e}")))?;
        if copied > limit {
            let _ = std::fs::remove_file(&tmp);
            return Err(bad(if limit == MAX_FILE {
                format!("{name} is larger than 100 MB")
            } else {
                format!("{name} expands to over ten times its size in the zip")
            }));
        }
        out.flush()
            .and_then(|_| out.sync_all())
            .and_then(|_| std::fs::rename(&tmp, dest))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(copied)
    }
}

/// WhatsApp's message type for an attachment, by its file name.
pub fn media_kind(name: &str) -> (&'static str, String) {
    let mime = mime_guess::from_path(name)
        .first_or_octet_stream()
        .essence_str()
        .to_string();
    let kind = if name.to_lowercase().ends_with(".webp") {
        "sticker"
    } else if mime.starts_with("image/") {
        "image"
    } else if mime.starts_with("video/") {
        "video"
    } else if mime.starts_with("audio/") || name.to_lowercase().ends_with(".opus") {
        "audio"
    } else {
        "document"
    };
    (kind, mime)
}
