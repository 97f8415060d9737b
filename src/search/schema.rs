//! The index's fields, its analyzer and the documents built from store records.
//!
//! Three kinds of document: a message, a private note, and one "contact card"
//! per conversation (name, phone, email, labels, custom fields) so a contact
//! hit always names a conversation the scope can be checked against.
use tantivy::{
    schema::{
        Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED,
        STRING,
    },
    tokenizer::{AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer},
    TantivyDocument, Term,
};

use crate::{
    contacts::Contact,
    conversations::model::{Conversation, Message, Note},
    store::ids::{BusinessId, ConversationId, MemberId, MessageId},
};

/// Bumped whenever fields or analysis change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// Case- and accent-insensitive words for Latin scripts.
pub const ANALYZER: &str = "wf_fold";

#[derive(Clone, Copy)]
pub struct Fields {
    /// `m:<message>`, `n:<note>` or `c:<conversation>`: what a hit names.
    pub key: Field,
    /// The key of a note or card, indexed: what an update of one replaces.
    /// A message has none: a message's words never change, so its document
    /// is only ever removed with its whole conversation, and a unique term
    /// per message was the largest part of every term dictionary to build
    /// and merge.
    pub replaces: Field,
    pub kind: Field,
    pub business: Field,
    /// The conversation's id as text: what a hit names.
    pub conversation: Field,
    /// The conversation's id as its 16 bytes, indexed: what a whole
    /// conversation's rewrite or erasure deletes by. Bytes rather than the
    /// 26-letter text make a shorter term, and every segment and merge
    /// builds a dictionary of the conversation terms it holds.
    pub in_conversation: Field,
    /// The conversation's assignee (`none` when unassigned): the scope's prefilter.
    pub assignee: Field,
    /// Message text, caption or note.
    pub body: Field,
    /// Contact name, email, labels and custom field values.
    pub card: Field,
    /// The phone's digits reversed: a query's digits, reversed, are a prefix
    /// of it whatever the format typed (see `phone_key`).
    pub phone: Field,
    pub created_at: Field,
}

pub const KIND_MESSAGE: &str = "message";
pub const KIND_NOTE: &str = "note";
pub const KIND_CONTACT: &str = "contact";
pub const UNASSIGNED: &str = "none";

pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub fn build() -> (Schema, Fields) {
    let mut s = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: s.add_text_field("key", STORED),
        replaces: s.add_text_field("replaces", STRING),
        kind: s.add_text_field("kind", STRING | STORED),
        business: s.add_text_field("business", STRING),
        conversation: s.add_text_field("conversation", STORED),
        in_conversation: s.add_bytes_field("in_conversation", INDEXED),
        assignee: s.add_text_field("assignee", STRING),
        body: s.add_text_field("body", text.clone()),
        card: s.add_text_field("card", text),
        phone: s.add_text_field("phone", STRING),
        // Sorted on, never searched: a fast field, without a term per instant.
        created_at: s.add_i64_field("created_at", STORED | FAST),
    };
    (s.build(), fields)
}

pub fn assignee_term(f: &Fields, m: Option<MemberId>) -> Term {
    Term::from_field_text(
        f.assignee,
        &m.map_or(UNASSIGNED.to_string(), |m| m.to_string()),
    )
}

pub fn conversation_term(f: &Fields, c: ConversationId) -> Term {
    Term::from_field_bytes(f.in_conversation, &c.0.to_bytes())
}

/// Finds the note or card document with this key, to replace it.
pub fn replaces_term(f: &Fields, key: &str) -> Term {
    Term::from_field_text(f.replaces, key)
}

pub fn message_key(id: MessageId) -> String {
    format!("m:{id}")
}

/// Where a document sits: its conversation, and the assignee the scope prefilter checks.
pub struct Place {
    pub business: BusinessId,
    pub conversation: ConversationId,
    pub assignee: Option<MemberId>,
}

impl From<&Conversation> for Place {
    fn from(c: &Conversation) -> Self {
        Place {
            business: c.business_id,
            conversation: c.id,
            assignee: c.assignee_id,
        }
    }
}

fn base(f: &Fields, c: &Conversation, key: String, kind: &str, at: i64) -> TantivyDocument {
    base_at(f, &Place::from(c), key, kind, at)
}

fn base_at(f: &Fields, p: &Place, key: String, kind: &str, at: i64) -> TantivyDocument {
    let mut d = TantivyDocument::new();
    d.add_text(f.key, key);
    d.add_text(f.kind, kind);
    d.add_text(f.business, p.business.to_string());
    d.add_text(f.conversation, p.conversation.to_string());
    d.add_bytes(f.in_conversation, &p.conversation.0.to_bytes());
    d.add_text(
        f.assignee,
        p.assignee.map_or(UNASSIGNED.to_string(), |m| m.to_string()),
    );
    d.add_i64(f.created_at, at);
    d
}

