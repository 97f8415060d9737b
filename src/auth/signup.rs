//! Self-service sign-up (`server.signup = open`): a new business and its owner,
//! whose first sign-in waits for the emailed verification link. The answer is
//! the same whether or not the address has an account (its owner is mailed a
//! note instead), so sign-up tells nobody who is a user here.
//!
//! Unverified accounts are the exception, kept in a table of their own: every
//! account made before sign-up existed (setup, invites, the CLI) is verified
//! by its absence there, with no record upgrade.
use actix_web::{web, HttpRequest, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{password, routes::validate_new_business, session, tokens, users};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    error::{ApiError, ApiResult, Code},
    http::{client_ip, AppState, Routes},
    store::{self, codec, ids::UserId, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx},
    tenancy::{service, Role},
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub user_id: UserId,
    pub expires_at: i64,
}
impl Record for Verification {}

/// user id → (): accounts whose email is not confirmed yet.
const UNVERIFIED: Tbl = TableDefinition::new("users_unverified");
/// sha256(token) → Verification
const VERIFICATIONS: Tbl = TableDefinition::new("email_verifications");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: UNVERIFIED,
        verify: store::verify_empty,
    },
    TableSpec {
        def: VERIFICATIONS,
        verify: codec::verify::<Verification>,
    },
];

const TTL_MS: i64 = 48 * 3_600_000;

pub fn routes(r: &mut Routes) {
    r.post("/api/auth/signup", signup)
        .answers(&[202])
        .get("/api/auth/verify-email", verify_email);
}

pub fn is_unverified<R: Reader + ?Sized>(r: &R, user: UserId) -> Result<bool, StoreError> {
    Ok(r.get_raw(UNVERIFIED, &user.bytes())?.is_some())
}

/// Marks the address as proven (a verification link, a password reset link).
pub fn mark_verified(ctx: &mut WriteCtx, user: UserId) -> Result<bool, StoreError> {
    ctx.delete(UNVERIFIED, &user.bytes())
}

pub fn is_open(state: &AppState) -> bool {
    state.config.server.signup == "open"
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignupBody {
    business_name: String,
    name: String,
    email: String,
    password: String,
}

async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SignupBody>,
) -> ApiResult<HttpResponse> {
    if !is_open(&state) {
        return Err(ApiError::new(
            Code::SignupClosed,
            "Sign-up is closed on this server; ask its operator for an invitation",
        ));
    }
    if let Err(wait) = state
        .signup_limiter
        .hit(client_ip(&req, &state.trusted_proxies))
    {
        return Err(ApiError::rate_limited(wait));
    }
    let body = body.into_inner();
    validate_new_business(&body.business_name, &body.name, &body.email, &body.password)?;
    // Hashed either way: the time taken says nothing about the address.
    let hash = password::hash_async(body.password).await?;
    let token = session::random_token(32);
    let base = state
        .config
        .server
        .public_url
        .trim_end_matches('/')
        .to_string();
    let smtp = !state.config.smtp.url.is_empty();
    let origin = Origin::of(&req, &state.trusted_proxies);
    let owner = service::NewMember {
        email: users::normalize_email(&body.email),
        name: body.name.trim().to_string(),
        password_hash: Some(hash),
        role: Role::Owner,
        team_id: None,
        permissions: vec![],
    };
    let business_name = body.business_name.trim().to_string();
    state
        .store
        .write(move |ctx| {
            // Decided inside the write: two racing sign-ups cannot both create.
            if let Some(existing) = users::by_email(ctx, &owner.email)? {
                let content = crate::mail::with_link(
                    &format!("Hello {},", existing.name),
                    "Someone tried to sign up for wafunnel with this address, which already has an account. \
                     Sign in instead; if you forgot your password, reset it from the sign-in page.",
                    "Sign in",
                    &format!("{base}/login"),
                    "If it was not you, ignore this email: nothing changed.",
                );
                crate::mail::enqueue(ctx, smtp, None, &existing.email, "You already have a wafunnel account", content)?;
                return Ok(());
            }
            let (business, user, _) = service::create_business(ctx, &business_name, &owner)?;
            ctx.put_raw(UNVERIFIED, &user.id.bytes(), &[])?;
            let v = Verification { user_id: user.id, expires_at: now_ms() + TTL_MS };
            ctx.put(VERIFICATIONS, &tokens::hash(&token), &v)?;
            let content = crate::mail::with_link(
                &format!("Hello {},", user.name),
                &format!("Confirm your email address to start using {} on wafunnel. The link works once, for 48 hours.", business.name),
                "Confirm my email",
                &format!("{base}/api/auth/verify-email?token={token}"),
                "If you did not sign up, ignore this email: the account stays locked.",
            );
            crate::mail::enqueue(ctx, smtp, None, &user.email, "Confirm your email for wafunnel", content)?;
            let note = Note::new(
                Action::SignedUp,
                Some(business.id),
                Who::user(&user),
                format!("{} signed up and created the business {}", user.email, business.name),
            )
            .target("user", user.id);
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"status": "verification_sent"})))
}

