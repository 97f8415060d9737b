//! VAPID (RFC 8292): the server's P-256 key, made on first start and kept in
//! the data folder, identifies us to every push service; each request carries
//! a short-lived ES256 JWT for the endpoint's origin, signed with it.
use std::path::Path;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use p256::{
    ecdsa::{signature::Signer, Signature, SigningKey},
    SecretKey,
};

/// How a push service reaches the operator (RFC 8292 §2.1: a `mailto:` or
/// `https:` URI; Apple's service refuses a token with anything else): the
/// configured `push.subject`, else the public URL when it is https, else the
/// sender address of our mail, else a placeholder that is at least well formed.
pub fn subject(config: &crate::config::Config) -> String {
    let configured = config.push.subject.trim();
    if !configured.is_empty() {
        return configured.to_string();
    }
    let public = config.server.public_url.trim_end_matches('/');
    if public.starts_with("https://") {
        return public.to_string();
    }
    let from = config.smtp.from.trim();
    let address = match (from.rfind('<'), from.rfind('>')) {
        (Some(open), Some(close)) if open < close => &from[open + 1..close],
        _ => from,
    };
    if address.contains('@') && !address.contains(char::is_whitespace) {
        return format!("mailto:{address}");
    }
    "mailto:wafunnel@localhost".into()
}

/// How long a push service may accept one of our tokens (RFC 8292 caps it at 24 h).
const TOKEN_SECS: i64 = 12 * 3600;

pub struct Vapid {
    signing: SigningKey,
    /// The uncompressed public point, base64url: the browser's `applicationServerKey`.
    pub public_key: String,
    /// `sub` claim: how a push service can reach the operator.
    subject: String,
}

impl Vapid {
    pub fn load_or_create(data_dir: &Path, subject: &str) -> std::io::Result<Vapid> {
        let path = data_dir.join("secrets").join("vapid.key");
        let secret = match std::fs::read_to_string(&path) {
            Ok(text) => B64
                .decode(text.trim())
                .ok()
                .and_then(|raw| SecretKey::from_slice(&raw).ok())
                .ok_or_else(|| {
                    std::io::Error::other(format!("{} is not a VAPID key", path.display()))
                })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::random(&mut rand::rngs::OsRng);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                crate::server::write_private(&path, B64.encode(key.to_bytes()).as_bytes())?;
                key
            }
            Err(e) => return Err(e),
        };
        Ok(Vapid::from_secret(&secret, subject))
    }

    pub fn from_secret(secret: &SecretKey, subject: &str) -> Vapid {
        Vapid {
            public_key: B64.encode(secret.public_key().to_sec1_bytes()),
            signing: SigningKey::from(secret),
            subject: subject.to_string(),
        }
    }

    /// The `Authorization` header for a push to `endpoint` (its origin is the audience).
    pub fn authorization(&self, endpoint: &reqwest::Url, now_secs: i64) -> String {
        let audience = endpoint.origin().ascii_serialization();
        let header = B64.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = B64.encode(
            serde_json::json!({"aud": audience, "exp": now_secs + TOKEN_SECS, "sub": self.subject})
                .to_string(),
        );
        let input = format!("{header}.{claims}");
        let signature: Signature = self.signing.sign(input.as_bytes());
        format!(
            "vapid t={input}.{}, k={}",
            B64.encode(signature.to_bytes()),
            self.public_key
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::{signature::Verifier, VerifyingKey};

    #[test]
    fn the_subject_is_always_a_mailto_or_https_uri() {
        let mut c = crate::config::Config::default();
        c.server.public_url = "http://localhost:8080".into();
        c.smtp.from = "Acme inbox <inbox@acme.test>".into();
        assert_eq!(subject(&c), "mailto:inbox@acme.test");
        c.smtp.from = "nobody".into();
        assert_eq!(subject(&c), "mailto:wafunnel@localhost");
        c.server.public_url = "https://inbox.acme.test/".into();
        assert_eq!(subject(&c), "https://inbox.acme.test");
        c.push.subject = "mailto:ops@acme.test".into();
        assert_eq!(subject(&c), "mailto:ops@acme.test");
    }

    #[test]
    fn the_key_survives_a_restart_and_the_token_verifies_with_the_public_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Vapid::load_or_create(dir.path(), "mailto:ops@example.com").expect("made");
        let again = Vapid::load_or_create(dir.path(), "mailto:ops@example.com").expect("read");
        assert_eq!(first.public_key, again.public_key);

        let url = reqwest::Url::parse("https://push.example.net:8443/send/abc").expect("url");
        let auth = again.authorization(&url, 1_000);
        let (t, k) = auth
            .strip_prefix("vapid t=")
            .and_then(|r| r.split_once(", k="))
            .expect("vapid t=…, k=…");
        assert_eq!(k, first.public_key);
        let (input, sig) = t.rsplit_once('.').expect("three parts");
        let claims: serde_json::Value = serde_json::from_slice(
            &B64.decode(input.split('.').nth(1).expect("claims"))
                .expect("b64"),
        )
        .expect("json");
        assert_eq!(claims["aud"], "https://push.example.net:8443");
        assert_eq!(claims["exp"], 1_000 + TOKEN_SECS);
        let key = VerifyingKey::from_sec1_bytes(&B64.decode(k).expect("b64")).expect("point");
        let sig = Signature::from_slice(&B64.decode(sig).expect("b64")).expect("r||s");
        assert!(key.verify(input.as_bytes(), &sig).is_ok());
    }
}
