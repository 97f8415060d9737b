//! Highlighted snippets. Tantivy's own generator only sees exact query terms,
//! so prefix and typo-tolerant matches would go unmarked; this one re-runs the
//! same analyzer over the stored text and marks every word the query matched.
use super::{query::Word, schema::analyzer};

/// Characters of context shown around the first match.
const WINDOW: usize = 160;

/// `text` around its first match, HTML-escaped, matches wrapped in `<mark>`.
pub fn highlight(text: &str, words: &[Word]) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    while let Some(t) = stream.next() {
        if words.iter().any(|w| w.matches(&t.text)) {
            spans.push((t.offset_from, t.offset_to));
        }
    }
    let (start, end) = window(text, spans.first().map_or(0, |s| s.0));
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(from, to) in spans.iter().filter(|s| s.0 >= start && s.1 <= end) {
        escape_into(&mut out, &text[at..from]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[from..to]);
        out.push_str("</mark>");
        at = to;
    }
    escape_into(&mut out, &text[at..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Byte range of about `WINDOW` characters starting a little before `focus`,
/// on character boundaries.
fn window(text: &str, focus: usize) -> (usize, usize) {
    let lead = WINDOW / 4;
    let mut start = focus;
    for _ in 0..lead {
        if start == 0 {
            break;
        }
        start = prev_boundary(text, start);
    }
    // Start on a word when the window had to cut into text.
    if start > 0 {
        if let Some(space) = text[start..focus].find(char::is_whitespace) {
            start += space + 1;
        }
    }
    let end = text[start..]
        .char_indices()
        .nth(WINDOW)
        .map_or(text.len(), |(i, _)| start + i);
    (start, end.max(start))
}

fn prev_boundary(text: &str, mut i: usize) -> usize {
    i -= 1;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<Word> {
        super::super::query::words(q, true)
    }

    #[test]
    fn marks_accent_folded_prefix_and_typo_matches_and_escapes_the_rest() {
        let s = highlight(
            "<b>Qual é o preço</b> do açaí & Bárbara?",
            &words("preco acai barb"),
        );
        assert_eq!(
            s,
            "&lt;b&gt;Qual é o <mark>preço</mark>&lt;/b&gt; do <mark>açaí</mark> &amp; <mark>Bárbara</mark>?"
        );
        let s = highlight("the delivery was late", &words("delivry"));
        assert_eq!(s, "the <mark>delivery</mark> was late");
    }

    #[test]
    fn long_text_is_cut_around_the_first_match_on_char_boundaries() {
        let text = format!("{} needle {}", "ação ".repeat(100), "fim ".repeat(100));
        let s = highlight(&text, &words("needle"));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>needle</mark>"));
        assert!(s.chars().count() < WINDOW + 40);
    }
}