#[derive(Deserialize)]
struct VerifyQuery {
    token: Option<String>,
}

/// To the sign-in page with `query` telling it what happened.
pub(super) fn to_login(query: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", format!("/login?{query}")))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// Spends a verification token (hash `key`) and confirms its user's
/// address; None when the token is unknown, used or expired (an expired one
/// is deleted all the same).
fn redeem(ctx: &mut WriteCtx, key: &[u8; 32]) -> Result<Option<users::User>, StoreError> {
    let found: Option<Verification> = store::get(ctx, VERIFICATIONS, key)?;
    let Some(found) = found else {
        return Ok(None);
    };
    ctx.delete(VERIFICATIONS, key)?;
    if found.expires_at <= now_ms() {
        return Ok(None);
    }
    let user = users::get(ctx, found.user_id)?;
    if let Some(u) = &user {
        mark_verified(ctx, u.id)?;
    }
    Ok(user)
}

/// The emailed link: good once, for 48 hours; the browser lands on the
/// sign-in page either way, told what happened.
async fn verify_email(
    state: web::Data<AppState>,
    origin: Origin,
    q: web::Query<VerifyQuery>,
) -> ApiResult<HttpResponse> {
    let Some(token) = q.into_inner().token.filter(|t| !t.trim().is_empty()) else {
        return Ok(to_login("error=verification_invalid"));
    };
    let key = tokens::hash(token.trim());
    let verified = state
        .store
        .write(move |ctx| {
            let Some(user) = redeem(ctx, &key)? else {
                return Ok(false);
            };
            let note = Note::new(
                Action::EmailVerified,
                None,
                Who::user(&user),
                format!("{} confirmed their email address", user.email),
            )
            .target("user", user.id);
            audit::record_for_account(ctx, &origin, user.id, &note)?;
            Ok(true)
        })
        .await?;
    Ok(to_login(if verified {
        "verified=1"
    } else {
        "error=verification_invalid"
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_confirms_once_and_never_after_it_expired() {
        let (_dir, store) = crate::store::temp();
        let outcome = store
            .write_blocking(|ctx| {
                let owner = service::NewMember {
                    email: "ana@x.test".into(),
                    name: "Ana".into(),
                    password_hash: None,
                    role: Role::Owner,
                    team_id: None,
                    permissions: vec![],
                };
                let (_, user, _) = service::create_business(ctx, "X", &owner)?;
                ctx.put_raw(UNVERIFIED, &user.id.bytes(), &[])?;
                let (fresh, stale) = (tokens::hash("fresh"), tokens::hash("stale"));
                let at = |expires_at| Verification {
                    user_id: user.id,
                    expires_at,
                };
                ctx.put(VERIFICATIONS, &stale, &at(now_ms() - 1))?;
                ctx.put(VERIFICATIONS, &fresh, &at(now_ms() + TTL_MS))?;
                let expired = redeem(ctx, &stale)?.is_some();
                let still_unverified = is_unverified(ctx, user.id)?;
                let stale_kept = ctx.get_raw(VERIFICATIONS, &stale)?.is_some();
                let first = redeem(ctx, &fresh)?.map(|u| u.id);
                let second = redeem(ctx, &fresh)?.is_some();
                let verified = !is_unverified(ctx, user.id)?;
                Ok((
                    expired,
                    still_unverified,
                    stale_kept,
                    first == Some(user.id),
                    second,
                    verified,
                ))
            })
            .expect("write");
        assert_eq!(outcome, (false, true, false, true, false, true));
    }
}
