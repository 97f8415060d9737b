//! Who is calling: extractors that authenticate the request (session cookie or
//! bearer token) and hand handlers a typed actor. A handler that takes
//! `MemberActor` only runs for a member of a business, with their `Scope`.
use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::Method, web, FromRequest, HttpMessage, HttpRequest};

use super::{
    session::{self, Session, SESSION_COOKIE},
    tokens::{self, ApiToken},
    users::{self, AccountType, User},
};
use crate::{
    audit::Who,
    error::{ApiError, ApiResult, Code},
    http::AppState,
    store::{ids::SessionId, ReadTxn},
    tenancy::{
        repo,
        support::{self, Viewing, Visit},
        Business, Member, Scope,
    },
    time::now_ms,
};

#[derive(Debug, Clone)]
pub enum Via {
    Session(Session),
    Token(ApiToken),
}

/// Any authenticated user; `member` is None for a platform admin outside a business.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub via: Via,
    pub membership: Option<(Business, Member)>,
    /// A platform admin's session visiting a business under the owner's
    /// grant: `membership` is then that business, read-only.
    pub support: Option<Visit>,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.user.account_type == AccountType::Admin
    }
}

/// A member of a business acting within it.
#[derive(Debug, Clone)]
pub struct MemberActor {
    pub user: User,
    pub via: Via,
    pub business: Business,
    pub member: Member,
    pub scope: Scope,
    /// Some: a support visit, read-only (writes never get this far).
    pub support: Option<Visit>,
}

/// The token of an `Authorization: Bearer …` header: the one credential a
/// request is then judged by (the session cookie is not looked at).
pub(crate) fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn state(req: &HttpRequest) -> ApiResult<&web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

pub fn authenticate(req: &HttpRequest) -> ApiResult<Actor> {
    identify(req).and_then(|a| support_gate(req, a))
}

fn identify(req: &HttpRequest) -> ApiResult<Actor> {
    let state = state(req)?;
    let read = state.store.read()?;
    let actor = if let Some(token) = bearer(req) {
        if token.starts_with(tokens::PREFIX) {
            by_api_token(state, &read, token)
        } else {
            by_session_jwt(state, &read, token)
        }
    } else {
        match req.cookie(SESSION_COOKIE) {
            Some(c) => by_session_jwt(state, &read, c.value()),
            None => Err(ApiError::unauthenticated()),
        }
    }?;
    // Signing out of a suspended business is still allowed.
    if req.match_info().as_str() != LOGOUT_PATH {
        ensure_not_suspended(&actor)?;
    }
    Ok(actor)
}

/// Authenticates a token passed outside the headers (the WebSocket's `?token=`).
pub fn authenticate_token(req: &HttpRequest, token: &str) -> ApiResult<Actor> {
    let state = state(req)?;
    let read = state.store.read()?;
    let actor = if token.starts_with(tokens::PREFIX) {
        by_api_token(state, &read, token)
    } else {
        by_session_jwt(state, &read, token).and_then(|a| support_gate(req, a))
    }?;
    ensure_not_suspended(&actor)?;
    Ok(actor)
}

const LOGOUT_PATH: &str = "/api/auth/logout";

/// The one place a suspension stops a business's sessions and API tokens:
/// every extractor goes through here. Platform admins are never blocked.
fn ensure_not_suspended(actor: &Actor) -> ApiResult<()> {
    match &actor.membership {
        Some((b, _)) if b.suspended && !actor.is_admin() => Err(suspended()),
        _ => Ok(()),
    }
}

pub fn suspended() -> ApiError {
    ApiError::new(
        crate::error::Code::BusinessSuspended,
        "This business is suspended; contact the platform administrator",
    )
}

/// What a visiting admin may do besides reading: leave.
const SUPPORT_EXITS: &[(Method, &str)] = &[
    (Method::POST, "/api/auth/logout"),
    (Method::DELETE, "/api/admin/support-session"),
];

/// Reads that act or carry data away rather than look: the OAuth round trip
/// connects pages, exports download the business's data.
const SUPPORT_REFUSED_READS: &[&str] = &["/api/exports/", "/api/facebook/oauth/"];

/// The one place support access is made read-only: every request of a
/// visiting session that is not a read is refused here, before any handler,
/// whatever extractor it takes. Reads are marked to be audited.
fn support_gate(req: &HttpRequest, actor: Actor) -> ApiResult<Actor> {
    let Some(visit) = &actor.support else {
        return Ok(actor);
    };
    // As the router reads it: a percent-encoded letter is the same route.
    let (method, path) = (req.method(), req.match_info().as_str());
    if SUPPORT_EXITS.iter().any(|(m, p)| m == method && *p == path) {
        return Ok(actor);
    }
    let read = matches!(*method, Method::GET | Method::HEAD)
        && !SUPPORT_REFUSED_READS.iter().any(|p| path.starts_with(p))
        && !path.ends_with("/export");
    if !read {
        return Err(ApiError::new(
            Code::SupportReadOnly,
            "Support access is read-only; leave the support session to make changes",
        ));
    }
    req.extensions_mut().insert(Viewing {
        admin: Who::user(&actor.user),
        business_id: visit.business_id,
    });
    Ok(actor)
}

