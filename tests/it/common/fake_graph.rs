//! A fake Meta Graph API: records every request and answers as Meta documents,
//! or with scripted errors queued by the test (for sends and template lists).
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: String,
    pub user_agent: String,
    pub body: Value,
    /// When the request was taken in (after any `slow_sends` delay).
    pub at: Instant,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    /// Answers for the next sends: status, body and a `Retry-After` in seconds.
    scripted: VecDeque<(u16, Value, Option<u64>)>,
    sent: u64,
    /// Media download URLs answer 404 this many more times (an expired URL).
    expire_downloads: u32,
    /// Answers for the next downloads: status, Content-Type and body.
    scripted_downloads: VecDeque<Download>,
    /// What a media id's download answers when nothing is scripted.
    media: HashMap<String, Download>,
    /// Downloads are held this long before they answer (a slow CDN).
    download_delay_ms: u64,
    /// Answers for the next `GET /{media_id}`: status and body.
    scripted_media_info: VecDeque<(u16, Value)>,
    base: String,
    /// Sends (`/messages`) are held this long before they count as received.
    send_delay_ms: u64,
    /// Sends from one phone_number_id held this long (that number's Graph is slow).
    number_delay_ms: HashMap<String, u64>,
    /// `/messages` requests taken in, counted before any delay (a sender
    /// that dies while Meta answers has still sent it).
    arrived_sends: usize,
}

/// One answer of the media download URL.
#[derive(Debug, Clone)]
pub struct Download {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Download {
    pub fn ok(content_type: &str, body: &[u8]) -> Download {
        Download {
            status: 200,
            content_type: content_type.into(),
            body: body.to_vec(),
        }
    }
}

pub struct FakeGraph {
    pub url: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Arc<Mutex<State>>>,
) -> HttpResponse {
    let raw_len = body.len();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let delay = {
        let mut s = state.lock().unwrap();
        if req.path().ends_with("/messages") {
            s.arrived_sends += 1;
        }
        let from = req
            .path()
            .trim_end_matches("/messages")
            .rsplit('/')
            .next()
            .unwrap_or("");
        s.number_delay_ms
            .get(from)
            .copied()
            .unwrap_or(s.send_delay_ms)
    };
    if delay > 0 && req.path().ends_with("/messages") {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let download_delay = state.lock().unwrap().download_delay_ms;
    if download_delay > 0 && req.path().starts_with("/download/") {
        tokio::time::sleep(Duration::from_millis(download_delay)).await;
    }
    let mut s = state.lock().unwrap();
    s.requests.push(Recorded {
        at: Instant::now(),
        method: req.method().to_string(),
        path: req.path().to_string(),
        authorization: req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        user_agent: req
            .headers()
            .get("User-Agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: body.clone(),
    });
    if let Some(id) = req.path().strip_prefix("/download/") {
        if s.expire_downloads > 0 {
            s.expire_downloads -= 1;
            return HttpResponse::NotFound().finish();
        }
        let answer = s
            .scripted_downloads
            .pop_front()
            .or_else(|| s.media.get(id).cloned());
        if let Some(d) = answer {
            return HttpResponse::build(actix_web::http::StatusCode::from_u16(d.status).unwrap())
                .content_type(d.content_type)
                .body(d.body);
        }
        return HttpResponse::Ok()
            .content_type("image/jpeg")
            .body(format!("JPEG-BYTES-OF-{id}"));
    }
    if req.path().ends_with("/media") && req.method() == actix_web::http::Method::POST {
        let multipart = req
            .headers()
            .get("Content-Type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .starts_with("multipart/form-data");
        if !multipart || raw_len == 0 {
            return HttpResponse::BadRequest()
                .json(json!({"error": {"message": "expected a multipart upload", "code": 100}}));
        }
        s.sent += 1;
        return HttpResponse::Ok().json(json!({"id": format!("UPLOADED-{}", s.sent)}));
    }
    if req.path().ends_with("/message_templates") {
        if let Some((status, answer, _)) = s.scripted.pop_front() {
            return HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                .json(answer);
        }
        let second_page = req.query_string().contains("after=PAGE2");
        let body = if second_page {
            json!({"data": [
                {"id": "2", "name": "order_update", "status": "APPROVED", "category": "UTILITY", "language": "pt_BR",
                 "components": [{"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu."}]},
                {"id": "3", "name": "promo", "status": "REJECTED", "category": "MARKETING", "language": "en_US",
                 "components": [{"type": "BODY", "text": "Sale!"}]}
            ], "paging": {"cursors": {"before": "PAGE1", "after": "END"}}})
        } else {
            json!({"data": [
                {"id": "1", "name": "follow_up", "status": "APPROVED", "category": "MARKETING", "language": "pt_BR",
                 "components": [{"type": "HEADER", "format": "TEXT", "text": "Oi"}, {"type": "BODY", "text": "Oi {{1}}, ainda tem interesse?"}]}
            ], "paging": {"cursors": {"before": "START", "after": "PAGE2"}, "next": format!("{}/next-page", s.base)}})
        };
        return HttpResponse::Ok().json(body);
    }
    if req.method() == actix_web::http::Method::GET {
        if let Some(id) = req
            .path()
            .strip_prefix("/v21.0/")
            .filter(|p| !p.contains('/'))
        {
            if let Some((status, answer)) = s.scripted_media_info.pop_front() {
                return HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                    .json(answer);
            }
            let url = format!("{}/download/{id}", s.base);
            return HttpResponse::Ok().json(json!({"messaging_product": "whatsapp", "url": url,
                "mime_type": "image/jpeg", "sha256": "abc", "file_size": "20", "id": id}));
        }
    }
    if req.path().ends_with("/messages") {
        if let Some((status, answer, retry_after)) = s.scripted.pop_front() {
            let mut res =
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
            if let Some(secs) = retry_after {
                res.insert_header(("Retry-After", secs.to_string()));
            }
            return res.json(answer);
        }
        s.sent += 1;
        let to = body["to"].as_str().unwrap_or("").to_string();
        return HttpResponse::Ok().json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": format!("wamid.FAKE{:06}", s.sent)}],
        }));
    }
    HttpResponse::NotFound().json(
        json!({"error": {"message": "Unknown path", "type": "GraphMethodException", "code": 100}}),
    )
}

impl FakeGraph {
    pub fn start() -> FakeGraph {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            base: url.clone(),
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
        FakeGraph {
            url,
            state,
            handle,
            thread: Some(thread),
        }
    }

