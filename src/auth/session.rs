//! Browser sessions: a session record in the store and a JWT in the HttpOnly
//! `wf_session` cookie naming it. Logout deletes the record, so a stolen cookie
//! dies with it; a password change bumps the user's token version, which kills
//! every session at once.
use std::path::Path;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::users::User;
use crate::{
    error::{ApiError, ApiResult},
    store::{
        self, codec,
        ids::{BusinessId, RecordId, SessionId, UserId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

pub const SESSION_COOKIE: &str = "wf_session";
pub const CSRF_COOKIE: &str = "wf_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub business_id: Option<BusinessId>,
    pub created_at: i64,
    pub expires_at: i64,
    pub ip: String,
    pub user_agent: String,
    /// Refreshed at most once a minute (`LAST_SEEN_GRANULARITY_MS`).
    pub last_seen_at: i64,
    /// A platform admin's session switched into a business read-only. It
    /// holds only while the grant it was opened under stands (checked on
    /// every request, see `tenancy::support`).
    pub support: Option<SupportVisit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SupportVisit {
    pub business_id: BusinessId,
    /// The owner's grant this visit was opened under: a revoked grant (and a
    /// later, new one) no longer matches, so revoking ends the visit for good.
    pub grant_id: RecordId,
    pub opened_at: i64,
}

impl Record for Session {
    const VERSION: u8 = 3;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        let v2 = match version {
            1 => {
                let old: SessionV1 = codec::decode_body(body)?;
                SessionV2 {
                    id: old.id,
                    user_id: old.user_id,
                    business_id: old.business_id,
                    created_at: old.created_at,
                    expires_at: old.expires_at,
                    ip: old.ip,
                    user_agent: old.user_agent,
                    last_seen_at: old.created_at,
                }
            }
            2 => codec::decode_body(body)?,
            v => return Err(codec::CodecError::NoUpgrade(v)),
        };
        Ok(Session {
            id: v2.id,
            user_id: v2.user_id,
            business_id: v2.business_id,
            created_at: v2.created_at,
            expires_at: v2.expires_at,
            ip: v2.ip,
            user_agent: v2.user_agent,
            last_seen_at: v2.last_seen_at,
            support: None,
        })
    }
}

/// A session as stored before support visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SessionV2 {
    id: SessionId,
    user_id: UserId,
    business_id: Option<BusinessId>,
    created_at: i64,
    expires_at: i64,
    ip: String,
    user_agent: String,
    last_seen_at: i64,
}

/// A session as stored before `last_seen_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SessionV1 {
    id: SessionId,
    user_id: UserId,
    business_id: Option<BusinessId>,
    created_at: i64,
    expires_at: i64,
    ip: String,
    user_agent: String,
}

/// How stale `last_seen_at` may get before a request writes it down:
/// recording every request would turn each read into a write.
pub const LAST_SEEN_GRANULARITY_MS: i64 = 60_000;

pub(crate) const SESSIONS: Tbl = TableDefinition::new("sessions");
/// (user, session) → ()
pub(crate) const SESSIONS_BY_USER: Tbl = TableDefinition::new("sessions_by_user");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: SESSIONS,
        verify: codec::verify::<Session>,
    },
    TableSpec {
        def: SESSIONS_BY_USER,
        verify: store::verify_empty,
    },
];

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub tv: u32,
    pub iat: i64,
    pub exp: i64,
}

/// The HS256 key, generated on first start and kept in the data folder (0600).
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Keys> {
        let secret = crate::server::secret_file(&data_dir.join("secrets").join("jwt.key"))?;
        Ok(Keys::from_secret(secret.as_bytes()))
    }

    pub fn issue(&self, user: &User, session: &Session) -> ApiResult<String> {
        let claims = Claims {
            sub: user.id.to_string(),
            sid: session.id.to_string(),
            tv: user.token_version,
            iat: session.created_at / 1000,
            exp: session.expires_at / 1000,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("jwt: {e}")))
    }

    /// Signs short-lived claims for another purpose (an OAuth `state`); `aud`
    /// names the purpose so no such token passes for another kind.
    pub fn sign<T: serde::Serialize>(&self, claims: &T) -> ApiResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::internal(format!("jwt: {e}")))
    }

    /// Claims signed by `sign` for `aud`, unexpired.
    pub fn open<T: serde::de::DeserializeOwned>(&self, token: &str, aud: &str) -> Option<T> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_audience(&[aud]);
        v.set_required_spec_claims(&["exp", "aud"]);
        jsonwebtoken::decode::<T>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }

    /// Signature and expiry; everything else is checked against the store.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "sub"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

