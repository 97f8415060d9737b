//! Media placeholders, attachments and deleted messages.

use crate::imports::chat_export::{parse, Kind};

fn kinds(text: &str) -> Vec<Kind> {
    parse(text).messages.into_iter().map(|m| m.kind).collect()
}

fn omitted() -> Kind {
    Kind::Media {
        file: None,
        omitted: true,
    }
}

fn attached(name: &str) -> Kind {
    Kind::Media {
        file: Some(name.to_owned()),
        omitted: false,
    }
}

#[test]
fn android_placeholders() {
    let got = kinds(
        "31/12/2021, 21:41 - Ana: IMG-20211231-WA0001.jpg (file attached)\n\
         31/12/2021, 21:42 - Ana: VID-20211231-WA0002.mp4 (file attached)\n\
         Look at this!\n\
         31/12/2021, 21:43 - Ana: <Media omitted>\n\
         31/12/2021, 21:44 - Ana: null\n\
         31/12/2021, 21:45 - Ana: This message was deleted\n\
         31/12/2021, 21:46 - Ana: You deleted this message\n\
         31/12/2021, 21:47 - Ana: a photo (file attached) is coming\n",
    );
    assert_eq!(
        got,
        vec![
            attached("IMG-20211231-WA0001.jpg"),
            attached("VID-20211231-WA0002.mp4"),
            omitted(),
            omitted(),
            Kind::Deleted,
            Kind::Deleted,
            Kind::Text,
        ]
    );
}

#[test]
fn android_caption_stays_in_text() {
    let chat = parse("31/12/2021, 21:42 - Ana: VID-1.mp4 (file attached)\nLook at this!\n");
    assert_eq!(
        chat.messages[0].text,
        "VID-1.mp4 (file attached)\nLook at this!"
    );
}

#[test]
fn ios_placeholders() {
    let mut text = String::new();
    for (i, body) in [
        "\u{200e}image omitted",
        "\u{200e}video omitted",
        "\u{200e}audio omitted",
        "\u{200e}sticker omitted",
        "\u{200e}document omitted",
        "\u{200e}GIF omitted",
        "\u{200e}<attached: 00000031-AUDIO-2021-12-31-21-41-05.opus>",
        "\u{200e}This message was deleted.",
        "Report.pdf • 3 pages \u{200e}document omitted",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!("\u{200e}[31/12/21, 21:41:{i:02}] Bea: {body}\n"));
    }
    assert_eq!(
        kinds(&text),
        vec![
            omitted(),
            omitted(),
            omitted(),
            omitted(),
            omitted(),
            omitted(),
            attached("00000031-AUDIO-2021-12-31-21-41-05.opus"),
            Kind::Deleted,
            Kind::Media {
                file: Some("Report.pdf".into()),
                omitted: true
            },
        ]
    );
}

#[test]
fn placeholder_words_inside_a_sentence_are_text() {
    assert_eq!(
        kinds("[31/12/21, 21:41:00] Bea: the image omitted the best part\n"),
        vec![Kind::Text]
    );
}