/// A message worth finding: one with words in it (a bare sticker has none).
pub fn message_doc(f: &Fields, c: &Conversation, m: &Message) -> Option<TantivyDocument> {
    message_doc_at(f, &Place::from(c), m.id, m.created_at, &m.text)
}

pub fn message_doc_at(
    f: &Fields,
    p: &Place,
    id: MessageId,
    created_at: i64,
    text: &str,
) -> Option<TantivyDocument> {
    if text.trim().is_empty() {
        return None;
    }
    let mut d = base_at(f, p, message_key(id), KIND_MESSAGE, created_at);
    d.add_text(f.body, text);
    Some(d)
}

pub fn note_doc(f: &Fields, c: &Conversation, n: &Note) -> TantivyDocument {
    let key = note_key(n);
    let mut d = base(f, c, key.clone(), KIND_NOTE, n.created_at);
    d.add_text(f.replaces, key);
    d.add_text(f.body, &n.text);
    d
}

pub fn note_key(n: &Note) -> String {
    format!("n:{}", n.id)
}

pub fn card_key(c: ConversationId) -> String {
    format!("c:{c}")
}

/// The conversation's contact as one document; custom fields are `(key, value)`.
pub fn card_doc(
    f: &Fields,
    c: &Conversation,
    contact: &Contact,
    custom: &[(String, String)],
) -> TantivyDocument {
    let mut d = base(f, c, card_key(c.id), KIND_CONTACT, c.created_at);
    d.add_text(f.replaces, card_key(c.id));
    let mut words = vec![contact.name.clone()];
    words.extend(contact.email.clone());
    words.extend(c.labels.iter().cloned());
    words.extend(custom.iter().map(|(_, v)| v.clone()));
    d.add_text(f.card, words.join("\n"));
    if let Some(key) = contact.phone.as_deref().and_then(phone_key) {
        d.add_text(f.phone, key);
    }
    d
}

/// A phone's digits reversed. `+55 11 98765-4321`, `11987654321` and `4321`
/// all end `+5511987654321`, so reversed they are prefixes of its key, and
/// one term per phone serves them all. (Every suffix as its own term was ten
/// unique terms per contact: most of an import's index and of its memory.)
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().rev().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// The range of phone keys that end in `digits`: from the reversed digits up
/// to the next prefix (digits are ASCII, so the last one plus one is a byte).
pub fn phone_key_range(digits: &str) -> (String, String) {
    let from: String = digits.chars().rev().collect();
    let mut to = from.clone();
    if let Some(last) = to.pop() {
        to.push(char::from(last as u8 + 1));
    }
    (from, to)
}

/// Whether the phone's digits end in `digits` (what a phone query matched).
pub fn phone_ends_with(phone: &str, digits: &str) -> bool {
    let own: String = phone.chars().filter(char::is_ascii_digit).collect();
    own.ends_with(digits)
}

/// The query's digits when it reads as a phone number (at least four digits
/// and nothing but separators besides).
pub fn phone_query(q: &str) -> Option<String> {
    let q = q.trim();
    let only_phone_chars = q
        .chars()
        .all(|ch| ch.is_ascii_digit() || " +-().".contains(ch));
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    // A trunk prefix (`011 98765-4321`) or an international one (`0055…`) is
    // dialling, not the number: E.164 never starts with 0.
    let digits = digits.trim_start_matches('0').to_string();
    (only_phone_chars && digits.len() >= 4).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_is_found_by_any_of_its_formats() {
        let key = phone_key("+5511987654321").expect("a phone");
        for q in [
            "+55 11 98765-4321",
            "11987654321",
            "(11) 98765-4321",
            "4321",
            "011 98765-4321",
            "0055 11 98765 4321",
        ] {
            let digits = phone_query(q).expect("reads as a phone");
            let (from, to) = phone_key_range(&digits);
            assert!(
                from.as_str() <= key.as_str() && key.as_str() < to.as_str(),
                "{q}"
            );
        }
        for other in ["+5511987654320", "+5511987654331", "4329"] {
            let (from, to) = phone_key_range(&phone_query(other).expect("a phone"));
            let inside = from.as_str() <= key.as_str() && key.as_str() < to.as_str();
            assert!(!inside, "{other} must not find it");
        }
        assert!(phone_ends_with("+55 11 98765-4321", "11987654321"));
        assert!(!phone_ends_with("+5511987654321", "4329"));
        assert_eq!(phone_query("ana 4321"), None);
        assert_eq!(phone_query("123"), None);
    }

    #[test]
    fn the_analyzer_folds_case_and_accents() {
        let mut a = analyzer();
        let mut words = Vec::new();
        let mut stream = a.token_stream("Preço AÇAÍ São-Paulo");
        while let Some(t) = stream.next() {
            words.push(t.text.clone());
        }
        assert_eq!(words, ["preco", "acai", "sao", "paulo"]);
    }
}
