//! Google sign-in: OpenID Connect's authorization code flow with PKCE (S256),
//! `state` and `nonce`. `start` keeps the state, nonce, verifier and where to
//! land in a signed HttpOnly cookie good for ten minutes; `callback` checks the
//! state against it, spends the state (so neither it nor its nonce works
//! twice), exchanges the code and verifies the ID token against the
//! provider's keys. Only an existing account with that verified email signs
//! in (linked to the Google account on first use, found by it afterwards):
//! Google sign-in never creates an account. Off unless `google.client_id`
//! and `google.client_secret` are set.
mod links;
mod provider;

use actix_web::{
    cookie::{time::Duration as CookieDuration, Cookie, SameSite},
    web, HttpRequest, HttpResponse,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

pub use links::{sub_of as linked_sub, TABLES};
pub use provider::Provider;

use super::{
    routes::sign_in,
    session::random_token,
    users::{self, User},
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    error::{ApiError, ApiResult, Code},
    http::{client_ip, AppState, Routes},
    store::ids::UserId,
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/auth/providers", providers)
        .get("/api/auth/google/start", start)
        .get("/api/auth/google/callback", callback);
}

const COOKIE: &str = "wf_oidc";
const COOKIE_PATH: &str = "/api/auth/google";
const AUDIENCE: &str = "google_signin";
const TTL_SECS: i64 = 600;

pub fn enabled(state: &AppState) -> bool {
    let g = &state.config.google;
    !g.client_id.is_empty() && !g.client_secret.is_empty()
}

async fn providers(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "google": enabled(&state),
        "signup": super::signup::is_open(&state),
    }))
}

fn not_configured() -> ApiError {
    ApiError::new(
        Code::NotConfigured,
        "Google sign-in is not configured: set google.client_id and google.client_secret",
    )
}

/// What `start` hands the browser to bring back, signed with the server key.
#[derive(Serialize, Deserialize)]
struct Pending {
    aud: String,
    exp: i64,
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/api/auth/google/callback",
        state.config.server.public_url.trim_end_matches('/')
    )
}

/// Only a path on this site: `/x`, never `//host` or `/\host`, which
/// browsers read as another origin.
fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control())
                && n.len() <= 1024 =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn cookie(state: &AppState, value: String, max_age: i64) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(max_age))
        .finish()
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start(state: web::Data<AppState>, q: web::Query<StartQuery>) -> ApiResult<HttpResponse> {
    if !enabled(&state) {
        return Err(not_configured());
    }
    let google = &state.config.google;
    // The browser navigated here: it goes back to the sign-in page, not to JSON.
    let d = match state.google.discovery(google).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!("google sign-in: {e}");
            return Ok(to_login("google_failed"));
        }
    };
    let pending = Pending {
        aud: AUDIENCE.into(),
        exp: now_ms() / 1000 + TTL_SECS,
        state: random_token(32),
        nonce: random_token(32),
        verifier: random_token(32),
        next: local_next(q.next.as_deref()),
    };
    let mut url = reqwest::Url::parse(&d.authorization_endpoint).map_err(|e| {
        ApiError::new(
            Code::BadGateway,
            format!("the provider's authorization endpoint is not a URL: {e}"),
        )
    })?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &google.client_id)
        .append_pair("redirect_uri", &redirect_uri(&state))
        .append_pair("scope", "openid email profile")
        .append_pair("state", &pending.state)
        .append_pair("nonce", &pending.nonce)
        .append_pair("code_challenge", &pkce_challenge(&pending.verifier))
        .append_pair("code_challenge_method", "S256");
    let signed = state.keys.sign(&pending)?;
    Ok(HttpResponse::Found()
        .insert_header(("Location", url.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .cookie(cookie(&state, signed, TTL_SECS))
        .finish())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// A refused sign-in: the reason goes to the audit log and the server log,
/// the browser only learns the kind (`error` on the sign-in page).
struct Refusal {
    kind: &'static str,
    why: String,
    user: Option<User>,
}

fn refuse(kind: &'static str, why: impl Into<String>) -> Refusal {
    Refusal {
        kind,
        why: why.into(),
        user: None,
    }
}

async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<CallbackQuery>,
) -> ApiResult<HttpResponse> {
    if !enabled(&state) {
        return Err(not_configured());
    }
    let ip = client_ip(&req, &state.trusted_proxies);
    let outcome = match state.limiter.ip_locked(ip) {
        Some(_) => Err(refuse(
            "google_failed",
            "too many failed sign-ins from this address",
        )),
        None => authenticate(&req, &state, q.into_inner()).await,
    };
    let clear = cookie(&state, String::new(), 0);
    match outcome {
        Ok((user, next)) => match sign_in(&req, &state, &user, None, Some("Google")).await {
            Ok(res) => Ok(res(HttpResponse::Found())
                .insert_header(("Location", next))
                .insert_header(("Cache-Control", "no-store"))
                .cookie(clear)
                .finish()),
            Err(e) => {
                let kind = if e.code == Code::EmailUnverified {
                    "email_unverified"
                } else {
                    "google_failed"
                };
                let refusal = Refusal {
                    kind,
                    why: e.message.clone(),
                    user: Some(user),
                };
                failed(&req, &state, refusal, clear).await
            }
        },
        Err(refusal) => {
            state.limiter.ip_failed(ip);
            failed(&req, &state, refusal, clear).await
        }
    }
}

/// Everything up to knowing which user this is, and where they were going.
async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    q: CallbackQuery,
) -> Result<(User, String), Refusal> {
    let pending: Pending = req
        .cookie(COOKIE)
        .and_then(|c| state.keys.open(c.value(), AUDIENCE))
        .ok_or_else(|| refuse("google_failed", "no or expired sign-in cookie"))?;
    let given = q.state.unwrap_or_default();
    let same: bool =
        subtle::ConstantTimeEq::ct_eq(given.as_bytes(), pending.state.as_bytes()).into();
    if !same {
        return Err(refuse("google_failed", "state does not match"));
    }
    let hash: [u8; 32] = Sha256::digest(pending.state.as_bytes()).into();
    let expires_at = pending.exp * 1000;
    let fresh = state
        .store
        .write(move |ctx| links::spend(ctx, &hash, expires_at).map_err(ApiError::from))
        .await
        .map_err(|e| refuse("google_failed", e.message))?;
    if !fresh {
        return Err(refuse("google_failed", "state replayed"));
    }
    if let Some(e) = q.error {
        return Err(refuse("google_failed", format!("the provider said: {e}")));
    }
    let code = q
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| refuse("google_failed", "no authorization code"))?;
    let google = &state.config.google;
    let provider_failed = |e: provider::OidcError| refuse("google_failed", e.to_string());
    let id_token = state
        .google
        .exchange(google, &code, &pending.verifier, &redirect_uri(state))
        .await
        .map_err(provider_failed)?;
    let id = state
        .google
        .verify(google, &id_token, &pending.nonce)
        .await
        .map_err(provider_failed)?;
    if !id.email_verified {
        // Google's check, not ours: no link of ours would help.
        return Err(refuse(
            "google_email_unverified",
            format!("Google has not verified {}", id.email),
        ));
    }
    let user = account_for(state, Origin::of(req, &state.trusted_proxies), &id).await?;
    Ok((user, pending.next))
}

