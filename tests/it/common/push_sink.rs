//! A Web Push service on loopback, with one browser's keys: it checks the
//! VAPID token like a push service would, then decrypts every message the way
//! the browser would (RFC 8291, written here independently of wafunnel's
//! sender), so a test reads exactly what the device would show.
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use aes_gcm::{aead::Aead, Aes128Gcm, KeyInit};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use hkdf::Hkdf;
use p256::{ecdh::diffie_hellman, PublicKey, SecretKey};
use serde_json::{json, Value};
use sha2::Sha256;

#[derive(Default)]
struct State {
    /// Decrypted payloads, in arrival order.
    received: Vec<Value>,
    /// Problems a real push service or browser would reject the message for.
    rejected: Vec<String>,
    /// Status to answer with (201 unless the test says otherwise).
    status: u16,
    /// The VAPID public key (`k=`) of the last request.
    vapid_key: String,
}

pub struct PushSink {
    pub endpoint: String,
    origin: String,
    secret: SecretKey,
    pub auth: [u8; 16],
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

impl PushSink {
    pub fn start() -> PushSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let auth: [u8; 16] = rand::random();
        let state = Arc::new(Mutex::new(State {
            status: 201,
            ..State::default()
        }));
        let device = web::Data::new((secret.clone(), auth, origin.clone(), state.clone()));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(device.clone())
                        .default_service(web::to(receive))
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
        PushSink {
            endpoint: format!("{origin}/push/device-1"),
            origin,
            secret,
            auth,
            state,
            handle: rx.recv().unwrap(),
        }
    }

    /// The body a browser's `PushSubscription.toJSON()` gives.
    pub fn subscription(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": {
                "p256dh": B64.encode(self.secret.public_key().to_sec1_bytes()),
                "auth": B64.encode(self.auth),
            },
        })
    }

    pub fn received(&self) -> Vec<Value> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn rejected(&self) -> Vec<String> {
        self.state.lock().unwrap().rejected.clone()
    }

    pub fn vapid_key(&self) -> String {
        self.state.lock().unwrap().vapid_key.clone()
    }

    /// From now on answer every push with this status (410: the browser unsubscribed).
    pub fn answer(&self, status: u16) {
        self.state.lock().unwrap().status = status;
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }
}

impl Drop for PushSink {
    fn drop(&mut self) {
        futures_util::FutureExt::now_or_never(self.handle.stop(false));
    }
}

type Device = (SecretKey, [u8; 16], String, Arc<Mutex<State>>);

async fn receive(req: HttpRequest, body: web::Bytes, device: web::Data<Device>) -> HttpResponse {
    let (secret, auth, origin, state) = device.get_ref();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let checked = check_vapid(&header("Authorization"), origin).and_then(|key| {
        if header("Content-Encoding") != "aes128gcm" {
            return Err("Content-Encoding is not aes128gcm".to_string());
        }
        if header("TTL").parse::<u32>().is_err() {
            return Err("no TTL header".to_string());
        }
        let plain = decrypt(&body, secret, auth)?;
        let message: Value =
            serde_json::from_slice(&plain).map_err(|e| format!("payload is not JSON: {e}"))?;
        Ok((key, message))
    });
    let mut s = state.lock().unwrap();
    match checked {
        Ok((key, message)) => {
            s.vapid_key = key;
            s.received.push(message);
        }
        Err(problem) => {
            s.rejected.push(problem);
            return HttpResponse::BadRequest().finish();
        }
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(s.status).unwrap()).finish()
}

/// RFC 8292: `vapid t=<ES256 JWT>, k=<public key>`; the JWT's `aud` is our origin.
fn check_vapid(authorization: &str, origin: &str) -> Result<String, String> {
    let (token, key) = authorization
        .strip_prefix("vapid t=")
        .and_then(|r| r.split_once(", k="))
        .ok_or("Authorization is not `vapid t=…, k=…`")?;
    let point = B64.decode(key).map_err(|_| "k is not base64url")?;
    if point.len() != 65 || point[0] != 4 {
        return Err("k is not an uncompressed P-256 point".into());
    }
    let decoding = jsonwebtoken::DecodingKey::from_ec_components(
        &B64.encode(&point[1..33]),
        &B64.encode(&point[33..]),
    )
    .map_err(|e| e.to_string())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[origin]);
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .map_err(|e| format!("VAPID token refused: {e}"))?
        .claims;
    let exp = claims["exp"].as_i64().unwrap_or(0);
    if exp > chrono::Utc::now().timestamp() + 24 * 3600 {
        return Err("VAPID token lives longer than 24 h".into());
    }
    // RFC 8292 §2.1; Apple's service refuses any other contact.
    let sub = claims["sub"].as_str().unwrap_or("");
    if !sub.starts_with("mailto:") && !sub.starts_with("https://") {
        return Err(format!("VAPID sub {sub:?} is neither mailto: nor https:"));
    }
    Ok(key.to_string())
}

/// The browser's side of RFC 8291 / RFC 8188 for a single record.
fn decrypt(body: &[u8], secret: &SecretKey, auth: &[u8; 16]) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("body shorter than the aes128gcm header".into());
    }
    let salt = &body[..16];
    let id_len = body[20] as usize;
    let sender = body.get(21..21 + id_len).ok_or("truncated key id")?;
    let sealed = &body[21 + id_len..];
    let sender_key = PublicKey::from_sec1_bytes(sender).map_err(|_| "key id is not a P-256 key")?;
    let shared = diffie_hellman(secret.to_nonzero_scalar(), sender_key.as_affine());
    let ua_public = secret.public_key().to_sec1_bytes();
    let mut info = b"WebPush: info\0".to_vec();
    info.extend_from_slice(&ua_public);
    info.extend_from_slice(sender);
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), shared.raw_secret_bytes())
        .expand(&info, &mut ikm)
        .map_err(|e| e.to_string())?;
    let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .map_err(|e| e.to_string())?;
    prk.expand(b"Content-Encoding: nonce\0", &mut nonce)
        .map_err(|e| e.to_string())?;
    let mut plain = Aes128Gcm::new_from_slice(&cek)
        .map_err(|e| e.to_string())?
        .decrypt(aes_gcm::Nonce::from_slice(&nonce), sealed)
        .map_err(|_| "the message does not decrypt with this browser's keys")?;
    // Padding: strip trailing zeros, then the delimiter (2 = last record).
    while plain.last() == Some(&0) {
        plain.pop();
    }
    match plain.pop() {
        Some(2) => Ok(plain),
        _ => Err("missing last-record delimiter".into()),
    }
}
