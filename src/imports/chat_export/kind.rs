//! Classification of a message body into text, media, deleted or system.
//!
//! Only the English placeholders are recognised: WhatsApp localises them,
//! and a wrong guess would hide a real message, so unknown ones stay Text.

use super::Kind;

const IOS_OMITTED: &[&str] = &[
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "Contact card omitted",
];

pub(crate) fn classify(author: Option<&str>, text: &str) -> Kind {
    if author.is_none() {
        return Kind::System;
    }
    let whole = text.trim();
    // iOS appends a full stop to the deleted notices, Android does not.
    match whole.trim_end_matches('.') {
        "This message was deleted" | "You deleted this message" => return Kind::Deleted,
        // `null` is what Android writes for a view-once photo or video.
        "<Media omitted>" | "null" => return omitted(None),
        _ => {}
    }
    if IOS_OMITTED.contains(&whole) || whole == "document omitted" {
        return omitted(None);
    }
    // iOS: `Report.pdf • 3 pages document omitted`; the name is still useful.
    if let Some(prefix) = whole.strip_suffix(" document omitted") {
        let name = prefix.split('•').next().unwrap_or(prefix).trim();
        return omitted((!name.is_empty()).then(|| name.to_owned()));
    }
    // A caption, if any, follows the attachment on the next line.
    let first = text.lines().next().unwrap_or("").trim();
    if let Some(name) = first
        .strip_prefix("<attached: ")
        .and_then(|r| r.strip_suffix('>'))
    {
        return attached(name);
    }
    if let Some(name) = first.strip_suffix("(file attached)") {
        return attached(name);
    }
    Kind::Text
}

fn omitted(file: Option<String>) -> Kind {
    Kind::Media {
        file,
        omitted: true,
    }
}

fn attached(name: &str) -> Kind {
    let name = name.trim();
    Kind::Media {
        file: (!name.is_empty()).then(|| name.to_owned()),
        omitted: false,
    }
}
