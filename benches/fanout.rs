//! Realtime fan-out at 10,000 open WebSockets, against the real server binary
//! running as its own process (so its RSS is its own).
//!
//! The data folder is seeded with `--businesses` businesses, each with an API
//! token; `--sockets` sockets are spread evenly over them. Signed webhooks go
//! to business 0 at `--rate` messages/s, and every `message.new` frame on
//! business 0's sockets is timed from the message's creation in the writer
//! (the ULID's timestamp) to its arrival. Two phases in the same run: only
//! business 0's sockets open (the baseline), then all of them.
//!
//! Run: `cargo bench --bench fanout -- [--sockets 10000] [--businesses 500] [--rate 1000] [--seconds 8]`
use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use futures_util::StreamExt;
use serde_json::{json, Value};
use wafunnel::{
    auth::tokens::{self, ApiToken},
    channels::whatsapp::{
        numbers::{self, WaNumber},
        signature,
    },
    config::Config,
    metrics::Metrics,
    server,
    store::ids::{NumberId, TokenId},
    tenancy::{service, Role},
};

const SECRET: &str = "fanout-secret";

struct Args {
    sockets: usize,
    businesses: usize,
    rate: u64,
    seconds: u64,
}

fn args() -> Args {
    let all: Vec<String> = std::env::args().collect();
    let num = |name: &str, default: u64| {
        all.iter()
            .position(|a| a == name)
            .and_then(|i| all.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Args {
        sockets: num("--sockets", 10_000) as usize,
        businesses: num("--businesses", 500).max(1) as usize,
        rate: num("--rate", 1_000).max(1),
        seconds: num("--seconds", 8).max(1),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// One token per business; business 0 also gets the number ingest targets.
fn seed(dir: &std::path::Path, businesses: usize) -> Vec<String> {
    let mut config = Config::default();
    config.server.data_dir = dir.to_path_buf();
    let store = server::open_store(&config, Metrics::default()).expect("store opens");
    let mut secrets = Vec::new();
    for chunk in (0..businesses).collect::<Vec<_>>().chunks(100) {
        let batch: Vec<(usize, String)> = chunk.iter().map(|&i| (i, tokens::generate())).collect();
        secrets.extend(batch.iter().map(|(_, s)| s.clone()));
        store
            .write_blocking(move |ctx| {
                for (i, secret) in &batch {
                    let owner = service::NewMember {
                        email: format!("owner{i}@fanout.test"),
                        name: format!("Owner {i}"),
                        password_hash: None,
                        role: Role::Owner,
                        team_id: None,
                        permissions: vec![],
                    };
                    let (business, user, _) =
                        service::create_business(ctx, &format!("Business {i}"), &owner)?;
                    tokens::create(
                        ctx,
                        &ApiToken {
                            id: TokenId::new(),
                            user_id: user.id,
                            business_id: business.id,
                            name: "fanout".into(),
                            hash: tokens::hash(secret),
                            created_at: 0,
                            last_used_at: None,
                        },
                    )?;
                    if *i == 0 {
                        numbers::create(
                            ctx,
                            &WaNumber {
                                id: NumberId::new(),
                                business_id: business.id,
                                phone_number_id: "fanout-0".into(),
                                display_phone_number: "+1 555 000 0000".into(),
                                waba_id: "fanout".into(),
                                access_token: "unused".into(),
                                sandbox: false,
                                created_at: 0,
                                token_dead: false,
                                paused_until: 0,
                                last_error: None,
                            },
                        )?;
                    }
                }
                Ok(())
            })
            .expect("seeded");
    }
    store.shutdown();
    secrets
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start(dir: &std::path::Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_wafunnel"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(dir)
        .env("WAFUNNEL_META_APP_SECRET", SECRET)
        .env("WAFUNNEL_LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let base = format!("127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("http://{base}/healthz"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server { child, base }
}

#[derive(Default)]
struct Latencies {
    ms: Mutex<Vec<u64>>,
    frames: AtomicU64,
}

/// Opens a socket and, for business 0's sockets, times every `message.new`.
async fn open(base: String, token: String, timed: Option<Arc<Latencies>>) -> bool {
    let url = format!("ws://{base}/api/ws?token={token}");
    let Ok((mut ws, _)) = tokio_tungstenite::connect_async(url).await else {
        return false;
    };
    tokio::spawn(async move {
        // Reading also answers the server's pings.
        while let Some(Ok(msg)) = ws.next().await {
            let Some(lat) = &timed else { continue };
            let tokio_tungstenite::tungstenite::Message::Text(t) = msg else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(&t) else {
                continue;
            };
            if v["type"] != "message.new" {
                continue;
            }
            let created = v["data"]["message_id"]
                .as_str()
                .and_then(|id| ulid::Ulid::from_string(id).ok())
                .map(|u| u.timestamp_ms());
            if let Some(created) = created {
                lat.frames.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut ms) = lat.ms.lock() {
                    ms.push(now_ms().saturating_sub(created));
                }
            }
        }
    });
    true
}

async fn open_many(base: &str, tokens: &[String], timed: Option<Arc<Latencies>>) -> usize {
    let mut opened = 0;
    for chunk in tokens.chunks(200) {
        let tasks: Vec<_> = chunk
            .iter()
            .map(|t| tokio::spawn(open(base.to_string(), t.clone(), timed.clone())))
            .collect();
        for t in tasks {
            opened += usize::from(t.await.unwrap_or(false));
        }
    }
    opened
}

fn delivery(seq: u64) -> String {
    let from = 5511900000000u64 + seq % 1000;
    json!({"object": "whatsapp_business_account", "entry": [{"id": "fanout", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": "fanout-0"},
        "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from.to_string()}],
        "messages": [{"from": from.to_string(), "id": format!("wamid.FAN{seq}"), "timestamp": "1764000000", "type": "text", "text": {"body": "hello"}}]
    }}]}]})
    .to_string()
}

/// Webhooks at a fixed rate; answers how many were acknowledged.
async fn ingest(base: &str, rate: u64, seconds: u64, seq: &AtomicU64) -> u64 {
    let http = reqwest::Client::new();
    let url = format!("http://{base}/webhooks/whatsapp");
    let acked = Arc::new(AtomicU64::new(0));
    let total = rate * seconds;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..total {
        let due = started + Duration::from_micros(i * 1_000_000 / rate);
        tokio::time::sleep_until(due.into()).await;
        let body = delivery(seq.fetch_add(1, Ordering::Relaxed));
        let sig = signature::sign(SECRET.as_bytes(), body.as_bytes());
        let (http, url, acked) = (http.clone(), url.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            let ok = http
                .post(url)
                .header("X-Hub-Signature-256", sig)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                acked.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    acked.load(Ordering::Relaxed)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn phase(
    name: &str,
    server: &Server,
    a: &Args,
    lat: &Latencies,
    seq: &AtomicU64,
    sockets_b0: usize,
) -> HashMap<&'static str, f64> {
    if let Ok(mut ms) = lat.ms.lock() {
        ms.clear();
    }
    lat.frames.store(0, Ordering::Relaxed);
    let acked = ingest(&server.base, a.rate, a.seconds, seq).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut ms = lat.ms.lock().map(|m| m.clone()).unwrap_or_default();
    ms.sort_unstable();
    let expected = acked * sockets_b0 as u64;
    let (p50, p99, max) = (
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0),
    );
    println!(
        "{name}: {acked} messages acknowledged at {}/s; {} of {expected} message.new frames on business 0's {sockets_b0} sockets; fan-out latency p50 {p50} ms, p99 {p99} ms, max {max} ms; server RSS {:.1} MB",
        a.rate,
        ms.len(),
        rss_mb(server.child.id())
    );
    HashMap::from([("p50", p50 as f64), ("p99", p99 as f64)])
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = seed(dir.path(), a.businesses);
    let server = start(dir.path()).await;
    let idle = rss_mb(server.child.id());
    // Sockets go round-robin over businesses: business 0 gets every n-th one.
    let plan: Vec<String> = (0..a.sockets)
        .map(|i| secrets[i % a.businesses].clone())
        .collect();
    let (b0, rest): (Vec<_>, Vec<_>) = plan
        .iter()
        .enumerate()
        .partition(|(i, _)| i % a.businesses == 0);
    let b0: Vec<String> = b0.into_iter().map(|(_, t)| t.clone()).collect();
    let rest: Vec<String> = rest.into_iter().map(|(_, t)| t.clone()).collect();
    let lat = Arc::new(Latencies::default());
    let seq = AtomicU64::new(0);
    println!(
        "fanout: {} sockets over {} businesses ({} on business 0), ingest {}/s for {} s; server RSS idle {idle:.1} MB",
        a.sockets,
        a.businesses,
        b0.len(),
        a.rate,
        a.seconds
    );
    let opened_b0 = open_many(&server.base, &b0, Some(lat.clone())).await;
    let base = phase(
        "baseline (business 0's sockets only)",
        &server,
        &a,
        &lat,
        &seq,
        opened_b0,
    )
    .await;
    let t = Instant::now();
    let opened = opened_b0 + open_many(&server.base, &rest, None).await;
    println!(
        "opened {opened} sockets in {:.1} s; server RSS {:.1} MB",
        t.elapsed().as_secs_f64(),
        rss_mb(server.child.id())
    );
    let loaded = phase("with all sockets open", &server, &a, &lat, &seq, opened_b0).await;
    println!(
        "p99 with {opened} sockets / p99 with {opened_b0}: {:.2}x",
        loaded["p99"] / base["p99"].max(1.0)
    );
}
