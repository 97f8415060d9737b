//! Property tests: random chats survive a render/parse round trip in every
//! export variant, and no input whatsoever makes the parser panic.

use crate::imports::chat_export::{decode, parse, DateOrder, Format};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Msg {
    author: String,
    text: String,
    at: NaiveDateTime,
}

/// The export variants, each rendering a header for one timestamp.
#[derive(Debug, Clone, Copy)]
enum Variant {
    AndroidUs,
    AndroidEu,
    AndroidGerman,
    AndroidIso,
    IosEu,
    IosUs,
    Finnish,
    Spanish,
}

const VARIANTS: [Variant; 8] = [
    Variant::AndroidUs,
    Variant::AndroidEu,
    Variant::AndroidGerman,
    Variant::AndroidIso,
    Variant::IosEu,
    Variant::IosUs,
    Variant::Finnish,
    Variant::Spanish,
];

impl Variant {
    fn format(self) -> Format {
        match self {
            Variant::IosEu | Variant::IosUs => Format::Ios,
            _ => Format::Android,
        }
    }

    /// The order a parser must arrive at, whether settled or guessed.
    fn order(self) -> DateOrder {
        match self {
            Variant::AndroidUs | Variant::IosUs => DateOrder::Mdy,
            Variant::AndroidIso => DateOrder::Ymd,
            _ => DateOrder::Dmy,
        }
    }

    fn has_seconds(self) -> bool {
        matches!(self, Variant::IosEu | Variant::IosUs)
    }

    fn header(self, at: NaiveDateTime, mark: bool) -> String {
        let (y, yy, mo, d) = (at.year(), at.year() % 100, at.month(), at.day());
        let (h, mi, s) = (at.hour(), at.minute(), at.second());
        let (pm, h12) = at.hour12();
        let ampm = if pm { "PM" } else { "AM" };
        let lead = if mark { "\u{200e}" } else { "" };
        match self {
            Variant::AndroidUs => format!("{mo}/{d}/{yy:02}, {h12}:{mi:02} {ampm} - "),
            Variant::AndroidEu => format!("{d:02}/{mo:02}/{y}, {h:02}:{mi:02} - "),
            Variant::AndroidGerman => format!("{d:02}.{mo:02}.{yy:02}, {h:02}:{mi:02} - "),
            Variant::AndroidIso => format!("{y}-{mo:02}-{d:02}, {h:02}:{mi:02} - "),
            Variant::IosEu => format!("{lead}[{d:02}/{mo:02}/{yy:02}, {h:02}:{mi:02}:{s:02}] "),
            Variant::IosUs => {
                format!("{lead}[{mo}/{d}/{yy:02}, {h12}:{mi:02}:{s:02}\u{202f}{ampm}] ")
            }
            Variant::Finnish => format!("{d}.{mo}.{y} klo {h}.{mi:02} - "),
            Variant::Spanish => {
                let m = if pm { "p. m." } else { "a. m." };
                format!("{d}/{mo}/{yy:02}, {h12}:{mi:02} {m} - ")
            }
        }
    }
}

fn author() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Carla Souza",
            "+55 11 98765-4321",
            "José 🇧🇷",
            "李雷",
            "O'Brien - work",
            "am",
        ])
        .prop_map(str::to_owned),
        "[A-Za-zÀ-ÿ😀+][A-Za-zÀ-ÿ0-9 +'😀-]{0,12}[A-Za-zÀ-ÿ0-9😀]",
    ]
}

/// First line: anything printable, including `: ` and digits. Later lines
/// start with neither a digit nor `[`, so they can never look like a header.
fn text() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9 :,.!?é😀\\[\\]-]{0,30}",
        prop::collection::vec("([a-zA-Z :,.!?é😀-][a-zA-Z0-9 :,.!?é😀-]{0,20})?", 0..3),
    )
        .prop_map(|(first, rest)| {
            std::iter::once(first)
                .chain(rest)
                .collect::<Vec<_>>()
                .join("\n")
        })
}

fn timestamp() -> impl Strategy<Value = NaiveDateTime> {
    (
        2010i32..=2030,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|date| date.and_hms_opt(h, mi, s))
                .unwrap_or_default()
        })
}

fn message() -> impl Strategy<Value = Msg> {
    (author(), text(), timestamp()).prop_map(|(author, text, at)| Msg { author, text, at })
}

proptest! {
    #[test]
    fn random_chats_round_trip_in_every_variant(
        // An export is written in time order.
        msgs in prop::collection::vec(message(), 1..12)
            .prop_map(|mut v| { v.sort_by_key(|m| m.at); v }),
        variant in prop::sample::select(VARIANTS.to_vec()),
        crlf in any::<bool>(),
        mark in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut rendered = String::new();
        for m in &msgs {
            rendered.push_str(&variant.header(m.at, mark));
            rendered.push_str(&format!("{}: {}", m.author, m.text).replace('\n', eol));
            rendered.push_str(eol);
        }
        let chat = parse(&rendered);
        prop_assert_eq!(&chat.errors, &vec![]);
        prop_assert_eq!(chat.format, variant.format());
        prop_assert_eq!(chat.date_order, variant.order());
        prop_assert_eq!(chat.messages.len(), msgs.len());
        for (got, want) in chat.messages.iter().zip(&msgs) {
            let want_at = if variant.has_seconds() {
                want.at
            } else {
                want.at.with_second(0).unwrap_or(want.at)
            };
            prop_assert_eq!(got.author.as_deref(), Some(want.author.as_str()));
            prop_assert_eq!(&got.text, &want.text);
            prop_assert_eq!(got.at, want_at);
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in any::<Vec<u8>>(), bom in 0usize..4) {
        let prefix: &[u8] = match bom {
            1 => &[0xEF, 0xBB, 0xBF],
            2 => &[0xFF, 0xFE],
            3 => &[0xFE, 0xFF],
            _ => &[],
        };
        let input = [prefix, &bytes].concat();
        if let Ok(text) = decode(&input) {
            let _ = parse(&text);
        }
    }

    // Random bytes rarely look like headers, so also aim at the header
    // validation paths with near-miss headers of every shape.
    #[test]
    fn header_like_garbage_never_panics(
        lines in prop::collection::vec(
            "\u{200e}?\\[?[0-9]{0,5}[./-][0-9]{0,5}[./-][0-9]{0,5}\\.?,? ?(klo )?[0-9]{0,3}[:.][0-9]{0,3}([:.][0-9]{0,3})?( ?(AM|pm|p\\. m\\.|a\\.m\\.))?\u{202f}?\\]? ?-? ?[^\n]{0,12}",
            0..20,
        )
    ) {
        let chat = parse(&lines.join("\n"));
        for e in &chat.errors {
            prop_assert!(e.line >= 1 && e.line <= lines.len().max(1));
            prop_assert!(e.text.chars().count() <= 200);
        }
    }
}
