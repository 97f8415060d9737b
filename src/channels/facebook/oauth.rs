//! Connecting pages with Facebook Login: `start` sends the browser to Meta's
//! dialog with a signed `state` bound to the business and the member;
//! `callback` checks it, exchanges the code for a long-lived user token,
//! lists the user's pages, subscribes each to `leadgen`, reads its forms and
//! stores it. The browser lands back on the Channels page with the outcome.
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{
    by_page_id,
    graph::FbGraph,
    login::{self, FbLogin},
    vault, FbPage, PageToken,
};
use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::ids::{BusinessId, MemberId, RecordId, UserId},
    tenancy::Permission,
    time::now_ms,
};

pub fn routes(r: &mut Routes) {
    r.get("/api/facebook/oauth/start", start)
        .get("/api/facebook/oauth/callback", callback);
}

const AUDIENCE: &str = "facebook_oauth";
/// How long the dialog may take.
const STATE_TTL_SECS: i64 = 15 * 60;
const SCOPES: &str =
    "pages_show_list,pages_manage_metadata,pages_read_engagement,leads_retrieval,business_management";

#[derive(Serialize, Deserialize)]
struct State {
    aud: String,
    exp: i64,
    b: BusinessId,
    m: MemberId,
    nonce: String,
}

fn redirect_uri(state: &AppState) -> String {
    format!(
        "{}/api/facebook/oauth/callback",
        state.config.server.public_url.trim_end_matches('/')
    )
}

fn may_connect(state: &AppState, actor: &MemberActor) -> ApiResult<()> {
    if !actor.scope.has(Permission::ManageChannels) {
        return Err(ApiError::forbidden(
            "Connecting pages needs the manage_channels permission",
        ));
    }
    if state.config.meta.app_id.is_empty() || state.config.meta.app_secret.is_empty() {
        return Err(ApiError::new(
            Code::NotConfigured,
            "Facebook is not configured: set meta.app_id and meta.app_secret",
        ));
    }
    Ok(())
}

