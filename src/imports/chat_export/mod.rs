//! Parser for WhatsApp chat exports (the `.txt` inside an export `.zip`).
//!
//! Input is an untrusted upload: nothing here panics, and anything that
//! cannot be read with certainty is reported in [`ParsedChat::errors`]
//! rather than guessed at. The only guess is the date order of a file whose
//! dates are all ambiguous, and that is flagged in
//! [`ParsedChat::date_order_guessed`].

mod dates;
mod decode;
mod header;
mod kind;

pub use decode::decode;

use header::{RawHeader, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Android,
    Ios,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    Dmy,
    Mdy,
    Ymd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    System,
    Media { file: Option<String>, omitted: bool },
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// 1-based line where the message starts.
    pub line: usize,
    /// Wall-clock time as written; exports carry no zone.
    pub at: chrono::NaiveDateTime,
    /// `None` for a system line.
    pub author: Option<String>,
    /// Direction marks and trailing `\r` removed; lines joined by `\n`.
    pub text: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
    /// The offending line, at most 200 characters.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedChat {
    pub format: Format,
    pub date_order: DateOrder,
    pub date_order_guessed: bool,
    /// Message authors in order of first appearance, deduplicated.
    pub participants: Vec<String>,
    /// In file order.
    pub messages: Vec<ChatMessage>,
    pub errors: Vec<LineError>,
}

const MAX_ERROR_TEXT: usize = 200;

/// Invisible bidi controls WhatsApp sprinkles around names, numbers and
/// placeholders; they would break matching and equality if kept.
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn clean_line(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    line.chars().filter(|&c| !is_direction_mark(c)).collect()
}

fn line_error(line: usize, reason: impl Into<String>, text: &str) -> LineError {
    LineError {
        line,
        reason: reason.into(),
        text: text.chars().take(MAX_ERROR_TEXT).collect(),
    }
}

/// iOS writes a direction mark at the start of the text of its own lines
/// (system notices, attachments, omitted media), never of what people typed.
fn text_starts_marked(raw_line: &str) -> bool {
    raw_line
        .split_once("] ")
        .and_then(|(_, rest)| rest.split_once(": "))
        .and_then(|(_, text)| text.chars().next())
        .is_some_and(is_direction_mark)
}

/// How the end-to-end notice opens on English, Portuguese, Spanish and German phones.
const ENCRYPTION_NOTICES: &[&str] = &[
    "Messages and calls are end-to-end encrypted",
    "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
    "Los mensajes y las llamadas están cifrados de extremo a extremo",
    "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
];

/// A message still collecting continuation lines.
struct Pending {
    line: usize,
    at: chrono::NaiveDateTime,
    author: Option<String>,
    text: String,
    marked: bool,
}

impl Pending {
    fn finish(self) -> (ChatMessage, bool) {
        let kind = kind::classify(self.author.as_deref(), &self.text);
        let message = ChatMessage {
            line: self.line,
            at: self.at,
            author: self.author,
            text: self.text,
            kind,
        };
        (message, self.marked)
    }
}

/// iOS names the chat itself as the author of its notices: a group's name
/// (which only ever writes marked notices) or, in a one-to-one chat, the
/// contact (whose encryption notice is marked). Those lines are system lines.
fn ios_notices_to_system(messages: &mut [ChatMessage], marked: &[bool]) {
    let notice = |m: &ChatMessage, marked: bool| {
        marked && m.kind == Kind::Text && ENCRYPTION_NOTICES.iter().any(|n| m.text.starts_with(n))
    };
    let mut only_notices: std::collections::HashMap<&str, bool> = Default::default();
    for (m, &mk) in messages.iter().zip(marked) {
        if let Some(a) = m.author.as_deref() {
            let entry = only_notices.entry(a).or_insert(true);
            *entry &= mk && m.kind == Kind::Text;
        }
    }
    let chat_names: std::collections::HashSet<String> = only_notices
        .into_iter()
        .filter(|&(_, only)| only)
        .map(|(a, _)| a.to_owned())
        .collect();
    for (m, &mk) in messages.iter_mut().zip(marked) {
        let by_chat = m.author.as_ref().is_some_and(|a| chat_names.contains(a));
        if by_chat || notice(m, mk) {
            m.author = None;
            m.kind = Kind::System;
        }
    }
}

/// A notice quoting what someone typed (`Carla changed the subject to
/// "Promo: 50% off"`) splits at the quote's `": "` like a message. Its
/// would-be author holds a quotation mark and writes nothing else in the
/// chat: that line is a notice, whole.
fn quoted_notices_to_system(messages: &mut [ChatMessage]) {
    const QUOTES: &[char] = &['"', '\u{201C}', '\u{201D}', '\u{00AB}', '\u{00BB}'];
    let mut lines_by: std::collections::HashMap<&str, usize> = Default::default();
    for a in messages.iter().filter_map(|m| m.author.as_deref()) {
        *lines_by.entry(a).or_insert(0) += 1;
    }
    let notices: std::collections::HashSet<String> = lines_by
        .into_iter()
        .filter(|&(a, n)| n == 1 && a.contains(QUOTES))
        .map(|(a, _)| a.to_owned())
        .collect();
    for m in messages.iter_mut() {
        if let Some(a) = m.author.take_if(|a| notices.contains(a.as_str())) {
            m.text = format!("{a}: {}", m.text);
            m.kind = Kind::System;
        }
    }
}

