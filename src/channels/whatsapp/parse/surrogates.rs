//! A text cut inside an emoji reaches us as a lone UTF-16 surrogate escape
//! (`"\ud83d"`): valid JSON grammar, but not a character, so serde refuses
//! the whole body, and Meta would retry every message of that delivery for
//! days. Mended to U+FFFD (an escape of the same length), the rest is kept.

/// The body with each unpaired surrogate escape replaced, or None when it has none.
pub fn mend_lone_surrogates(body: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(body, i) else {
            // Any other escape: skip the backslash and what it escapes.
            i += 2;
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&unit)
            && escape_at(body, i + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low));
        if paired {
            i += 12;
        } else if (0xD800..0xE000).contains(&unit) {
            out.get_or_insert_with(|| body.to_vec())[i..i + 6].copy_from_slice(b"\\ufffd");
            i += 6;
        } else {
            i += 6;
        }
    }
    out
}

/// The code unit of a `\uXXXX` escape starting at `i`.
fn escape_at(body: &[u8], i: usize) -> Option<u32> {
    let esc = body.get(i..i + 6)?;
    if esc[0] != b'\\' || esc[1] != b'u' {
        return None;
    }
    u32::from_str_radix(std::str::from_utf8(&esc[2..]).ok()?, 16).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text_of(body: &[u8]) -> String {
        serde_json::from_slice::<String>(body).unwrap()
    }

    #[test]
    fn a_lone_surrogate_becomes_a_replacement_character_and_pairs_stay() {
        let body = br#""cut \ud83d, whole \ud83d\ude00, low \ude00 alone, \\ud83d is text""#;
        assert!(serde_json::from_slice::<String>(body).is_err());
        let mended = mend_lone_surrogates(body).unwrap();
        assert_eq!(
            text_of(&mended),
            "cut \u{FFFD}, whole \u{1F600}, low \u{FFFD} alone, \\ud83d is text"
        );
        assert_eq!(mend_lone_surrogates(br#""fine \ud83d\ude00""#), None);
    }

    proptest! {
        #[test]
        fn mending_never_panics_and_keeps_the_length(body in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Some(m) = mend_lone_surrogates(&body) {
                prop_assert_eq!(m.len(), body.len());
            }
        }

        #[test]
        fn any_string_with_lone_surrogates_parses_once_mended(units in proptest::collection::vec(0xD000u32..0xE100, 0..12)) {
            let body: String = std::iter::once("\"".to_string())
                .chain(units.iter().map(|u| format!("\\u{u:04x}")))
                .chain(std::iter::once("\"".to_string()))
                .collect();
            let mended = mend_lone_surrogates(body.as_bytes()).unwrap_or_else(|| body.clone().into_bytes());
            prop_assert!(serde_json::from_slice::<String>(&mended).is_ok());
        }
    }
}
