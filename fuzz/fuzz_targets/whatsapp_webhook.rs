//! Fuzzes the WhatsApp webhook path: signature check, then parse, on outside bytes.
//!
//! Invariants beyond "never panics": a message or status is only kept with a
//! non-empty id, each message's `raw` is a JSON object, and every parsed
//! delivery survives the bincode encoding the store uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wafunnel::channels::whatsapp::{parse, signature};

fuzz_target!(|data: &[u8]| {
    // Split the input into a header candidate and a body, so the header
    // parser sees arbitrary text too.
    let (header, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (std::str::from_utf8(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    };
    let secret = b"fuzz-app-secret";
    let _ = signature::verify(secret, body, header);
    let _ = signature::verify(b"", body, header);
    assert!(signature::verify(
        secret,
        data,
        Some(&signature::sign(secret, data))
    ));

    let Ok(delivery) = parse::parse(data) else {
        return;
    };
    for change in &delivery.changes {
        for m in &change.messages {
            assert!(!m.id.is_empty());
            let raw: serde_json::Value = serde_json::from_str(&m.raw).expect("raw is JSON");
            assert!(raw.is_object());
        }
        for s in &change.statuses {
            assert!(!s.id.is_empty());
        }
    }
    let cfg = bincode::config::standard();
    let bytes = bincode::serde::encode_to_vec(&delivery, cfg).expect("encodes");
    let (back, _): (parse::Delivery, usize) =
        bincode::serde::decode_from_slice(&bytes, cfg).expect("decodes");
    assert_eq!(back, delivery);
});
