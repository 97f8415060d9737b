//! Forgotten passwords: `POST /api/auth/forgot` answers the same whether or
//! not the address exists (and is limited per client IP), and mails a link
//! with a token kept only as its hash, good once for an hour. Resetting signs
//! the user out everywhere. Reset mail belongs to no business: no owner's
//! outbox ever shows someone else's link.
use actix_web::{web, HttpRequest, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{password, session, tokens, users};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    error::{ApiError, ApiResult, Code},
    http::{client_ip::client_ip, AppState, Routes},
    store::{self, codec, ids::UserId, Record, TableSpec, Tbl},
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResetToken {
    pub user_id: UserId,
    pub expires_at: i64,
}
impl Record for ResetToken {}

/// sha256(token) → ResetToken
const RESETS: Tbl = TableDefinition::new("password_resets");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: RESETS,
    verify: codec::verify::<ResetToken>,
}];

const TTL_MS: i64 = 3_600_000;

/// A new password (by link, by the old one, by an operator) voids every
/// other link the user was sent: an old mail must not reset it again.
/// Expired links of anyone go in the same pass; the table holds only the
/// last hour's requests, so the scan is short.
pub fn forget_all_for(
    ctx: &mut crate::store::WriteCtx,
    user: UserId,
) -> Result<(), crate::store::StoreError> {
    let now = now_ms();
    let stale: Vec<Vec<u8>> = store::scan::<ResetToken, _>(ctx, RESETS, &[], None, usize::MAX)?
        .into_iter()
        .filter(|(_, t)| t.user_id == user || t.expires_at <= now)
        .map(|(k, _)| k)
        .collect();
    for k in stale {
        ctx.delete(RESETS, &k)?;
    }
    Ok(())
}

pub fn routes(r: &mut Routes) {
    r.post("/api/auth/forgot", forgot)
        .answers(&[202])
        .post("/api/auth/reset", reset);
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Forgot {
    email: String,
}

async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Forgot>,
) -> ApiResult<HttpResponse> {
    let ip = client_ip(&req, &state.trusted_proxies);
    if let Err(wait) = state.reset_limiter.hit(ip) {
        return Err(ApiError::rate_limited(wait));
    }
    let email = users::normalize_email(&body.email);
    let user = users::by_email(&state.store.read()?, &email)?;
    if let Some(user) = user {
        let token = session::random_token(32);
        let link = format!(
            "{}/reset/{token}",
            state.config.server.public_url.trim_end_matches('/')
        );
        let smtp = !state.config.smtp.url.is_empty();
        let name = user.name.clone();
        state
            .store
            .write(move |ctx| {
                ctx.put(RESETS, &tokens::hash(&token), &ResetToken { user_id: user.id, expires_at: now_ms() + TTL_MS })?;
                let content = crate::mail::with_link(
                    &format!("Hello {name},"),
                    "Someone asked to reset the password of your wafunnel account. The link works once, for one hour.",
                    "Choose a new password",
                    &link,
                    "If it was not you, ignore this email: your password stays as it is.",
                );
                crate::mail::enqueue(ctx, smtp, None, &user.email, "Reset your wafunnel password", content)?;
                Ok(())
            })
            .await?;
    } else {
        // The same work either way, durable commit included, so the answer's
        // timing says nothing about who has an account.
        let _ = session::random_token(32);
        state.store.write(|_| Ok(())).await?;
    }
    Ok(HttpResponse::Accepted()
        .json(json!({"status": "If the address has an account, a reset link is on its way."})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Reset {
    token: String,
    password: String,
}

async fn reset(
    state: web::Data<AppState>,
    origin: Origin,
    body: web::Json<Reset>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if let Err(why) = password::check_len(&body.password) {
        return Err(ApiError::field("password", why));
    }
    let key = tokens::hash(body.token.trim());
    let invalid = || {
        ApiError::new(
            Code::BadRequest,
            "This reset link is invalid, used or expired; ask for a new one",
        )
    };
    let found: Option<ResetToken> = store::get(&state.store.read()?, RESETS, &key)?;
    let found = found
        .filter(|t| t.expires_at > now_ms())
        .ok_or_else(invalid)?;
    let hash = password::hash_async(body.password).await?;
    state
        .store
        .write(move |ctx| {
            // Single use: the token goes in the same write that changes the password.
            if !ctx.delete(RESETS, &key)? {
                return Err(invalid());
            }
            session::delete_all_for(ctx, found.user_id)?;
            // The link reached the mailbox: that proves the address as well.
            super::signup::mark_verified(ctx, found.user_id)?;
            let user = users::set_password(ctx, found.user_id, &hash)?;
            let note = Note::new(
                Action::PasswordReset,
                None,
                Who::user(&user),
                format!(
                    "{} reset their password by email link; every session ended",
                    user.email
                ),
            )
            .target("user", user.id);
            audit::record_for_account(ctx, &origin, user.id, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "Your password was changed; sign in with it."})))
}