enum State {
    BeforeFirstHeader,
    InMessage(Pending),
    /// After a header that could not be resolved, holding its line number:
    /// its continuation lines belong to no message we could produce.
    InBroken(usize),
}

/// One file uses one header style; a minority-style line is most likely a
/// quoted header inside a message, so it is kept as text.
fn choose_style(scanned: &[[Option<RawHeader>; 2]]) -> Style {
    let dash = scanned.iter().filter(|[d, _]| d.is_some()).count();
    let bracket = scanned.iter().filter(|[_, b]| b.is_some()).count();
    if bracket != dash {
        return if bracket > dash {
            Style::Bracket
        } else {
            Style::Dash
        };
    }
    scanned
        .iter()
        .find_map(|[d, b]| match (d, b) {
            (Some(_), _) => Some(Style::Dash),
            (_, Some(_)) => Some(Style::Bracket),
            _ => None,
        })
        .unwrap_or(Style::Dash)
}

/// Parses decoded export text. Never fails: problems go to `errors`.
pub fn parse(text: &str) -> ParsedChat {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let raw: Vec<&str> = text.lines().collect();
    let lines: Vec<String> = raw.iter().map(|l| clean_line(l)).collect();
    let scanned: Vec<[Option<RawHeader>; 2]> = lines
        .iter()
        .map(|l| {
            [
                header::scan(l, Style::Dash),
                header::scan(l, Style::Bracket),
            ]
        })
        .collect();
    let style = choose_style(&scanned);
    let headers: Vec<Option<RawHeader>> = scanned
        .into_iter()
        .map(|[d, b]| if style == Style::Dash { d } else { b })
        .collect();
    let found: Vec<&RawHeader> = headers.iter().flatten().collect();
    let (date_order, date_order_guessed) = dates::infer(&found);
    let format = match style {
        Style::Dash => Format::Android,
        Style::Bracket => Format::Ios,
    };

    let mut chat = ParsedChat {
        format,
        date_order,
        date_order_guessed,
        participants: Vec::new(),
        messages: Vec::new(),
        errors: Vec::new(),
    };
    if found.is_empty() {
        let first = lines.first().map(String::as_str).unwrap_or("");
        let reason = if lines.is_empty() {
            "the file is empty"
        } else {
            "no message header found; this does not look like a WhatsApp export"
        };
        chat.errors.push(line_error(1, reason, first));
        return chat;
    }

    let mut state = State::BeforeFirstHeader;
    let mut marked = Vec::new();
    let mut finish = |p: Pending, chat: &mut ParsedChat| {
        let (message, mk) = p.finish();
        chat.messages.push(message);
        marked.push(mk);
    };
    for (index, (line, header)) in lines.iter().zip(&headers).enumerate() {
        let number = index + 1;
        if let Some(h) = header {
            if let State::InMessage(p) = std::mem::replace(&mut state, State::InBroken(number)) {
                finish(p, &mut chat);
            }
            match dates::resolve(h, date_order) {
                Ok(at) => {
                    let rest = line.get(h.rest..).unwrap_or("");
                    let (author, text) = header::split_author(rest);
                    state = State::InMessage(Pending {
                        line: number,
                        at,
                        author,
                        text,
                        marked: style == Style::Bracket && text_starts_marked(raw[index]),
                    });
                }
                Err(reason) => chat.errors.push(line_error(number, reason, line)),
            }
            continue;
        }
        match &mut state {
            State::InMessage(p) => {
                p.text.push('\n');
                p.text.push_str(line);
            }
            State::InBroken(start) => chat.errors.push(line_error(
                number,
                format!("continues the message on line {start}, whose header could not be read"),
                line,
            )),
            // Blank lines ahead of the chat carry nothing worth reporting.
            State::BeforeFirstHeader if line.trim().is_empty() => {}
            State::BeforeFirstHeader => {
                chat.errors
                    .push(line_error(number, "text before the first message", line));
            }
        }
    }
    if let State::InMessage(p) = state {
        finish(p, &mut chat);
    }
    if style == Style::Bracket {
        ios_notices_to_system(&mut chat.messages, &marked);
    }
    quoted_notices_to_system(&mut chat.messages);
    // A set, because big groups make a linear `contains` quadratic.
    let mut seen = std::collections::HashSet::new();
    for author in chat.messages.iter().filter_map(|m| m.author.as_deref()) {
        if seen.insert(author) {
            chat.participants.push(author.to_owned());
        }
    }
    chat
}

#[cfg(test)]
mod unit {
    #[test]
    fn header_patterns_compile() {
        assert!(super::header::patterns_compile());
    }
}

#[cfg(test)]
mod spec;
