//! Fuzzes the WhatsApp chat-export reader on outside bytes (an uploaded
//! `.txt`): decoding, then parsing. Beyond "never panics": every message
//! and every error names a line of the file, and participants are authors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wafunnel::imports::chat_export::{decode, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode(data) else {
        return;
    };
    let lines = text.lines().count().max(1);
    let chat = parse(&text);
    for m in &chat.messages {
        assert!(m.line >= 1 && m.line <= lines, "message line {} of {lines}", m.line);
    }
    for e in &chat.errors {
        assert!(e.line >= 1 && e.line <= lines, "error line {} of {lines}", e.line);
    }
    for p in &chat.participants {
        assert!(chat.messages.iter().any(|m| m.author.as_deref() == Some(p.as_str())));
    }
});
