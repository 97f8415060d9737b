//! The behaviour contract of the WhatsApp export parser, one file per area.

mod corpus;
mod decoding;
mod errors;
mod formats;
mod media;
mod props;

use crate::imports::chat_export::{ChatMessage, ParsedChat};
use chrono::{NaiveDate, NaiveDateTime};

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .expect("test timestamps are valid")
}

/// `(author, text)` of every message, for compact assertions.
pub fn said(chat: &ParsedChat) -> Vec<(Option<&str>, &str)> {
    chat.messages
        .iter()
        .map(|m: &ChatMessage| (m.author.as_deref(), m.text.as_str()))
        .collect()
}

pub fn times(chat: &ParsedChat) -> Vec<NaiveDateTime> {
    chat.messages.iter().map(|m| m.at).collect()
}