async fn start(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    may_connect(&state, &actor)?;
    let claims = State {
        aud: AUDIENCE.into(),
        exp: now_ms() / 1000 + STATE_TTL_SECS,
        b: actor.business.id,
        m: actor.scope.member_id,
        nonce: crate::auth::session::random_token(16),
    };
    let signed = state.keys.sign(&claims)?;
    let meta = &state.config.meta;
    let mut url = reqwest::Url::parse(&format!(
        "{}/{}/dialog/oauth",
        meta.dialog_url.trim_end_matches('/'),
        meta.graph_version
    ))
    .map_err(|e| ApiError::internal(format!("meta.dialog_url: {e}")))?;
    url.query_pairs_mut()
        .append_pair("client_id", &meta.app_id)
        .append_pair("redirect_uri", &redirect_uri(&state))
        .append_pair("state", &signed)
        .append_pair("response_type", "code")
        .append_pair("scope", SCOPES);
    Ok(HttpResponse::Found()
        .insert_header(("Location", url.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Back to the Channels page with what happened.
fn back(state: &AppState, outcome: &str, message: &str) -> HttpResponse {
    let base = state.config.server.public_url.trim_end_matches('/');
    let location = match reqwest::Url::parse(&format!("{base}/channels")) {
        Ok(mut url) => {
            url.query_pairs_mut()
                .append_pair("facebook", outcome)
                .append_pair("message", message);
            url.to_string()
        }
        Err(_) => format!("/channels?facebook={outcome}"),
    };
    HttpResponse::Found()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// A browser Facebook sends back after the person's session ended (it
/// expired meanwhile, or the dialog finished in another browser) is sent to
/// sign in and then to Channels to connect again, not shown a JSON error.
/// Other clients get the API's 401.
fn sign_in_first(req: &HttpRequest, why: ApiError) -> ApiResult<HttpResponse> {
    let browser = req
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if why.code != Code::Unauthenticated || !browser {
        return Err(why);
    }
    Ok(HttpResponse::Found()
        .insert_header((
            "Location",
            "/login?next=%2Fchannels&error=facebook_signed_out",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .finish())
}

async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Result<MemberActor, ApiError>,
    q: web::Query<Callback>,
) -> ApiResult<HttpResponse> {
    let actor = match actor {
        Ok(actor) => actor,
        Err(why) => return sign_in_first(&req, why),
    };
    may_connect(&state, &actor)?;
    let q = q.into_inner();
    let claims: Option<State> = q
        .state
        .as_deref()
        .and_then(|s| state.keys.open(s, AUDIENCE));
    let Some(claims) = claims.filter(|c| c.b == actor.business.id && c.m == actor.scope.member_id)
    else {
        return Err(ApiError::new(
            Code::Forbidden,
            "This sign-in link is not yours or has expired; start again from the Channels page",
        ));
    };
    let _ = claims.nonce;
    if let Some(e) = q.error {
        let why = q.error_description.unwrap_or(e);
        return Ok(back(&state, "error", &format!("Facebook said: {why}")));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return Ok(back(&state, "error", "Facebook sent no authorization code"));
    };
    let graph = FbGraph::new(&state.config.meta);
    let connected = connect(&state, &graph, actor.business.id, actor.user.id, &code).await;
    // Revived lead fetches are due now.
    state.jobs_wake.notify_one();
    Ok(match connected {
        Ok(done) => {
            let mut said = vec![format!("{} page(s) connected", done.pages)];
            if !done.held_elsewhere.is_empty() {
                said.push(format!(
                    "{} belong to another business",
                    done.held_elsewhere.join(", ")
                ));
            }
            if !done.refused.is_empty() {
                said.push(format!(
                    "Facebook would not send the leads of {}",
                    done.refused.join("; ")
                ));
            }
            // A page left out is worth the person's attention, not a green tick.
            let outcome = if done.refused.is_empty() {
                "connected"
            } else {
                "partial"
            };
            back(&state, outcome, &said.join("; "))
        }
        Err(e) => back(&state, "error", &e),
    })
}

struct Connected {
    pages: usize,
    /// Names of pages another business holds.
    held_elsewhere: Vec<String>,
    /// Pages Meta would not subscribe to leads, with its reason.
    refused: Vec<String>,
}

/// Code → long-lived token → pages → subscribe, forms, store.
async fn connect(
    state: &AppState,
    graph: &FbGraph,
    business: BusinessId,
    user: UserId,
    code: &str,
) -> Result<Connected, String> {
    let short = graph
        .exchange_code(code, &redirect_uri(state))
        .await
        .map_err(|e| format!("exchanging the code failed: {}", e.reason()))?;
    let (user_token, expires_in) = graph
        .long_lived(&short)
        .await
        .map_err(|e| format!("getting a long-lived token failed: {}", e.reason()))?;
    let profile = graph
        .me(&user_token)
        .await
        .map_err(|e| format!("reading who signed in failed: {}", e.reason()))?;
    let pages = graph
        .pages(&user_token)
        .await
        .map_err(|e| format!("listing your pages failed: {}", e.reason()))?;
    if pages.is_empty() {
        return Err("Facebook listed no page you manage".into());
    }
    // One page Meta will not subscribe (no admin task on it, a business that
    // demands two-factor sign-in) does not keep the others from their leads.
    let (mut ready, mut refused) = (Vec::new(), Vec::new());
    for p in pages {
        if let Err(e) = graph.subscribe(&p.id, &p.token).await {
            refused.push(format!("{} (Facebook said: {})", p.name, e.reason()));
            continue;
        }
        let forms = graph.forms(&p.id, &p.token).await.unwrap_or_default();
        ready.push((p, forms));
    }
    if ready.is_empty() {
        return Err(format!(
            "Facebook would not send the leads of {}",
            refused.join("; ")
        ));
    }
    let expires_at = expires_in.map(crate::time::ms_after_secs);
    // The person's login in this business keeps its id (and key) across reconnects.
    let vault = vault::of(state.store.dir()).map_err(|e| format!("the keyring: {e}"))?;
    let hash = vault.user_hash(&profile.fb_user_id);
    let existing_login = login::of_user(&state.store.read().map_err(|e| e.to_string())?, &hash)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|l| l.business_id == business);
    let login_id = existing_login.as_ref().map_or_else(RecordId::new, |l| l.id);
    let key = login::key_id(login_id);
    let seal = |plain: &[u8]| {
        vault
            .seal(&key, plain)
            .map_err(|e| format!("sealing the token failed: {e}"))
    };
    let record = FbLogin {
        id: login_id,
        business_id: business,
        user_hash: hash,
        linked_user: Some(user),
        sealed: seal(&serde_json::to_vec(&profile).map_err(|e| e.to_string())?)?,
        user_token_expires_at: expires_at,
        connected_at: existing_login.map_or_else(now_ms, |l| l.connected_at),
    };
    let mut sealed_pages = Vec::new();
    for (p, forms) in ready {
        let token = PageToken::Sealed {
            login: login_id,
            bytes: seal(p.token.as_bytes())?,
        };
        sealed_pages.push((p.id, p.name, token, forms));
    }
    state
        .store
        .write(move |ctx| {
            let (mut connected, mut skipped) = (0, Vec::new());
            login::save(ctx, &record)?;
            for (page_id, name, token, forms) in &sealed_pages {
                let existing = by_page_id(ctx, page_id)?;
                if existing.as_ref().is_some_and(|e| e.business_id != business) {
                    skipped.push(name.clone());
                    continue;
                }
                let page = FbPage {
                    id: existing.as_ref().map_or_else(RecordId::new, |e| e.id),
                    business_id: business,
                    page_id: page_id.clone(),
                    name: name.clone(),
                    token: token.clone(),
                    sandbox: false,
                    token_invalid: false,
                    last_error: None,
                    forms: forms.clone(),
                    connected_at: existing.as_ref().map_or_else(now_ms, |e| e.connected_at),
                    last_lead_at: existing.as_ref().and_then(|e| e.last_lead_at),
                    disconnected: None,
                };
                super::save(ctx, &page)?;
                // Leads that failed on the dead token are fetched again.
                crate::scheduler::revive(ctx, super::leads::JOB_KIND, &page.id.to_string())?;
                connected += 1;
            }
            Ok((connected, skipped))
        })
        .await
        .map(|(pages, held_elsewhere)| Connected {
            pages,
            held_elsewhere,
            refused,
        })
        .map_err(|e| e.message)
}
