//! From what a person types to a tantivy query, always within one business
//! and prefiltered by the scope's assignees.
use std::ops::Bound;

use tantivy::{
    collector::TopDocs,
    query::{
        BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
        TermSetQuery,
    },
    schema::{Field, IndexRecordOption, Value},
    DocAddress, Order, TantivyDocument, Term,
};

use super::{error, schema, Search};
use crate::{error::ApiResult, store::ids::MemberId};

/// Loose words of a query that count; the rest are ignored.
const MAX_WORDS: usize = 12;
/// Words this long or longer tolerate one typo.
const FUZZY_FROM: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// Lower-cased, accents folded.
    pub text: String,
    pub fuzzy: bool,
    pub prefix: bool,
}

impl Word {
    pub fn matches(&self, token: &str) -> bool {
        token == self.text
            || (self.prefix && token.starts_with(&self.text))
            || (self.fuzzy && within_one_edit(token, &self.text))
    }
}

/// Optimal string alignment distance ≤ 1 (a transposition counts as one, as
/// in tantivy's fuzzy queries).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        let rest = |from: usize| short[from..] == long[from..];
        prefix == short.len()
            || rest(prefix + 1)
            || (prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && rest(prefix + 2))
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// A typo is forgiven in a long enough word, but not in a code, an order
/// number or an email's local part: `lote4321` is not `lote9321`.
fn typos_tolerated(word: &str) -> bool {
    word.chars().count() >= FUZZY_FROM && !word.chars().any(|c| c.is_ascii_digit())
}

/// The analyzed words of `q` (quotes ignored), as the snippet marks them.
pub fn words(q: &str, prefix: bool) -> Vec<Word> {
    tokens(q)
        .into_iter()
        .map(|text| Word {
            fuzzy: typos_tolerated(&text),
            prefix,
            text,
        })
        .collect()
}

fn tokens(s: &str) -> Vec<String> {
    let mut a = schema::analyzer();
    let mut stream = a.token_stream(s);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    All,
    Messages,
    Contacts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Best,
    Newest,
}

/// What the person typed: loose words, "quoted phrases", maybe a phone.
#[derive(Debug, Default)]
pub struct Parsed {
    pub loose: Vec<String>,
    /// Words after `NOT` or a leading `-`: a hit must not hold them.
    pub excluded: Vec<String>,
    pub phrases: Vec<Vec<String>>,
    pub phone: Option<String>,
    /// Messages match the last loose word as the start of a word too.
    pub last_word_prefix: bool,
}

/// A prefix shorter than this expands to too many words to be worth it.
const PREFIX_FROM: usize = 3;

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.loose.is_empty() && self.phrases.is_empty() && self.phone.is_none()
    }

    pub fn prefix_worth_trying(&self) -> bool {
        !self.last_word_prefix
            && self
                .loose
                .last()
                .is_some_and(|w| w.chars().count() >= PREFIX_FROM)
    }
}

pub fn parse(q: &str) -> Parsed {
    let mut p = Parsed {
        phone: schema::phone_query(q),
        ..Parsed::default()
    };
    for (i, part) in q.split('"').enumerate() {
        let words = if i % 2 == 1 {
            tokens(part)
        } else {
            let (kept, excluded) = without_operators(part);
            p.excluded.extend(tokens(&excluded));
            tokens(&kept)
        };
        // Odd parts sit between quotes (an unclosed quote runs to the end).
        if i % 2 == 1 && words.len() > 1 {
            p.phrases.push(words);
        } else {
            p.loose.extend(words);
        }
    }
    // Each word is a term-dictionary walk (fuzzy, prefix): a pasted paragraph
    // must not cost a hundred of them.
    p.loose.truncate(MAX_WORDS);
    p.excluded.truncate(MAX_WORDS);
    p.phrases.truncate(MAX_WORDS / 4);
    p
}

