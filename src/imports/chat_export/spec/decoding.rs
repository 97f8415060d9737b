//! Byte decoding: UTF-8 with or without BOM, UTF-16 with BOM.

use crate::imports::chat_export::{decode, parse};

const CHAT: &str = "31/12/2021, 21:41 - Zoë: olá 🎉\n";

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        let bytes = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&bytes);
    }
    out
}

#[test]
fn plain_and_bom_utf8() {
    assert_eq!(decode(CHAT.as_bytes()).as_deref(), Ok(CHAT));
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(CHAT.as_bytes());
    assert_eq!(decode(&bom).as_deref(), Ok(CHAT));
}

#[test]
fn utf16_little_and_big_endian() {
    assert_eq!(decode(&utf16(CHAT, false)).as_deref(), Ok(CHAT));
    assert_eq!(decode(&utf16(CHAT, true)).as_deref(), Ok(CHAT));
    let chat = parse(&decode(&utf16(CHAT, true)).unwrap_or_default());
    assert_eq!(chat.participants, vec!["Zoë"]);
}

#[test]
fn invalid_utf8_reports_the_byte_offset() {
    let mut bytes = b"31/12/2021, 21:41 - A: ".to_vec();
    bytes.push(0xFF);
    assert_eq!(
        decode(&bytes),
        Err("invalid UTF-8 at byte offset 23".to_owned())
    );
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(&bytes);
    assert_eq!(
        decode(&with_bom),
        Err("invalid UTF-8 at byte offset 26".to_owned())
    );
}

#[test]
fn broken_utf16_is_an_error() {
    let mut odd = utf16("hi", false);
    odd.push(0x41);
    assert!(decode(&odd).is_err());
    // A lone high surrogate followed by a normal character.
    let lone = [0xFF, 0xFE, 0x41, 0x00, 0x00, 0xD8, 0x41, 0x00];
    let err = decode(&lone).unwrap_err();
    assert!(err.contains("byte offset 4"), "{err}");
}

#[test]
fn a_bom_left_in_text_is_ignored_by_parse() {
    let chat = parse(&format!("\u{feff}{CHAT}"));
    assert_eq!(chat.errors, vec![]);
    assert_eq!(chat.messages.len(), 1);
}