/// The Google account's user: by its link, else by the verified email
/// (linking it now). Never a new account.
async fn account_for(
    state: &AppState,
    origin: Origin,
    id: &provider::Identity,
) -> Result<User, Refusal> {
    let store_failed = |e: ApiError| refuse("google_failed", e.message);
    let read = state.store.read().map_err(|e| store_failed(e.into()))?;
    let linked: Option<UserId> =
        links::user_of(&read, &id.sub).map_err(|e| store_failed(e.into()))?;
    if let Some(user) = linked.and_then(|u| users::get(&read, u).ok().flatten()) {
        return Ok(user);
    }
    let user = users::by_email(&read, &id.email)
        .map_err(|e| store_failed(e.into()))?
        .ok_or_else(|| refuse("no_account", format!("no account for {}", id.email)))?;
    // An account that has not confirmed its address is not linked: whoever
    // signed it up may not be the owner of the Google account.
    if super::signup::is_unverified(&read, user.id).map_err(|e| store_failed(e.into()))? {
        return Err(Refusal {
            user: Some(user),
            ..refuse(
                "email_unverified",
                "the account has not confirmed its email",
            )
        });
    }
    if let Some(other) = links::sub_of(&read, user.id).map_err(|e| store_failed(e.into()))? {
        // The address now belongs to another Google account than the one
        // linked (a recycled address): that one does not inherit the user.
        if other != id.sub {
            return Err(Refusal {
                user: Some(user),
                ..refuse(
                    "google_failed",
                    "the account is linked to another Google account",
                )
            });
        }
    }
    drop(read);
    let (uid, sub) = (user.id, id.sub.clone());
    let note = Note::new(
        Action::GoogleLinked,
        None,
        Who::user(&user),
        format!("{} linked their Google account", user.email),
    )
    .target("user", user.id);
    state
        .store
        .write(move |ctx| {
            links::link(ctx, uid, &sub)?;
            Ok(audit::record_for_account(ctx, &origin, uid, &note)?)
        })
        .await
        .map_err(store_failed)?;
    Ok(user)
}

async fn failed(
    req: &HttpRequest,
    state: &AppState,
    refusal: Refusal,
    clear: Cookie<'static>,
) -> ApiResult<HttpResponse> {
    tracing::info!("google sign-in refused: {}", refusal.why);
    let summary = format!("Failed Google sign-in: {}", refusal.why);
    let base = Note::new(Action::LoginFailed, None, Who::Anonymous, summary);
    let notes = match &refusal.user {
        Some(u) => audit::businesses_of(&state.store.read()?, u.id)?
            .into_iter()
            .map(|b| base.clone().target("user", u.id).in_business(b))
            .collect(),
        None => vec![base],
    };
    audit::record_alone(&state.store, Origin::of(req, &state.trusted_proxies), notes).await?;
    let mut res = to_login(refusal.kind);
    res.add_cookie(&clear)
        .map_err(|e| ApiError::internal(format!("cookie: {e}")))?;
    Ok(res)
}

fn to_login(error: &str) -> HttpResponse {
    super::signup::to_login(&format!("error={error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_local_path_or_home() {
        assert_eq!(local_next(Some("/inbox?x=1")), "/inbox?x=1");
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_next(None), "/");
    }

    #[test]
    fn pkce_challenge_is_rfc7636s_example() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