/// What people type out of habit from other search boxes: `AND`/`OR`
/// (every word is required anyway), `field:` qualifiers, and `NOT word` or
/// `-word` to leave a word out. Left in, each operator became a word no
/// message holds, and the search found nothing. Returns the words kept and
/// the words to exclude.
fn without_operators(part: &str) -> (String, String) {
    let (mut kept, mut excluded) = (Vec::new(), Vec::new());
    let mut negate = false;
    for w in part.split_whitespace() {
        if matches!(w, "AND" | "OR" | "&&" | "||") {
            continue;
        }
        if w == "NOT" {
            negate = true;
            continue;
        }
        let w = match w.split_once(':') {
            Some((field, rest))
                if !field.is_empty()
                    && field.chars().all(|c| c.is_ascii_alphabetic() || c == '_') =>
            {
                rest
            }
            _ => w,
        };
        match w.strip_prefix('-').filter(|rest| !rest.is_empty()) {
            Some(rest) if !rest.starts_with(|c: char| c.is_ascii_digit()) => excluded.push(rest),
            _ if std::mem::take(&mut negate) => excluded.push(w),
            _ => kept.push(w),
        }
    }
    (kept.join(" "), excluded.join(" "))
}

pub struct Request<'a> {
    pub parsed: &'a Parsed,
    pub kind: Kind,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    pub business: String,
    /// None: every assignee; else these (and `None` inside: unassigned).
    pub assignees: Option<Vec<Option<MemberId>>>,
}

pub struct Hit {
    pub kind: String,
    pub key: String,
    pub conversation: String,
    pub created_at: i64,
    pub text: String,
}

fn word_query(field: Field, word: &str, prefix: bool) -> Box<dyn Query> {
    let term = Term::from_field_text(field, word);
    let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(BoostQuery::new(Box::new(exact), 2.0)),
    )];
    if prefix {
        any.push((
            Occur::Should,
            Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
        ));
    }
    if typos_tolerated(word) {
        any.push((Occur::Should, Box::new(FuzzyTermQuery::new(term, 1, true))));
    }
    Box::new(BooleanQuery::new(any))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
    ))
}

/// `all_of`, leaving out what holds any excluded word in `field`.
fn all_of_but(clauses: Vec<Box<dyn Query>>, field: Field, excluded: &[String]) -> Box<dyn Query> {
    let mut occurs: Vec<(Occur, Box<dyn Query>)> =
        clauses.into_iter().map(|q| (Occur::Must, q)).collect();
    for w in excluded {
        let term = TermQuery::new(Term::from_field_text(field, w), IndexRecordOption::Basic);
        occurs.push((Occur::MustNot, Box::new(term)));
    }
    Box::new(BooleanQuery::new(occurs))
}

fn kinds(f: &schema::Fields, kinds: &[&str]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        kinds.iter().map(|k| Term::from_field_text(f.kind, k)),
    ))
}

fn messages_query(f: &schema::Fields, p: &Parsed) -> Option<Box<dyn Query>> {
    let last = p.loose.len().saturating_sub(1);
    let mut must: Vec<Box<dyn Query>> = p
        .loose
        .iter()
        .enumerate()
        .map(|(i, w)| word_query(f.body, w, p.last_word_prefix && i == last))
        .collect();
    for phrase in &p.phrases {
        let terms = phrase
            .iter()
            .map(|w| Term::from_field_text(f.body, w))
            .collect();
        must.push(Box::new(PhraseQuery::new(terms)));
    }
    if must.is_empty() {
        return None;
    }
    must.push(kinds(f, &[schema::KIND_MESSAGE, schema::KIND_NOTE]));
    Some(all_of_but(must, f.body, &p.excluded))
}

fn contacts_query(f: &schema::Fields, p: &Parsed) -> Option<Box<dyn Query>> {
    let words: Vec<Box<dyn Query>> = p
        .loose
        .iter()
        .chain(p.phrases.iter().flatten())
        .map(|w| word_query(f.card, w, true))
        .collect();
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !words.is_empty() {
        any.push((Occur::Should, all_of(words)));
    }
    if let Some(digits) = &p.phone {
        let (from, to) = schema::phone_key_range(digits);
        let ending_in = RangeQuery::new(
            Bound::Included(Term::from_field_text(f.phone, &from)),
            Bound::Excluded(Term::from_field_text(f.phone, &to)),
        );
        any.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(ending_in), 3.0)),
        ));
    }
    if any.is_empty() {
        return None;
    }
    Some(all_of_but(
        vec![
            Box::new(BooleanQuery::new(any)),
            kinds(f, &[schema::KIND_CONTACT]),
        ],
        f.card,
        &p.excluded,
    ))
}

