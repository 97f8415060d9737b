//! A fake of the Graph API's Facebook Lead Ads side, in Meta's documented
//! shapes: Facebook Login's token exchanges, `me/accounts`, `subscribed_apps`,
//! `leadgen_forms`, a lead by id, a form's leads page by page, and error 190
//! once the test revokes the tokens.
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

pub const APP_ID: &str = "1234567890";
pub const PAGE_ID: &str = "153125381133";
pub const PAGE_TOKEN: &str = "PAGE-TOKEN-1";
pub const FORM_ID: &str = "555000111";
const CODE: &str = "AUTH-CODE";
/// Who signs in with `CODE` (`GET /me` with the long-lived token).
pub const USER_ID: &str = "10229876543210987";
pub const USER_NAME: &str = "Ana Deletada Teixeira";
pub const USER_EMAIL: &str = "ana.deletada@example.com";
pub const USER_PICTURE: &str = "https://platform-lookaside.fbsbx.example/ana-deletada-pic.jpg";
pub const USER_TOKEN: &str = "LONG-TOKEN";
/// A second person, who manages another page: signs in with `CODE_2`.
pub const CODE_2: &str = "AUTH-CODE-BRUNO";
pub const USER_2_ID: &str = "10220000000000002";
pub const PAGE_2_ID: &str = "153125382222";
pub const PAGE_2_TOKEN: &str = "BRUNO-PAGE-TOKEN";
const USER_2_TOKEN: &str = "BRUNO-LONG-TOKEN";
/// A third person, who manages two pages; Meta refuses to subscribe the second
/// (her role there gives no admin task): signs in with `CODE_3`.
pub const CODE_3: &str = "AUTH-CODE-CARLA";
pub const PAGE_3_ID: &str = "153125383333";
const PAGE_3_TOKEN: &str = "CARLA-PAGE-TOKEN";
pub const PAGE_4_ID: &str = "153125384444";
const PAGE_4_TOKEN: &str = "CARLA-PAGE-4-TOKEN";
const USER_3_TOKEN: &str = "CARLA-LONG-TOKEN";

#[derive(Default)]
struct State {
    /// (method, path, query) of every request.
    requests: Vec<(String, String, String)>,
    /// leadgen_id → lead, in id order.
    leads: BTreeMap<String, Value>,
    revoked: bool,
    /// Graph answers every call with Meta's transient error (HTTP 500, code 2).
    down: bool,
    /// Page token handed out by the next `me/accounts`.
    page_token: String,
}

