//! The corpus: real-looking export files, one per variant, in
//! `tests/fixtures/chats/`, each with the messages it must give in a `.json`
//! beside it. `WAFUNNEL_BLESS_CORPUS=1 cargo test corpus` writes the `.json`
//! of a new file, to be read line by line before it is committed.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::imports::chat_export::{decode, parse, DateOrder, Format, Kind, ParsedChat};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chats")
}

fn kind(k: &Kind) -> Value {
    match k {
        Kind::Text => json!("text"),
        Kind::System => json!("system"),
        Kind::Deleted => json!("deleted"),
        Kind::Media { file, omitted } => json!({"media": file, "omitted": omitted}),
    }
}

fn as_json(chat: &ParsedChat) -> Value {
    json!({
        "format": match chat.format { Format::Android => "android", Format::Ios => "ios" },
        "date_order": match chat.date_order {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        },
        "date_order_guessed": chat.date_order_guessed,
        "participants": chat.participants,
        "messages": chat.messages.iter().map(|m| json!({
            "line": m.line,
            "at": m.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            "author": m.author,
            "kind": kind(&m.kind),
            "text": m.text,
        })).collect::<Vec<_>>(),
        "errors": chat.errors.iter().map(|e| json!({"line": e.line, "reason": e.reason})).collect::<Vec<_>>(),
    })
}

#[test]
fn every_file_of_the_corpus_parses_exactly_as_expected() {
    let bless = std::env::var_os("WAFUNNEL_BLESS_CORPUS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "the corpus holds {} files", files.len());
    for file in files {
        let bytes = std::fs::read(&file).expect("a corpus file");
        let text = decode(&bytes).expect("the corpus is readable text");
        let got = as_json(&parse(&text));
        let expected_path = file.with_extension("json");
        if bless && !expected_path.exists() {
            let pretty = serde_json::to_string_pretty(&got).expect("json");
            std::fs::write(&expected_path, pretty + "\n").expect("write the expectation");
        }
        let expected: Value = serde_json::from_slice(
            &std::fs::read(&expected_path).expect("every corpus file has its .json"),
        )
        .expect("the expectation is JSON");
        assert_eq!(got, expected, "{}", file.display());
    }
}