/// One page of hits in rank order; `more` when another page may follow.
pub fn run(search: &Search, req: &Request) -> ApiResult<(Vec<Hit>, bool)> {
    let f = search.fields();
    let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if req.kind != Kind::Contacts {
        alternatives.extend(messages_query(f, req.parsed).map(|q| (Occur::Should, q)));
    }
    if req.kind != Kind::Messages {
        alternatives.extend(contacts_query(f, req.parsed).map(|q| (Occur::Should, q)));
    }
    if alternatives.is_empty() {
        return Ok((Vec::new(), false));
    }
    let mut must: Vec<Box<dyn Query>> = vec![
        Box::new(BooleanQuery::new(alternatives)),
        Box::new(TermQuery::new(
            Term::from_field_text(f.business, &req.business),
            IndexRecordOption::Basic,
        )),
    ];
    if let Some(assignees) = &req.assignees {
        must.push(Box::new(TermSetQuery::new(
            assignees.iter().map(|a| schema::assignee_term(f, *a)),
        )));
    }
    let query = all_of(must);
    let searcher = search.searcher();
    // One extra tells whether another page follows.
    let top = TopDocs::with_limit(req.limit + 1).and_offset(req.offset);
    let addresses: Vec<DocAddress> = match req.sort {
        Sort::Best => searcher
            .search(&query, &top.order_by_score())
            .map_err(error)?
            .into_iter()
            .map(|(_, a)| a)
            .collect(),
        Sort::Newest => searcher
            .search(
                &query,
                &top.order_by_fast_field::<i64>("created_at", Order::Desc),
            )
            .map_err(error)?
            .into_iter()
            .map(|(_, a)| a)
            .collect(),
    };
    let more = addresses.len() > req.limit;
    let mut hits = Vec::with_capacity(req.limit);
    for a in addresses.into_iter().take(req.limit) {
        let doc: TantivyDocument = searcher.doc(a).map_err(error)?;
        let text_of = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let kind = text_of(f.kind);
        hits.push(Hit {
            text: text_of(if kind == schema::KIND_CONTACT {
                f.card
            } else {
                f.body
            }),
            key: text_of(f.key),
            conversation: text_of(f.conversation),
            created_at: doc
                .get_first(f.created_at)
                .and_then(|v| v.as_i64())
                .unwrap_or(0),
            kind,
        });
    }
    Ok((hits, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_means_one_substitution_insertion_deletion_or_transposition() {
        for (a, b) in [
            ("entrega", "entrega"),
            ("entrega", "entrefa"),
            ("entrega", "entrga"),
            ("entrega", "entregas"),
            ("entrega", "enrtega"),
        ] {
            assert!(within_one_edit(a, b), "{a} {b}");
        }
        for (a, b) in [
            ("entrega", "entrgea2"),
            ("entrega", "ntrga"),
            ("entrega", "arteg"),
        ] {
            assert!(!within_one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn quotes_make_phrases_and_digits_make_a_phone() {
        let p = parse(r#"Preço "entrega RÁPIDA" amanhã"#);
        assert_eq!(p.loose, ["preco", "amanha"]);
        assert_eq!(
            p.phrases,
            [vec!["entrega".to_string(), "rapida".to_string()]]
        );
        assert_eq!(
            parse("(11) 98765-4321").phone.as_deref(),
            Some("11987654321")
        );
    }

    #[test]
    fn operators_and_field_names_from_other_search_boxes_are_not_words() {
        assert_eq!(parse("pintura AND telhado").loose, ["pintura", "telhado"]);
        let p = parse("name:Zuleica NOT Telhado -vidro -10");
        assert_eq!(p.loose, ["zuleica", "10"]);
        assert_eq!(p.excluded, ["telhado", "vidro"]);
        assert_eq!(parse("and or not").loose, ["and", "or", "not"]);
        assert_eq!(parse("às 10:30").loose, ["as", "10", "30"]);
        assert_eq!(
            parse(r#""AND then" OR"#).phrases,
            [vec!["and".to_string(), "then".to_string()]]
        );
    }
}