    /// The next send answers with this status and body instead of success.
    pub fn fail_next(&self, status: u16, code: i64, message: &str) {
        self.script(status, code, message, None);
    }

    /// The next send answers `status` with this body as it is (no error shape).
    pub fn answer_next(&self, status: u16, body: Value) {
        self.state
            .lock()
            .unwrap()
            .scripted
            .push_back((status, body, None));
    }

    /// The next send is throttled: 429, code 130429, `Retry-After: secs`.
    pub fn throttle_next(&self, secs: u64) {
        self.script(429, 130429, "Rate limit hit", Some(secs));
    }

    fn script(&self, status: u16, code: i64, message: &str, retry_after: Option<u64>) {
        let body = json!({"error": {"message": message, "type": "OAuthException", "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message}, "fbtrace_id": "Afake"}});
        self.state
            .lock()
            .unwrap()
            .scripted
            .push_back((status, body, retry_after));
    }

    /// Sends from `phone_number_id` wait `ms` before Meta takes them.
    pub fn slow_sends_from(&self, phone_number_id: &str, ms: u64) {
        self.state
            .lock()
            .unwrap()
            .number_delay_ms
            .insert(phone_number_id.to_string(), ms);
    }

    pub fn expire_next_downloads(&self, n: u32) {
        self.state.lock().unwrap().expire_downloads = n;
    }

    /// The next downloads answer these, in order (then as usual).
    pub fn script_downloads(&self, answers: impl IntoIterator<Item = Download>) {
        self.state
            .lock()
            .unwrap()
            .scripted_downloads
            .extend(answers);
    }

    /// `media_id`'s download answers this file (instead of placeholder bytes).
    pub fn serve_media(&self, media_id: &str, content_type: &str, body: &[u8]) {
        self.state
            .lock()
            .unwrap()
            .media
            .insert(media_id.into(), Download::ok(content_type, body));
    }

    /// Every download waits `ms` before it answers.
    pub fn slow_downloads(&self, ms: u64) {
        self.state.lock().unwrap().download_delay_ms = ms;
    }

    /// The next `GET /{media_id}` answers Meta's error `code` with `status`.
    pub fn fail_next_media_info(&self, status: u16, code: i64, message: &str) {
        let body = json!({"error": {"message": message, "type": "OAuthException", "code": code,
            "fbtrace_id": "Afake"}});
        self.state
            .lock()
            .unwrap()
            .scripted_media_info
            .push_back((status, body));
    }

    /// Meta slow to take sends: each `/messages` request waits `ms` first.
    pub fn slow_sends(&self, ms: u64) {
        self.state.lock().unwrap().send_delay_ms = ms;
    }

    pub fn arrived_sends(&self) -> usize {
        self.state.lock().unwrap().arrived_sends
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Waits until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Recorded> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.requests();
            if r.len() >= n || Instant::now() > deadline {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for FakeGraph {
    fn drop(&mut self) {
        futures_util::FutureExt::now_or_never(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
