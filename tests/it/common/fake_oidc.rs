//! A fake OpenID provider: discovery, JWKS, an authorization endpoint that
//! signs in a chosen identity at once and sends the browser back with a code,
//! and a token endpoint that checks the code, the client and the PKCE
//! verifier before issuing an RS256 ID token. A test can make it issue a bad
//! token (another key, another audience, expired, a stale nonce) or rotate
//! its signing key. The keys under tests/fixtures/oidc/ are test-only.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "wafunnel-test.apps.example";
pub const CLIENT_SECRET: &str = "test-client-secret";

const PROVIDER_KEY: &[u8] = include_bytes!("../../fixtures/oidc/provider.pem");
const ROTATED_KEY: &[u8] = include_bytes!("../../fixtures/oidc/rotated.pem");
const ATTACKER_KEY: &[u8] = include_bytes!("../../fixtures/oidc/attacker.pem");
const PUBLIC: &str = include_str!("../../fixtures/oidc/public.json");

/// How the next ID tokens are made.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Good,
    /// Signed by a key the provider never published, under its key id.
    WrongKey,
    WrongAudience,
    /// Meant for another client: ours among its audiences, `azp` the other's.
    AnotherClients,
    /// Issued an hour from now (a skewed clock or a forged token).
    FromTheFuture,
    Expired,
    /// Carrying this nonce instead of the one of the request.
    Nonce(String),
    /// Signed with a new key, published alongside the old one from now on.
    Rotated,
}

#[derive(Clone, Debug)]
pub struct Person {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
}

struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: String,
}

struct State {
    url: String,
    mode: Mode,
    person: Person,
    codes: HashMap<String, Grant>,
    /// Every nonce seen at the authorization endpoint, in order.
    nonces: Vec<String>,
    token_requests: usize,
    jwks_requests: usize,
    rotated: bool,
}

pub struct FakeOidc {
    pub url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn public_key(kid: &str) -> Value {
    let all: Value = serde_json::from_str(PUBLIC).expect("fixture keys");
    all[kid].clone()
}

fn b64_sha256(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(s.as_bytes()))
}

async fn discovery(s: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let url = s.lock().unwrap().url.clone();
    HttpResponse::Ok().json(json!({
        "issuer": url,
        "authorization_endpoint": format!("{url}/o/oauth2/v2/auth"),
        "token_endpoint": format!("{url}/token"),
        "jwks_uri": format!("{url}/oauth2/v3/certs"),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(s: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let mut s = s.lock().unwrap();
    s.jwks_requests += 1;
    let mut keys = vec![public_key("provider")];
    if s.rotated {
        keys.push(public_key("rotated"));
    }
    HttpResponse::Ok().json(json!({ "keys": keys }))
}

/// The user "signs in" at once: straight back to the client with a code.
async fn authorize(req: HttpRequest, s: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let q: HashMap<String, String> = web::Query::from_query(req.query_string())
        .map(|q: web::Query<HashMap<String, String>>| q.into_inner())
        .unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let well_formed = get("response_type") == "code"
        && get("code_challenge_method") == "S256"
        && get("scope").split(' ').any(|p| p == "openid")
        && !get("state").is_empty()
        && !get("nonce").is_empty()
        && !get("code_challenge").is_empty();
    if !well_formed {
        return HttpResponse::BadRequest().body("malformed authorization request");
    }
    let code = format!("code-{}", ulid::Ulid::new());
    let mut s = s.lock().unwrap();
    s.nonces.push(get("nonce"));
    s.codes.insert(
        code.clone(),
        Grant {
            client_id: get("client_id"),
            redirect_uri: get("redirect_uri"),
            challenge: get("code_challenge"),
            nonce: get("nonce"),
        },
    );
    let mut back = reqwest::Url::parse(&get("redirect_uri")).expect("redirect_uri");
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &get("state"));
    HttpResponse::Found()
        .insert_header(("Location", back.to_string()))
        .finish()
}

fn invalid_grant(why: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"error": "invalid_grant", "error_description": why}))
}

async fn token(
    form: web::Form<HashMap<String, String>>,
    s: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let f = form.into_inner();
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut s = s.lock().unwrap();
    s.token_requests += 1;
    if get("grant_type") != "authorization_code"
        || get("client_id") != CLIENT_ID
        || get("client_secret") != CLIENT_SECRET
    {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_client"}));
    }
    // A code is good once.
    let Some(grant) = s.codes.remove(&get("code")) else {
        return invalid_grant("unknown or used code");
    };
    if grant.client_id != CLIENT_ID || grant.redirect_uri != get("redirect_uri") {
        return invalid_grant("client or redirect_uri differ from the authorization request");
    }
    if b64_sha256(&get("code_verifier")) != grant.challenge {
        return invalid_grant("PKCE verifier does not match the challenge");
    }
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": s.url,
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "sub": s.person.sub,
        "email": s.person.email,
        "email_verified": s.person.email_verified,
        "name": "Google Person",
        "iat": now,
        "exp": now + 3600,
        "nonce": grant.nonce,
    });
    let (mut kid, mut pem) = ("provider", PROVIDER_KEY);
    match s.mode.clone() {
        Mode::Good => {}
        Mode::WrongKey => pem = ATTACKER_KEY,
        Mode::WrongAudience => claims["aud"] = json!("someone-else.apps.example"),
        Mode::AnotherClients => {
            claims["aud"] = json!(["someone-else.apps.example", CLIENT_ID]);
            claims["azp"] = json!("someone-else.apps.example");
        }
        Mode::FromTheFuture => {
            claims["iat"] = json!(now + 3600);
            claims["exp"] = json!(now + 7200);
        }
        Mode::Expired => {
            claims["iat"] = json!(now - 7200);
            claims["exp"] = json!(now - 3600);
        }
        Mode::Nonce(n) => claims["nonce"] = json!(n),
        Mode::Rotated => {
            s.rotated = true;
            (kid, pem) = ("rotated", ROTATED_KEY);
        }
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_rsa_pem(pem).expect("fixture key");
    let id_token = jsonwebtoken::encode(&header, &claims, &key).expect("sign");
    HttpResponse::Ok().json(json!({
        "access_token": "ya29.fake",
        "token_type": "Bearer",
        "expires_in": 3599,
        "scope": "openid email profile",
        "id_token": id_token,
    }))
}

impl FakeOidc {
    pub fn start(person: Person) -> FakeOidc {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            url: url.clone(),
            mode: Mode::Good,
            person,
            codes: HashMap::new(),
            nonces: Vec::new(),
            token_requests: 0,
            jwks_requests: 0,
            rotated: false,
        }));
        let data = web::Data::new(state.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route(
                            "/.well-known/openid-configuration",
                            web::get().to(discovery),
                        )
                        .route("/oauth2/v3/certs", web::get().to(jwks))
                        .route("/o/oauth2/v2/auth", web::get().to(authorize))
                        .route("/token", web::post().to(token))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)
                .unwrap()
                .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv().unwrap();
        FakeOidc {
            url,
            state,
            handle,
            thread: Some(thread),
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    pub fn set_person(&self, person: Person) {
        self.state.lock().unwrap().person = person;
    }

    pub fn nonces(&self) -> Vec<String> {
        self.state.lock().unwrap().nonces.clone()
    }

    pub fn token_requests(&self) -> usize {
        self.state.lock().unwrap().token_requests
    }

    pub fn jwks_requests(&self) -> usize {
        self.state.lock().unwrap().jwks_requests
    }
}

impl Drop for FakeOidc {
    fn drop(&mut self) {
        futures_util::FutureExt::now_or_never(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
