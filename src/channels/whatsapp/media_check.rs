//! Whether a downloaded body is the file the customer sent. Meta's CDN can
//! answer 200 with an error page; kept, it would be served as their photo.
use base64::{
    engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD},
    Engine,
};
use sha2::{Digest, Sha256};

/// The digest Meta stated, as bytes. The webhook sends it base64-encoded and
/// `GET /{media_id}` hex-encoded (the contract names neither), so both are
/// read. None when it is in neither form: there is nothing to compare with.
pub fn stated_digest(stated: &str) -> Option<[u8; 32]> {
    let s = stated.trim();
    // 64 hex characters also parse as base64 (to 48 bytes), so hex goes first.
    if s.len() == 64 {
        if let Ok(bytes) = hex::decode(s) {
            return bytes.try_into().ok();
        }
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(s).ok())
        .and_then(|bytes| bytes.try_into().ok())
}

fn essence(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
    let head = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

/// Why `bytes` are not the customer's file, or None when they are. A digest
/// Meta stated decides alone: a matching body is the file whatever its type
/// header says. Without one, a web page where no web page was sent is refused.
pub fn refusal(
    bytes: &[u8],
    content_type: Option<&str>,
    expected_mime: &str,
    sha256: Option<&str>,
) -> Option<String> {
    if let Some(want) = sha256.and_then(stated_digest) {
        if Sha256::digest(bytes).as_slice() == want {
            return None;
        }
        return Some("the downloaded file does not match the SHA-256 WhatsApp gave for it".into());
    }
    if essence(expected_mime) == "text/html" {
        return None;
    }
    let html = match content_type {
        Some(t) => essence(t) == "text/html",
        None => looks_like_html(bytes),
    };
    html.then(|| format!("the download answered a web page, not the {expected_mime} file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake";

    fn digest() -> [u8; 32] {
        Sha256::digest(PNG).into()
    }

    #[test]
    fn the_stated_digest_is_read_as_hex_or_any_base64() {
        let d = digest();
        assert_eq!(stated_digest(&hex::encode(d)), Some(d));
        assert_eq!(stated_digest(&hex::encode_upper(d)), Some(d));
        assert_eq!(stated_digest(&STANDARD.encode(d)), Some(d));
        assert_eq!(stated_digest(&STANDARD_NO_PAD.encode(d)), Some(d));
        assert_eq!(stated_digest(&URL_SAFE_NO_PAD.encode(d)), Some(d));
        assert_eq!(stated_digest(&format!(" {} ", STANDARD.encode(d))), Some(d));
        for unreadable in ["", "abc", "not a digest at all", &hex::encode([1u8; 16])] {
            assert_eq!(stated_digest(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn a_body_matching_the_digest_is_kept_and_any_other_is_refused() {
        let b64 = STANDARD.encode(digest());
        assert_eq!(
            refusal(PNG, Some("image/png"), "image/png", Some(&b64)),
            None
        );
        assert_eq!(
            refusal(PNG, Some("text/html"), "image/png", Some(&b64)),
            None,
            "the digest outranks a wrong type header"
        );
        assert!(refusal(
            b"<html>Sorry</html>",
            Some("image/png"),
            "image/png",
            Some(&b64)
        )
        .is_some());
    }

    #[test]
    fn without_a_digest_a_web_page_is_refused_unless_a_web_page_was_sent() {
        let page = b"<!DOCTYPE html><html><body>Sorry</body></html>";
        assert!(refusal(page, Some("text/html; charset=utf-8"), "image/jpeg", None).is_some());
        assert!(refusal(page, None, "image/jpeg", None).is_some());
        assert!(refusal(page, Some("text/html"), "image/jpeg", Some("abc")).is_some());
        assert_eq!(refusal(page, Some("text/html"), "text/html", None), None);
        assert_eq!(refusal(PNG, Some("image/png"), "image/png", None), None);
        assert_eq!(refusal(PNG, None, "image/png", None), None);
    }
}
