//! Recognition of the timestamp that opens every message line.
//!
//! The patterns here are deliberately loose about the *values* (any digits
//! in any field) and strict about the *shape*: a line whose shape says
//! "header" must then either resolve to a real date and time or be reported,
//! never silently glued onto the previous message.

use chrono::NaiveTime;
use regex::{Captures, Regex};
use std::sync::OnceLock;

/// The two header shapes WhatsApp writes; one file uses one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Android: `31/12/2021, 21:41 - `
    Dash,
    /// iOS: `[31/12/21, 21:41:05] `
    Bracket,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meridiem {
    pub pm: bool,
    /// Written exactly `AM`/`PM`: the US convention, used as a hint when the
    /// date order cannot be settled from the data.
    pub plain_upper: bool,
}

/// A header as written, before the file-wide date order is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub fields: [u32; 3],
    pub widths: [usize; 3],
    pub sep: char,
    pub hour: u32,
    pub minute: u32,
    pub second: Option<u32>,
    pub meridiem: Option<Meridiem>,
    /// Byte offset in the line where `Author: text` (or system text) starts.
    pub rest: usize,
}

// Date fields accept up to 4 digits each so that out-of-range values are
// still recognised as headers and reported. `[0-9]`, not `\d`: the latter
// also matches non-ASCII digits that `u32::from_str` would reject.
const DATE: &str =
    r"(?P<a>[0-9]{1,4})(?P<s1>[./-])(?P<b>[0-9]{1,4})(?P<s2>[./-])(?P<c>[0-9]{1,4})\.?";
// Between date and time: a comma and/or spaces, then up to two locale words
// such as Finnish `klo` or Portuguese `às`.
const GAP: &str = r"(?:,\s*|\s+)(?:\p{L}[\p{L}.]*\s+){0,2}";
const TIME: &str = r"(?P<h>[0-9]{1,2})[:.](?P<mi>[0-9]{2})(?:[:.](?P<se>[0-9]{2}))?";
// `\s` is Unicode White_Space, which covers U+202F and U+00A0 before AM/PM.
const MERIDIEM: &str = r"(?:\s*(?P<mer>[aApP]\.?\s?[mM]\.?))?";

fn regex_for(style: Style) -> Option<&'static Regex> {
    static DASH: OnceLock<Option<Regex>> = OnceLock::new();
    static BRACKET: OnceLock<Option<Regex>> = OnceLock::new();
    let (cell, pattern) = match style {
        Style::Dash => (
            &DASH,
            format!(r"^\s*{DATE}{GAP}{TIME}{MERIDIEM}\s*[-–](?:\s|$)"),
        ),
        Style::Bracket => (
            &BRACKET,
            format!(r"^\s*\[\s*{DATE}{GAP}{TIME}{MERIDIEM}\s*\]\s?"),
        ),
    };
    cell.get_or_init(|| Regex::new(&pattern).ok()).as_ref()
}

/// Whether both header patterns compile; a test guards this so the
/// `Option` in `regex_for` can never silently disable parsing.
#[cfg(test)]
pub(crate) fn patterns_compile() -> bool {
    regex_for(Style::Dash).is_some() && regex_for(Style::Bracket).is_some()
}

/// Recognises a header of the given style at the start of a cleaned line.
pub(crate) fn scan(line: &str, style: Style) -> Option<RawHeader> {
    let caps = regex_for(style)?.captures(line)?;
    let s1 = first_char(&caps, "s1")?;
    if Some(s1) != first_char(&caps, "s2") {
        return None;
    }
    let (a, wa) = number(&caps, "a")?;
    let (b, wb) = number(&caps, "b")?;
    let (c, wc) = number(&caps, "c")?;
    let meridiem = caps.name("mer").map(|m| {
        let s = m.as_str();
        Meridiem {
            pm: s.starts_with(['p', 'P']),
            plain_upper: s == "AM" || s == "PM",
        }
    });
    Some(RawHeader {
        fields: [a, b, c],
        widths: [wa, wb, wc],
        sep: s1,
        hour: number(&caps, "h")?.0,
        minute: number(&caps, "mi")?.0,
        second: match caps.name("se") {
            Some(_) => Some(number(&caps, "se")?.0),
            None => None,
        },
        meridiem,
        rest: caps.get(0)?.end(),
    })
}

fn number(caps: &Captures<'_>, name: &str) -> Option<(u32, usize)> {
    let s = caps.name(name)?.as_str();
    Some((s.parse().ok()?, s.len()))
}

fn first_char(caps: &Captures<'_>, name: &str) -> Option<char> {
    caps.name(name)?.as_str().chars().next()
}

impl RawHeader {
    pub(crate) fn time(&self) -> Result<NaiveTime, String> {
        let hour = match self.meridiem {
            Some(m) if self.hour > 12 => {
                let word = if m.pm { "PM" } else { "AM" };
                return Err(format!("hour {} is impossible with {word}", self.hour));
            }
            Some(m) => self.hour % 12 + if m.pm { 12 } else { 0 },
            None if self.hour > 23 => {
                return Err(format!("hour {} is out of range (0-23)", self.hour));
            }
            None => self.hour,
        };
        if self.minute > 59 {
            return Err(format!("minute {} is out of range (0-59)", self.minute));
        }
        let second = self.second.unwrap_or(0);
        if second > 59 {
            return Err(format!("second {second} is out of range (0-59)"));
        }
        NaiveTime::from_hms_opt(hour, self.minute, second)
            .ok_or_else(|| format!("{hour}:{:02}:{second:02} is not a time", self.minute))
    }
}

/// Splits what follows the header into author and text.
///
/// The author ends at the first `": "`; text may contain more of them.
/// Without one (or with an empty author) the line is a system line.
pub(crate) fn split_author(rest: &str) -> (Option<String>, String) {
    if let Some((author, text)) = rest.split_once(": ") {
        let author = author.trim();
        if !author.is_empty() {
            return (Some(author.to_owned()), text.to_owned());
        }
    }
    (None, rest.to_owned())
}