fn by_api_token(state: &AppState, read: &ReadTxn, secret: &str) -> ApiResult<Actor> {
    let token = tokens::by_secret(read, secret)?.ok_or_else(invalid)?;
    let now = now_ms();
    if token
        .last_used_at
        .is_none_or(|t| now - t > tokens::LAST_USED_GRANULARITY_MS)
    {
        let store = state.store.clone();
        let id = token.id;
        // Bookkeeping only: the request does not wait for it.
        actix_web::rt::spawn(async move {
            let _ = store
                .write(move |ctx| tokens::touch(ctx, id, now).map_err(ApiError::from))
                .await;
        });
    }
    let user = users::get(read, token.user_id)?.ok_or_else(invalid)?;
    let member = repo::membership(read, user.id, token.business_id)?.ok_or_else(invalid)?;
    let business = repo::business(read, token.business_id)?.ok_or_else(invalid)?;
    Ok(Actor {
        user,
        via: Via::Token(token),
        membership: Some((business, member)),
        support: None,
    })
}

fn by_session_jwt(state: &AppState, read: &ReadTxn, jwt: &str) -> ApiResult<Actor> {
    let claims = state.keys.verify(jwt).ok_or_else(invalid)?;
    let sid: SessionId = claims.sid.parse().map_err(|_| invalid())?;
    let session = session::get(read, sid)?
        .filter(|s| s.expires_at > now_ms() && s.user_id.to_string() == claims.sub)
        .ok_or_else(invalid)?;
    let user = users::get(read, session.user_id)?
        .filter(|u| u.token_version == claims.tv)
        .ok_or_else(invalid)?;
    let now = now_ms();
    if now - session.last_seen_at > session::LAST_SEEN_GRANULARITY_MS {
        let (store, id) = (state.store.clone(), session.id);
        // Bookkeeping only: the request does not wait for it.
        actix_web::rt::spawn(async move {
            let _ = store
                .write(move |ctx| session::touch(ctx, id, now).map_err(ApiError::from))
                .await;
        });
    }
    if let Some((business, member, visit)) = support::visit(read, &user, &session)? {
        return Ok(Actor {
            user,
            via: Via::Session(session),
            membership: Some((business, member)),
            support: Some(visit),
        });
    }
    let membership = match session.business_id {
        Some(b) => {
            // A removed member's session ends with the membership.
            let member = repo::membership(read, user.id, b)?.ok_or_else(invalid)?;
            let business = repo::business(read, b)?.ok_or_else(invalid)?;
            Some((business, member))
        }
        None => None,
    };
    Ok(Actor {
        user,
        via: Via::Session(session),
        membership,
        support: None,
    })
}

fn invalid() -> ApiError {
    ApiError::new(
        crate::error::Code::Unauthenticated,
        "Your session has ended; sign in again",
    )
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

impl MemberActor {
    pub fn from_actor(req: &HttpRequest, actor: Actor) -> ApiResult<MemberActor> {
        let (business, member) = actor
            .membership
            .ok_or_else(|| ApiError::forbidden("This account is not a member of a business"))?;
        let scope = repo::scope_for(&state(req)?.store.read()?, &member)?;
        Ok(MemberActor {
            user: actor.user,
            via: actor.via,
            business,
            member,
            scope,
            support: actor.support,
        })
    }
}

impl FromRequest for MemberActor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|a| MemberActor::from_actor(req, a)))
    }
}

/// A platform administrator (account type `admin`); everyone else gets 403
/// (anonymous 401).
#[derive(Debug, Clone)]
pub struct AdminActor(pub Actor);

impl FromRequest for AdminActor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|a| {
            if a.is_admin() {
                Ok(AdminActor(a))
            } else {
                Err(ApiError::forbidden("Platform administrators only"))
            }
        }))
    }
}

/// An owner of the business they act in; other members get 403 (anonymous
/// 401). Owner-only reads (the audit log) take this in their signature.
#[derive(Debug, Clone)]
pub struct OwnerActor(pub MemberActor);

impl FromRequest for OwnerActor {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            authenticate(req)
                .and_then(|a| MemberActor::from_actor(req, a))
                .and_then(|m| {
                    if m.scope.is_owner() {
                        Ok(OwnerActor(m))
                    } else {
                        Err(ApiError::forbidden("Business owners only"))
                    }
                }),
        )
    }
}
