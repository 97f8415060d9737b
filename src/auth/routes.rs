//! Setup, login, logout, me, password change and API tokens.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    actor::{Actor, Via},
    password, session, tokens,
    users::{self, valid_email, AccountType, User},
};
use crate::{
    audit::{self, Action, Note, Origin, Who},
    error::{ApiError, ApiResult, Code, Validator},
    http::{client_ip, AppState, Routes},
    store::ids::{BusinessId, TokenId},
    tenancy::{repo, service, Business, Member, Permission, Role},
    time::{now_ms, serde_ms},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/setup", setup_status)
        .post("/api/setup", setup)
        .answers(&[201])
        .post("/api/auth/login", login)
        .post("/api/auth/logout", logout)
        .answers(&[204])
        .get("/api/auth/me", me)
        .post("/api/auth/password", change_password)
        .answers(&[204])
        .get("/api/tokens", list_tokens)
        .post("/api/tokens", create_token)
        .answers(&[201])
        .delete("/api/tokens/{id}", revoke_token)
        .answers(&[204]);
}

#[derive(Serialize)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub account_type: AccountType,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            account_type: u.account_type,
        }
    }
}

async fn setup_status(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let needed = !users::any_exists(&state.store.read()?)?;
    Ok(HttpResponse::Ok().json(json!({ "setup_required": needed })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupBody {
    business_name: String,
    name: String,
    email: String,
    password: String,
}

pub(crate) fn validate_person(v: &mut Validator, name: &str, email: &str, password: Option<&str>) {
    if let Some(why) = users::name_problem(name) {
        v.check(false, "name", why);
    }
    v.check(valid_email(email), "email", "is not a valid email address");
    if let Some(pw) = password {
        if let Err(why) = password::check_len(pw) {
            v.check(false, "password", why);
        }
    }
}

/// The fields of a new business and its owner (setup, sign-up).
pub(crate) fn validate_new_business(
    business_name: &str,
    name: &str,
    email: &str,
    password: &str,
) -> ApiResult<()> {
    let mut v = Validator::default();
    v.check(
        !business_name.trim().is_empty(),
        "business_name",
        "is required",
    )
    .check(
        business_name.chars().count() <= 120,
        "business_name",
        "must be at most 120 characters",
    );
    validate_person(&mut v, name, email, Some(password));
    v.finish()
}

/// First-run setup: only while the store has no user at all.
async fn setup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SetupBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    validate_new_business(&body.business_name, &body.name, &body.email, &body.password)?;
    if users::any_exists(&state.store.read()?)? {
        return Err(already_setup());
    }
    let hash = password::hash_async(body.password.clone()).await?;
    let owner = service::NewMember {
        email: body.email.clone(),
        name: body.name.clone(),
        password_hash: Some(hash),
        role: Role::Owner,
        team_id: None,
        permissions: vec![],
    };
    let business_name = body.business_name.clone();
    let (business, user, _) = state
        .store
        .write(move |ctx| {
            // Checked again inside the write: two racing setups cannot both win.
            if users::any_exists(ctx)? {
                return Err(already_setup());
            }
            service::create_business(ctx, &business_name, &owner)
        })
        .await?;
    let res = start_session(&req, &state, &user, Some(business.id), None).await?;
    Ok(res(HttpResponse::Created()).json(json!({
        "user": UserView::from(&user),
        "business": {"id": business.id, "name": business.name},
    })))
}

fn already_setup() -> ApiError {
    ApiError::new(
        Code::AlreadySetup,
        "This server is already set up; sign in instead",
    )
}

pub(crate) type Respond =
    Box<dyn FnOnce(actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder>;

/// Stores a new session (and `audit`, in the same transaction) and returns a
/// builder step that sets its cookies.
pub(crate) async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    user: &User,
    business: Option<BusinessId>,
    audit: Option<Note>,
) -> ApiResult<Respond> {
    if let Some(b) = business {
        let suspended = repo::business(&state.store.read()?, b)?.is_some_and(|b| b.suspended);
        if suspended && user.account_type != AccountType::Admin {
            return Err(super::actor::suspended());
        }
    }
    let ttl = state.config.auth.session_ttl_hours;
    let origin = Origin::of(req, &state.trusted_proxies);
    let s = session::new_session(user.id, business, ttl, &origin.ip, &origin.user_agent);
    let jwt = state.keys.issue(user, &s)?;
    state
        .store
        .write(move |ctx| {
            session::create(ctx, &s)?;
            if let Some(note) = &audit {
                audit::record(ctx, &origin, &note.clone().target("session", s.id))?;
            }
            Ok(())
        })
        .await?;
    let secure = state.config.secure_cookies();
    Ok(Box::new(move |mut b| {
        for c in session::cookies(jwt, ttl, secure) {
            b.cookie(c);
        }
        b
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
    business_id: Option<BusinessId>,
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let ip = client_ip(&req, &state.trusted_proxies);
    let account = users::normalize_email(&body.email);
    if let Some(wait) = state.limiter.check(ip, &account) {
        return Err(ApiError::rate_limited(wait));
    }
    let user = users::by_email(&state.store.read()?, &account)?;
    let ok = password::verify_async(
        body.password.clone(),
        user.as_ref().and_then(|u| u.password_hash.clone()),
    )
    .await?;
    let user = match (ok, user) {
        (true, Some(u)) => u,
        (_, user) => {
            state.limiter.failed(ip, &account);
            login_failed(&req, &state, &account, user.as_ref()).await?;
            return Err(ApiError::new(
                Code::InvalidCredentials,
                "Wrong email or password",
            ));
        }
    };
    state.limiter.succeeded(&account);
    let res = sign_in(&req, &state, &user, body.business_id, None).await?;
    Ok(res(HttpResponse::Ok()).json(json!({ "user": UserView::from(&user) })))
}

/// The part of every sign-in after the credentials proved who this is
/// (password, Google): the account must be verified and in a business (or
/// an admin); the session starts with `login_succeeded` audited. `via` names
/// a method other than the password in the audit summary.
pub(crate) async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    user: &User,
    wanted: Option<BusinessId>,
    via: Option<&str>,
) -> ApiResult<Respond> {
    let read = state.store.read()?;
    if super::signup::is_unverified(&read, user.id)? {
        return Err(ApiError::new(
            Code::EmailUnverified,
            "Confirm your email address first: open the link we mailed you",
        ));
    }
    let memberships = repo::memberships(&read, user.id)?;
    drop(read);
    let business = match wanted {
        Some(b) => Some(
            memberships
                .iter()
                .find(|m| m.business_id == b)
                .map(|m| m.business_id)
                .ok_or_else(|| ApiError::not_found("business"))?,
        ),
        // Without a choice, a business that is not suspended comes first.
        None => {
            let read = state.store.read()?;
            let mut active = None;
            for m in &memberships {
                if repo::business(&read, m.business_id)?.is_some_and(|b| !b.suspended) {
                    active = Some(m.business_id);
                    break;
                }
            }
            active.or_else(|| memberships.first().map(|m| m.business_id))
        }
    };
    if business.is_none() && user.account_type != AccountType::Admin {
        return Err(ApiError::forbidden(
            "This account is not a member of any business",
        ));
    }
    let how = via.map(|v| format!(" with {v}")).unwrap_or_default();
    let note = Note::new(
        Action::LoginSucceeded,
        business,
        Who::user(user),
        format!("{} signed in{how}", user.email),
    );
    start_session(req, state, user, business, Some(note)).await
}

/// A wrong password is told to each business of the account it was tried
/// on; a try on no account to the platform. Attempts refused by the rate
/// limit are not recorded: the limit is what keeps this write bounded.
async fn login_failed(
    req: &HttpRequest,
    state: &AppState,
    account: &str,
    user: Option<&User>,
) -> ApiResult<()> {
    let tried = if users::valid_email(account) {
        account
    } else {
        "a malformed address"
    };
    let summary = format!("Failed sign-in as {tried}");
    let notes = match user {
        Some(u) => {
            let base =
                Note::new(Action::LoginFailed, None, Who::Anonymous, summary).target("user", u.id);
            audit::businesses_of(&state.store.read()?, u.id)?
                .into_iter()
                .map(|b| base.in_business(b))
                .collect()
        }
        None => vec![Note::new(
            Action::LoginFailed,
            None,
            Who::Anonymous,
            summary,
        )],
    };
    let origin = Origin::of(req, &state.trusted_proxies);
    audit::record_alone(&state.store, origin, notes).await
}

async fn logout(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    if let Via::Session(s) = actor.via {
        state
            .store
            .write(move |ctx| session::delete(ctx, &s).map_err(ApiError::from))
            .await?;
    }
    let mut res = HttpResponse::NoContent();
    for c in session::clear_cookies(state.config.secure_cookies()) {
        res.cookie(c);
    }
    Ok(res.finish())
}

#[derive(Serialize)]
struct MemberSummary {
    id: String,
    role: Role,
    team_id: Option<String>,
    permissions: Vec<Permission>,
    available: bool,
}

fn summary(m: &Member) -> MemberSummary {
    MemberSummary {
        id: m.id.to_string(),
        role: m.role,
        team_id: m.team_id.map(|t| t.to_string()),
        permissions: m.permissions.clone(),
        available: m.available,
    }
}

async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let mut memberships = Vec::new();
    for m in repo::memberships(&read, actor.user.id)? {
        if let Some(b) = repo::business(&read, m.business_id)? {
            memberships.push(json!({"business_id": b.id, "business_name": b.name, "role": m.role}));
        }
    }
    let (business, member): (Option<&Business>, Option<&Member>) = match &actor.membership {
        Some((b, m)) => (Some(b), Some(m)),
        None => (None, None),
    };
    Ok(HttpResponse::Ok().json(json!({
        "user": UserView::from(&actor.user),
        "business": business.map(|b| json!({"id": b.id, "name": b.name})),
        "member": member.map(summary),
        "permissions": member.map(Member::effective_permissions).unwrap_or_default(),
        "memberships": memberships,
        // Set while a platform admin visits a business read-only.
        "support": actor.support.as_ref().map(|v| v.json()),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// Changes the password, ends every other session and keeps this one signed in.
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<PasswordBody>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if let Err(why) = password::check_len(&body.new_password) {
        return Err(ApiError::field("new_password", why));
    }
    let ok = super::ratelimit::verify_password(
        &req,
        &state,
        &actor.user.email,
        body.current_password,
        actor.user.password_hash.clone(),
    )
    .await?;
    if !ok {
        return Err(ApiError::new(
            Code::InvalidCredentials,
            "The current password is wrong",
        ));
    }
    let hash = password::hash_async(body.new_password).await?;
    let user_id = actor.user.id;
    let origin = Origin::of(&req, &state.trusted_proxies);
    let note = Note::new(
        Action::PasswordChanged,
        None,
        Who::user(&actor.user),
        format!(
            "{} changed their password; their other sessions ended",
            actor.user.email
        ),
    )
    .target("user", user_id);
    let user = state
        .store
        .write(move |ctx| {
            session::delete_all_for(ctx, user_id)?;
            audit::record_for_account(ctx, &origin, user_id, &note)?;
            users::set_password(ctx, user_id, &hash)
        })
        .await?;
    match actor.via {
        Via::Session(s) => {
            let res = start_session(&req, &state, &user, s.business_id, None).await?;
            Ok(res(HttpResponse::NoContent()).finish())
        }
        Via::Token(_) => Ok(HttpResponse::NoContent().finish()),
    }
}

#[derive(Serialize)]
struct TokenView {
    id: String,
    name: String,
    #[serde(with = "serde_ms")]
    created_at: i64,
    #[serde(with = "serde_ms::option")]
    last_used_at: Option<i64>,
}

fn member_of(actor: &Actor) -> ApiResult<(&Business, &Member)> {
    actor
        .membership
        .as_ref()
        .map(|(b, m)| (b, m))
        .ok_or_else(|| ApiError::forbidden("API tokens belong to a business membership"))
}

async fn list_tokens(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let (business, _) = member_of(&actor)?;
    let items: Vec<TokenView> = tokens::list_for(&state.store.read()?, actor.user.id, business.id)?
        .into_iter()
        .map(|t| TokenView {
            id: t.id.to_string(),
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    name: String,
}

async fn create_token(
    state: web::Data<AppState>,
    actor: Actor,
    origin: Origin,
    body: web::Json<TokenBody>,
) -> ApiResult<HttpResponse> {
    let (business, _) = member_of(&actor)?;
    let name = body.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field("name", "must be 1 to 100 characters"));
    }
    let secret = tokens::generate();
    let token = tokens::ApiToken {
        id: TokenId::new(),
        user_id: actor.user.id,
        business_id: business.id,
        name,
        hash: tokens::hash(&secret),
        created_at: now_ms(),
        last_used_at: None,
    };
    let stored = token.clone();
    let note = Note::new(
        Action::ApiTokenCreated,
        Some(business.id),
        Who::user(&actor.user),
        format!(
            "{} created the API token \"{}\"",
            actor.user.email, token.name
        ),
    )
    .target("api_token", token.id);
    state
        .store
        .write(move |ctx| {
            tokens::create(ctx, &stored)?;
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "id": token.id,
        "name": token.name,
        "token": secret,
        "created_at": crate::time::rfc3339(token.created_at),
    })))
}

async fn revoke_token(
    state: web::Data<AppState>,
    actor: Actor,
    origin: Origin,
    id: web::Path<TokenId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let user_id = actor.user.id;
    let who = Who::user(&actor.user);
    state
        .store
        .write(move |ctx| {
            // Someone else's token is as absent as a missing one.
            let token = tokens::get(ctx, id)?
                .filter(|t| t.user_id == user_id)
                .ok_or_else(|| ApiError::not_found("token"))?;
            tokens::delete(ctx, &token)?;
            let note = Note::new(
                Action::ApiTokenRevoked,
                Some(token.business_id),
                who.clone(),
                format!("Revoked the API token \"{}\"", token.name),
            )
            .target("api_token", token.id);
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
