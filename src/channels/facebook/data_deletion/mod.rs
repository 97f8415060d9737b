//! Meta's data-deletion callback: a person who used Facebook Login with this
//! app asks Facebook to delete their data, Facebook posts a `signed_request`
//! naming their app-scoped id, and we answer with a status URL at once while a
//! durable job deletes, in every business, their logins (profile, user token,
//! the link to a wafunnel user) and every page token obtained through them.
//!
//! The raw id is never stored: the request holds a keyed hash to find the
//! person's logins, and the values the final scan looks for are sealed under
//! the request's own key, forgotten when the request completes.
pub mod job;
pub mod routes;
pub mod scan;

use hmac::{Hmac, Mac};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use crate::store::{
    self, codec, ids::RecordId, Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

pub const JOB_KIND: &str = "data_deletion";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Answered; nothing deleted yet.
    Requested,
    /// The logins, their page tokens and links are gone from the store (one commit).
    Deleted,
    /// The scan found none of the values: only forgetting our own key is left.
    Verified,
    Completed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletionRequest {
    pub code: String,
    /// Keyed hash of the Facebook user id (see `vault::Vault::user_hash`).
    pub user_hash: String,
    pub requested_at: i64,
    pub phase: Phase,
    /// The logins deleted (their keys are forgotten after the commit).
    pub logins: Vec<RecordId>,
    /// JSON list of the values the scan looks for, sealed under `key_id()`.
    pub sealed_needles: Vec<u8>,
    pub completed_at: Option<i64>,
    /// Why the last run did not finish (shown on the status page's JSON too).
    pub last_error: Option<String>,
}
impl Record for DeletionRequest {}

impl DeletionRequest {
    pub fn key_id(&self) -> String {
        key_id(&self.code)
    }
}

pub fn key_id(code: &str) -> String {
    format!("deletion:{code}")
}

/// code → DeletionRequest
const REQUESTS: Tbl = TableDefinition::new("facebook_data_deletions");
/// user hash → code, while the request is pending: a second request reuses it.
const PENDING: Tbl = TableDefinition::new("facebook_data_deletions_pending");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: REQUESTS,
        verify: codec::verify::<DeletionRequest>,
    },
    TableSpec {
        def: PENDING,
        verify: store::verify_utf8,
    },
];

pub fn get<R: Reader + ?Sized>(r: &R, code: &str) -> Result<Option<DeletionRequest>, StoreError> {
    store::get(r, REQUESTS, &Key::new().str(code).done())
}

pub fn pending_of<R: Reader + ?Sized>(
    r: &R,
    hash: &str,
) -> Result<Option<DeletionRequest>, StoreError> {
    match r.get_raw(PENDING, hash.as_bytes())? {
        Some(code) => get(r, &String::from_utf8_lossy(&code)),
        None => Ok(None),
    }
}

pub fn save(ctx: &mut WriteCtx, d: &DeletionRequest) -> Result<(), StoreError> {
    ctx.put(REQUESTS, &Key::new().str(&d.code).done(), d)?;
    if d.phase == Phase::Completed {
        ctx.delete(PENDING, d.user_hash.as_bytes())?;
        Ok(())
    } else {
        ctx.put_raw(PENDING, d.user_hash.as_bytes(), d.code.as_bytes())
    }
}

/// What a valid `signed_request` says. Debug leaves the id out of logs.
#[derive(PartialEq)]
pub struct SignedRequest {
    pub user_id: String,
    pub issued_at: Option<i64>,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("user_id", &"[redacted]")
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

fn b64url(s: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .ok()
}

/// Verifies `<base64url signature>.<base64url payload>`: the signature is the
/// HMAC-SHA256 of the payload part (as sent) under the app secret, compared
/// in constant time; the payload must say `HMAC-SHA256` and name a user.
pub fn verify_signed_request(app_secret: &str, signed: &str) -> Option<SignedRequest> {
    let (sig, payload) = signed.trim().split_once('.')?;
    let sig = b64url(sig)?;
    // The WhatsApp webhook helper does the constant-time HMAC compare.
    let header = format!("sha256={}", hex::encode(sig));
    if !crate::channels::whatsapp::signature::verify(
        app_secret.as_bytes(),
        payload.as_bytes(),
        Some(&header),
    ) {
        return None;
    }
    let body: Value = serde_json::from_slice(&b64url(payload)?).ok()?;
    if !body["algorithm"]
        .as_str()
        .is_some_and(|a| a.eq_ignore_ascii_case("HMAC-SHA256"))
    {
        return None;
    }
    let user_id = super::graph::id_text(&body["user_id"])?;
    if user_id.len() > 128 || user_id.chars().any(char::is_control) {
        return None;
    }
    Some(SignedRequest {
        user_id,
        issued_at: body["issued_at"].as_i64(),
    })
}

/// Builds a `signed_request` as Meta does (tests and the simulator).
pub fn sign_request(app_secret: &str, payload: &Value) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = engine.encode(payload.to_string());
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    format!("{}.{payload}", engine.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_request_signed_with_our_secret_and_hmac_sha256_is_accepted() {
        let p =
            json!({"algorithm": "HMAC-SHA256", "user_id": "1022831234", "issued_at": 1764000000});
        let good = sign_request("s3cret", &p);
        assert_eq!(
            verify_signed_request("s3cret", &good),
            Some(SignedRequest {
                user_id: "1022831234".into(),
                issued_at: Some(1764000000)
            })
        );
        assert_eq!(verify_signed_request("other", &good), None);
        assert_eq!(verify_signed_request("", &sign_request("", &p)), None);
        let wrong_algo = sign_request("s3cret", &json!({"algorithm": "HMAC-SHA1", "user_id": "1"}));
        assert_eq!(verify_signed_request("s3cret", &wrong_algo), None);
        let no_user = sign_request("s3cret", &json!({"algorithm": "HMAC-SHA256"}));
        assert_eq!(verify_signed_request("s3cret", &no_user), None);
        let (sig, payload) = good.split_once('.').unwrap();
        for bad in [
            "",
            ".",
            "nodot",
            &format!("{sig}."),
            &format!(".{payload}"),
            &format!("{sig}.{payload}x"),
            &format!("{}.{payload}", &sig[1..]),
            &format!("{sig}!.{payload}"),
            "é.é",
        ] {
            assert_eq!(verify_signed_request("s3cret", bad), None, "{bad}");
        }
        // Numbers are ids too.
        let numeric = sign_request("k", &json!({"algorithm": "HMAC-SHA256", "user_id": 42}));
        assert_eq!(verify_signed_request("k", &numeric).unwrap().user_id, "42");
    }
}