fn by_user_key(u: UserId, s: SessionId) -> Vec<u8> {
    Key::new().id(u.bytes()).id(s.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(r: &R, id: SessionId) -> Result<Option<Session>, StoreError> {
    store::get(r, SESSIONS, &id.bytes())
}

pub fn create(ctx: &mut WriteCtx, session: &Session) -> Result<(), StoreError> {
    ctx.put(SESSIONS, &session.id.bytes(), session)?;
    ctx.put_raw(
        SESSIONS_BY_USER,
        &by_user_key(session.user_id, session.id),
        &[],
    )
}

pub fn delete(ctx: &mut WriteCtx, session: &Session) -> Result<(), StoreError> {
    ctx.delete(SESSIONS, &session.id.bytes())?;
    ctx.delete(SESSIONS_BY_USER, &by_user_key(session.user_id, session.id))?;
    Ok(())
}

/// The user's unexpired sessions, oldest first.
pub fn list_for<R: Reader + ?Sized>(r: &R, user: UserId) -> Result<Vec<Session>, StoreError> {
    let now = now_ms();
    let mut out = Vec::new();
    for key in store::scan_keys(r, SESSIONS_BY_USER, &user.bytes(), None, usize::MAX)? {
        if let Some(sid) = key.get(16..).and_then(SessionId::from_bytes) {
            out.extend(get(r, sid)?.filter(|s| s.expires_at > now));
        }
    }
    Ok(out)
}

/// Notes that the session was used at `at` (unless it ended meanwhile).
pub fn touch(ctx: &mut WriteCtx, id: SessionId, at: i64) -> Result<(), StoreError> {
    if let Some(mut s) = get(ctx, id)? {
        s.last_seen_at = s.last_seen_at.max(at);
        ctx.put(SESSIONS, &s.id.bytes(), &s)?;
    }
    Ok(())
}

/// Switches the session into a business read-only, or (None) back out.
pub fn set_support(
    ctx: &mut WriteCtx,
    id: SessionId,
    visit: Option<SupportVisit>,
) -> Result<Option<Session>, StoreError> {
    let Some(mut s) = get(ctx, id)? else {
        return Ok(None);
    };
    s.support = visit;
    ctx.put(SESSIONS, &s.id.bytes(), &s)?;
    Ok(Some(s))
}

/// Ends every session of a user (password change or reset).
pub fn delete_all_for(ctx: &mut WriteCtx, user: UserId) -> Result<usize, StoreError> {
    let keys = store::scan_keys(ctx, SESSIONS_BY_USER, &user.bytes(), None, usize::MAX)?;
    for key in &keys {
        if let Some(sid) = key.get(16..).and_then(SessionId::from_bytes) {
            ctx.delete(SESSIONS, &sid.bytes())?;
        }
        ctx.delete(SESSIONS_BY_USER, key)?;
    }
    Ok(keys.len())
}

pub fn new_session(
    user: UserId,
    business: Option<BusinessId>,
    ttl_hours: u64,
    ip: &str,
    ua: &str,
) -> Session {
    let now = now_ms();
    Session {
        id: SessionId::new(),
        user_id: user,
        business_id: business,
        created_at: now,
        expires_at: now + (ttl_hours as i64) * 3_600_000,
        ip: ip.chars().take(64).collect(),
        user_agent: ua.chars().take(256).collect(),
        last_seen_at: now,
        support: None,
    }
}

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The session cookie (HttpOnly) and the CSRF cookie (readable by the page).
pub fn cookies(jwt: String, ttl_hours: u64, secure: bool) -> [Cookie<'static>; 2] {
    let max_age = CookieDuration::hours(ttl_hours as i64);
    let session = Cookie::build(SESSION_COOKIE, jwt)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish();
    let csrf = Cookie::build(CSRF_COOKIE, random_token(32))
        .path("/")
        .http_only(false)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish();
    [session, csrf]
}

pub fn clear_cookies(secure: bool) -> [Cookie<'static>; 2] {
    let mut out = [
        Cookie::new(SESSION_COOKIE, ""),
        Cookie::new(CSRF_COOKIE, ""),
    ];
    for c in &mut out {
        c.set_path("/");
        c.set_secure(secure);
        c.make_removal();
    }
    out
}

/// Index check: sessions_by_user agrees with sessions, both ways.
pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<Session, _>(r, SESSIONS, &[], None, usize::MAX)?;
    for (_, s) in &all {
        if !store::exists(r, SESSIONS_BY_USER, &by_user_key(s.user_id, s.id))? {
            problems.push(format!(
                "sessions_by_user: missing entry for session {}",
                s.id
            ));
        }
    }
    for key in store::scan_keys(r, SESSIONS_BY_USER, &[], None, usize::MAX)? {
        let ok = match key.get(16..).and_then(SessionId::from_bytes) {
            Some(sid) => get(r, sid)?.is_some_and(|s| by_user_key(s.user_id, s.id) == key),
            None => false,
        };
        if !ok {
            problems.push(format!(
                "sessions_by_user: entry {} points at no session",
                hex::encode(&key)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_stored_before_last_seen_reads_as_seen_at_creation() {
        let old = SessionV1 {
            id: SessionId::new(),
            user_id: UserId::new(),
            business_id: None,
            created_at: 1_700_000_000_000,
            expires_at: 1_700_000_100_000,
            ip: "203.0.113.5".into(),
            user_agent: "curl/8".into(),
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let s: Session = codec::decode(&bytes).unwrap();
        assert_eq!(s.last_seen_at, old.created_at);
        assert_eq!((s.id, s.ip.as_str()), (old.id, "203.0.113.5"));
        assert_eq!(codec::decode::<Session>(&codec::encode(&s)).unwrap(), s);
        assert_eq!(s.support, None);
    }

    #[test]
    fn a_session_stored_before_support_visits_reads_as_outside_any() {
        let old = SessionV2 {
            id: SessionId::new(),
            user_id: UserId::new(),
            business_id: Some(BusinessId::new()),
            created_at: 1_700_000_000_000,
            expires_at: 1_700_000_100_000,
            ip: "203.0.113.5".into(),
            user_agent: "curl/8".into(),
            last_seen_at: 1_700_000_050_000,
        };
        let mut bytes = vec![2u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let s: Session = codec::decode(&bytes).unwrap();
        assert_eq!(
            (s.business_id, s.last_seen_at),
            (old.business_id, old.last_seen_at)
        );
        assert_eq!(s.support, None);
        let mut visiting = s.clone();
        visiting.support = Some(SupportVisit {
            business_id: BusinessId::new(),
            grant_id: RecordId::new(),
            opened_at: 1_700_000_060_000,
        });
        let back = codec::decode::<Session>(&codec::encode(&visiting)).unwrap();
        assert_eq!(back, visiting);
    }
}
