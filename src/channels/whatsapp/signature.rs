//! `X-Hub-Signature-256` verification for Meta webhooks.
//!
//! Meta signs every delivery with HMAC-SHA256 keyed by the app secret and sends
//! `sha256=<hex>`. The MAC covers the body bytes exactly as received: Meta
//! escapes non-ASCII as `\uXXXX`, so JSON that was parsed and re-serialised
//! hashes differently and must never be what we verify.
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const PREFIX: &str = "sha256=";
/// Hex length of a SHA-256 digest.
const HEX_LEN: usize = 64;

/// True when `header` (the `X-Hub-Signature-256` value) is the HMAC-SHA256 of
/// `raw_body` under `app_secret`. Hex may be upper- or lower-case; the compare
/// is constant-time. An empty secret, or a missing or malformed header, is
/// never valid.
#[must_use]
pub fn verify(app_secret: &[u8], raw_body: &[u8], header: Option<&str>) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    let Some(digest_hex) = header.and_then(strip_prefix) else {
        return false;
    };
    if digest_hex.len() != HEX_LEN {
        return false;
    }
    let Ok(expected) = hex::decode(digest_hex) else {
        return false;
    };
    let Ok(mut mac) = HmacSha256::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(raw_body);
    mac.verify_slice(&expected).is_ok()
}

/// The full header value Meta would send for `raw_body`: `sha256=<lowercase hex>`.
#[must_use]
pub fn sign(app_secret: &[u8], raw_body: &[u8]) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(app_secret).expect("HMAC accepts any key length");
    mac.update(raw_body);
    format!("{PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
}

/// The hex part of `sha256=<hex>`, tolerating surrounding whitespace and an
/// upper-case algorithm name. `get` keeps this panic-free on non-ASCII input.
fn strip_prefix(header: &str) -> Option<&str> {
    let header = header.trim();
    let algo = header.get(..PREFIX.len())?;
    if !algo.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    header.get(PREFIX.len()..)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SECRET: &[u8] = b"app-secret-0123";

    #[test]
    fn known_vector() {
        // RFC-style public test vector for HMAC-SHA256.
        let sig = sign(b"key", b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            sig,
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert!(verify(
            b"key",
            b"The quick brown fox jumps over the lazy dog",
            Some(&sig)
        ));
    }

    #[test]
    fn sign_then_verify() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let sig = sign(SECRET, body);
        assert!(sig.starts_with("sha256="));
        assert_eq!(sig.len(), PREFIX.len() + HEX_LEN);
        assert!(sig[PREFIX.len()..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert!(verify(SECRET, body, Some(&sig)));
    }

    #[test]
    fn accepts_upper_case_hex_and_whitespace() {
        let body = b"{}";
        let sig = sign(SECRET, body);
        let upper = format!("sha256={}", sig[PREFIX.len()..].to_ascii_uppercase());
        assert!(verify(SECRET, body, Some(&upper)));
        assert!(verify(SECRET, body, Some(&format!("  {sig} "))));
        assert!(verify(
            SECRET,
            body,
            Some(&sig.replace("sha256=", "SHA256="))
        ));
    }

    #[test]
    fn rejects_wrong_secret_body_or_empty_secret() {
        let body = b"{\"a\":1}";
        let sig = sign(SECRET, body);
        assert!(!verify(b"other-secret", body, Some(&sig)));
        assert!(!verify(SECRET, b"{\"a\":2}", Some(&sig)));
        assert!(!verify(b"", body, Some(&sign(b"", body))));
    }

    #[test]
    fn rejects_missing_or_malformed_header() {
        let body = b"{}";
        let sig = sign(SECRET, body);
        let hex_part = &sig[PREFIX.len()..];
        for bad in [
            String::new(),
            "sha256=".to_string(),
            hex_part.to_string(),                    // no prefix
            format!("sha1={hex_part}"),              // wrong algorithm
            format!("sha256={}", &hex_part[..62]),   // truncated
            format!("sha256={hex_part}00"),          // too long
            format!("sha256={}zz", &hex_part[..62]), // not hex
            format!("sha256= {hex_part}"),           // space inside
            "sha256=é".to_string(),                  // non-ASCII
            "é".to_string(),
        ] {
            assert!(!verify(SECRET, body, Some(&bad)), "accepted {bad:?}");
        }
        assert!(!verify(SECRET, body, None));
    }

    #[test]
    fn signature_covers_escaped_bytes_not_reserialised_json() {
        // As Meta sends it: `é` escaped as \u00e9 in the raw bytes.
        let raw = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[{"text":{"body":"Caf\u00e9 \u00e9 pr\u00eat"}}]}}]}]}"#;
        let header = sign(SECRET, raw);
        assert!(verify(SECRET, raw, Some(&header)));

        // Parsing and re-serialising yields UTF-8 `é` instead of the escape:
        // different bytes, so the same header must not verify.
        let value: serde_json::Value = serde_json::from_slice(raw).unwrap();
        let reserialised = serde_json::to_vec(&value).unwrap();
        assert_ne!(reserialised.as_slice(), raw.as_slice());
        assert!(String::from_utf8(reserialised.clone())
            .unwrap()
            .contains("Café"));
        assert!(!verify(SECRET, &reserialised, Some(&header)));
    }

    proptest! {
        #[test]
        fn roundtrip_and_tamper(secret in proptest::collection::vec(any::<u8>(), 1..80),
                                body in proptest::collection::vec(any::<u8>(), 0..512),
                                flip in any::<usize>()) {
            let sig = sign(&secret, &body);
            prop_assert!(verify(&secret, &body, Some(&sig)));
            if !body.is_empty() {
                let mut tampered = body.clone();
                let i = flip % tampered.len();
                tampered[i] ^= 0x01;
                prop_assert!(!verify(&secret, &tampered, Some(&sig)));
            }
        }

        #[test]
        fn never_panics(secret in proptest::collection::vec(any::<u8>(), 0..40),
                        body in proptest::collection::vec(any::<u8>(), 0..64),
                        header in proptest::option::of(".{0,80}")) {
            let _ = verify(&secret, &body, header.as_deref());
        }
    }
}
