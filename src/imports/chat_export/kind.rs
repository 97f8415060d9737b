//! Classification of a message body into text, media, deleted or system.
//!
//! WhatsApp localises its placeholders. Those of English, Portuguese, Spanish
//! and German phones are recognised; any other stays Text, since a wrong guess
//! would hide a real message.

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
        "This message was deleted"
        | "You deleted this message"
        | "Esta mensagem foi apagada"
        | "Você apagou esta mensagem"
        | "Se eliminó este mensaje"
        | "Eliminaste este mensaje"
        | "Diese Nachricht wurde gelöscht"
        | "Du hast diese Nachricht gelöscht" => return Kind::Deleted,
        // `null` is what Android writes for a view-once photo or video.
        "<Media omitted>"
        | "<Arquivo de mídia oculto>"
        | "<Mídia oculta>"
        | "<Multimedia omitido>"
        | "<Medien ausgeschlossen>"
        | "null" => return omitted(None),
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
    if let Some(name) = ["<attached: ", "<anexado: ", "<adjunto: ", "<Anhang: "]
        .iter()
        .find_map(|p| first.strip_prefix(p))
        .and_then(|r| r.strip_suffix('>'))
    {
        return attached(name);
    }
    if let Some(name) = [
        "(file attached)",
        "(arquivo anexado)",
        "(archivo adjunto)",
        "(Datei angehängt)",
    ]
    .iter()
    .find_map(|s| first.strip_suffix(s))
    {
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