pub struct FakeFacebook {
    pub url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn graph_error(code: i64, message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(
        json!({"error": {"message": message, "type": "OAuthException",
        "code": code, "fbtrace_id": "AfakeTrace"}}),
    )
}

fn token_of(q: &BTreeMap<String, String>) -> &str {
    q.get("access_token").map(String::as_str).unwrap_or("")
}

async fn handle(req: HttpRequest, state: web::Data<Arc<Mutex<State>>>) -> HttpResponse {
    let q: BTreeMap<String, String> =
        web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    let mut s = state.lock().unwrap();
    s.requests.push((
        req.method().to_string(),
        req.path().to_string(),
        req.query_string().to_string(),
    ));
    if s.down {
        return HttpResponse::InternalServerError().json(json!({"error": {
            "message": "An unexpected error has occurred. Please retry your request later.",
            "type": "OAuthException", "is_transient": true, "code": 2, "fbtrace_id": "AfakeTrace"}}));
    }
    let Some(path) = req.path().strip_prefix("/v21.0/") else {
        return graph_error(100, "Unknown version");
    };
    let page_token = s.page_token.clone();
    let valid_page_token = !s.revoked && token_of(&q) == page_token;
    match (req.method().as_str(), path) {
        ("GET", "oauth/access_token") => {
            if q.get("client_id").map(String::as_str) != Some(APP_ID)
                || q.get("client_secret").map(String::as_str) != Some(super::APP_SECRET)
            {
                return graph_error(101, "Error validating application");
            }
            if q.get("grant_type").map(String::as_str) == Some("fb_exchange_token") {
                if q.get("fb_exchange_token").map(String::as_str) == Some("CARLA-SHORT-TOKEN") {
                    return HttpResponse::Ok().json(json!({"access_token": USER_3_TOKEN, "token_type": "bearer", "expires_in": 5183944}));
                }
                if q.get("fb_exchange_token").map(String::as_str) == Some("BRUNO-SHORT-TOKEN") {
                    return HttpResponse::Ok().json(json!({"access_token": USER_2_TOKEN, "token_type": "bearer", "expires_in": 5183944}));
                }
                let ok = q.get("fb_exchange_token").map(String::as_str) == Some("SHORT-TOKEN");
                return if ok {
                    HttpResponse::Ok().json(json!({"access_token": "LONG-TOKEN", "token_type": "bearer", "expires_in": 5183944}))
                } else {
                    graph_error(190, "Invalid OAuth access token")
                };
            }
            if q.get("code").map(String::as_str) == Some(CODE_3) {
                return HttpResponse::Ok().json(json!({"access_token": "CARLA-SHORT-TOKEN", "token_type": "bearer", "expires_in": 3600}));
            }
            if q.get("code").map(String::as_str) == Some(CODE_2) {
                return HttpResponse::Ok().json(json!({"access_token": "BRUNO-SHORT-TOKEN", "token_type": "bearer", "expires_in": 3600}));
            }
            let ok = q.get("code").map(String::as_str) == Some(CODE)
                && q.get("redirect_uri")
                    .is_some_and(|r| r.ends_with("/api/facebook/oauth/callback"));
            if ok {
                HttpResponse::Ok().json(json!({"access_token": "SHORT-TOKEN", "token_type": "bearer", "expires_in": 3600}))
            } else {
                graph_error(100, "Invalid verification code format.")
            }
        }
        ("GET", "me/accounts") if token_of(&q) == "LONG-TOKEN" => {
            s.revoked = false;
            HttpResponse::Ok().json(json!({"data": [{"id": PAGE_ID, "name": "Loja Azul", "access_token": page_token,
                "category": "Retail", "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"]}],
                "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}}))
        }
        ("GET", "me") if token_of(&q) == USER_TOKEN => HttpResponse::Ok().json(json!({
            "id": USER_ID, "name": USER_NAME, "email": USER_EMAIL,
            "picture": {"data": {"height": 50, "is_silhouette": false, "url": USER_PICTURE, "width": 50}}})),
        ("GET", "me") if token_of(&q) == USER_2_TOKEN => HttpResponse::Ok().json(json!({
            "id": USER_2_ID, "name": "Bruno Mantido", "email": "bruno.mantido@example.com",
            "picture": {"data": {"url": "https://platform-lookaside.fbsbx.example/bruno.jpg"}}})),
        ("GET", "me/accounts") if token_of(&q) == USER_2_TOKEN => HttpResponse::Ok().json(json!({
            "data": [{"id": PAGE_2_ID, "name": "Loja Mantida", "access_token": PAGE_2_TOKEN,
                      "category": "Retail", "tasks": ["MANAGE"]}]})),
        ("GET", "me") if token_of(&q) == USER_3_TOKEN => HttpResponse::Ok().json(json!({
            "id": "10220000000000003", "name": "Carla Gerente", "email": "carla.gerente@example.com"})),
        ("GET", "me/accounts") if token_of(&q) == USER_3_TOKEN => HttpResponse::Ok().json(json!({
            "data": [{"id": PAGE_3_ID, "name": "Loja Verde", "access_token": PAGE_3_TOKEN,
                      "category": "Retail", "tasks": ["MANAGE", "ADVERTISE"]},
                     {"id": PAGE_4_ID, "name": "Loja Sem Acesso", "access_token": PAGE_4_TOKEN,
                      "category": "Retail", "tasks": ["ANALYZE"]}]})),
        ("POST", p) if p == format!("{PAGE_3_ID}/subscribed_apps") && token_of(&q) == PAGE_3_TOKEN => {
            HttpResponse::Ok().json(json!({"success": true}))
        }
        ("POST", p) if p == format!("{PAGE_4_ID}/subscribed_apps") => graph_error(
            200,
            "(#200) The user must be an administrator, editor, or moderator of the page in order to impersonate it.",
        ),
        ("GET", p) if p == format!("{PAGE_3_ID}/leadgen_forms") && token_of(&q) == PAGE_3_TOKEN => {
            HttpResponse::Ok().json(json!({"data": [{"id": "555000333", "name": "Green form"}]}))
        }
        ("POST", p) if p == format!("{PAGE_2_ID}/subscribed_apps") && token_of(&q) == PAGE_2_TOKEN => {
            HttpResponse::Ok().json(json!({"success": true}))
        }
        ("GET", p) if p == format!("{PAGE_2_ID}/leadgen_forms") && token_of(&q) == PAGE_2_TOKEN => {
            HttpResponse::Ok().json(json!({"data": [{"id": "555000222", "name": "Kept form"}]}))
        }
        ("POST", p) if p == format!("{PAGE_ID}/subscribed_apps") => {
            if valid_page_token && q.get("subscribed_fields").map(String::as_str) == Some("leadgen")
            {
                HttpResponse::Ok().json(json!({"success": true}))
            } else {
                graph_error(190, "Invalid OAuth access token")
            }
        }
        ("GET", p) if p == format!("{PAGE_ID}/leadgen_forms") && valid_page_token => {
            HttpResponse::Ok().json(
                json!({"data": [{"id": FORM_ID, "name": "Spring promo", "status": "ACTIVE"}],
                         "paging": {"cursors": {"before": "a", "after": "b"}}}),
            )
        }
        ("GET", p) if p == PAGE_ID && valid_page_token => {
            HttpResponse::Ok().json(json!({"id": PAGE_ID}))
        }
        ("GET", p) if p == format!("{FORM_ID}/leads") && valid_page_token => {
            let after = q.get("after").cloned().unwrap_or_default();
            let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(25);
            let page: Vec<&Value> = s
                .leads
                .iter()
                .filter(|(id, _)| after.is_empty() || id.as_str() > after.as_str())
                .take(limit)
                .map(|(_, l)| l)
                .collect();
            let last = page.last().and_then(|l| l["id"].as_str()).unwrap_or("");
            let more = s.leads.keys().any(|id| id.as_str() > last) && !page.is_empty();
            let mut paging = json!({"cursors": {"before": "x", "after": last}});
            if more {
                paging["next"] = json!(format!(
                    "https://graph.example/v21.0/{FORM_ID}/leads?after={last}"
                ));
            }
            HttpResponse::Ok().json(json!({"data": page, "paging": paging}))
        }
        ("GET", id) if s.leads.contains_key(id) => {
            if !valid_page_token {
                return graph_error(190, "Error validating access token: The session has been invalidated because the user changed their password.");
            }
            HttpResponse::Ok().json(s.leads[id].clone())
        }
        _ if s.revoked => graph_error(190, "Error validating access token"),
        _ => graph_error(100, "Unsupported get request."),
    }
}

impl FakeFacebook {
    pub fn start() -> FakeFacebook {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            page_token: PAGE_TOKEN.into(),
            ..State::default()
        }));
        let data = web::Data::new(state.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .default_service(web::to(handle))
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
        FakeFacebook {
            url,
            state,
            handle,
            thread: Some(thread),
        }
    }

    /// A lead of the form, as `GET /{leadgen_id}` answers it (ids as Meta sends them).
    pub fn add_lead(&self, leadgen_id: &str, name: &str, phone: &str, email: &str) {
        let lead = json!({"id": leadgen_id, "created_time": "2026-11-24T10:00:00+0000", "ad_id": "6040000001",
            "form_id": FORM_ID, "field_data": [
                {"name": "full_name", "values": [name]}, {"name": "phone_number", "values": [phone]},
                {"name": "email", "values": [email]}, {"name": "which_store?", "values": ["Centro"]}]});
        self.state
            .lock()
            .unwrap()
            .leads
            .insert(leadgen_id.into(), lead);
    }

    /// Every token dies (the user changed their password); the next login gives a new one.
    pub fn revoke_tokens(&self) {
        let mut s = self.state.lock().unwrap();
        s.revoked = true;
        s.page_token = "PAGE-TOKEN-2".into();
    }

    /// Graph is down (or back) for every call.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn requests(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn code() -> &'static str {
        CODE
    }
}

impl Drop for FakeFacebook {
    fn drop(&mut self) {
        futures_util::FutureExt::now_or_never(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
