//! Load generator for the WhatsApp webhook: signed text-message deliveries over
//! real HTTP with keep-alive, from N connections, at a fixed rate or as fast as
//! the server acknowledges. Reports messages/s and ack latency.
//!
//! Against a fresh in-process server (the default):
//!   cargo run --release --bin loadgen -- --connections 128 --seconds 10
//! Against a running server:
//!   cargo run --release --bin loadgen -- --url http://127.0.0.1:8080/webhooks/whatsapp \
//!       --secret APP_SECRET --phone-number-id ID
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use wafunnel::{
    channels::whatsapp::{numbers, signature},
    config::Config,
    server::{self, StartOptions},
    store::ids::NumberId,
    tenancy::{service, Role},
};

struct Args {
    url: Option<String>,
    secret: String,
    pnid: String,
    connections: usize,
    seconds: u64,
    rate: u64,
    contacts: u64,
    per_delivery: usize,
    cache_mb: usize,
}

fn args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let num = |name: &str, default: u64| get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    Args {
        url: get("--url"),
        secret: get("--secret").unwrap_or_else(|| "loadgen-secret".into()),
        pnid: get("--phone-number-id").unwrap_or_else(|| "900000001".into()),
        connections: num("--connections", 128) as usize,
        seconds: num("--seconds", 10),
        rate: num("--rate", 0),
        contacts: num("--contacts", 10_000),
        per_delivery: num("--per-delivery", 1) as usize,
        cache_mb: num("--cache-mb", wafunnel::store::DEFAULT_CACHE_MB as u64) as usize,
    }
}

fn delivery(pnid: &str, seq: u64, contacts: u64, n: usize) -> String {
    let mut messages = Vec::with_capacity(n);
    let mut profiles = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let id = seq * n as u64 + i;
        let from = 5511900000000u64 + (id.wrapping_mul(2654435761) % contacts);
        profiles.push(format!(
            r#"{{"profile":{{"name":"Customer {from}"}},"wa_id":"{from}"}}"#
        ));
        let wamid = wamid(from, id);
        messages.push(format!(
            r#"{{"from":"{from}","id":"{wamid}","timestamp":"1764000000","type":"text","text":{{"body":"Hi, is the car still available? message {id}"}}}}"#
        ));
    }
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"WABA","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550001111","phone_number_id":"{pnid}"}},"contacts":[{}],"messages":[{}]}}}}]}}]}}"#,
        profiles.join(","),
        messages.join(",")
    )
}

/// A message id shaped like Meta's: the sender's number in base64, then a
/// random-looking tail. Sequential ids would all land at the end of the
/// product's id index, which real traffic never does.
fn wamid(from: u64, id: u64) -> String {
    use base64::Engine;
    let mix = |mut x: u64| {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    };
    let number = base64::engine::general_purpose::STANDARD.encode(from.to_string());
    format!(
        "wamid.HBgN{number}FQIAERgS{:016X}{:016X}AA==",
        mix(id),
        mix(!id)
    )
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

/// Starts a server on a temp folder with one business and one number.
fn spawn_server(a: &Args) -> (server::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::default();
    config.server.data_dir = dir.path().to_path_buf();
    config.server.listen = "127.0.0.1:0".into();
    config.meta.app_secret = a.secret.clone();
    config.writer.cache_mb = a.cache_mb;
    let running = server::start(
        config,
        StartOptions {
            handle_signals: false,
        },
    )
    .expect("server");
    let pnid = a.pnid.clone();
    running
        .store
        .write_blocking(move |ctx| {
            let owner = service::NewMember {
                email: "owner@load.test".into(),
                name: "Owner".into(),
                password_hash: None,
                role: Role::Owner,
                team_id: None,
                permissions: vec![],
            };
            let (business, _, _) = service::create_business(ctx, "Load", &owner)?;
            numbers::create(
                ctx,
                &numbers::WaNumber {
                    id: NumberId::new(),
                    business_id: business.id,
                    phone_number_id: pnid.clone(),
                    display_phone_number: "+1 555 000 1111".into(),
                    waba_id: "WABA".into(),
                    access_token: "unused".into(),
                    sandbox: true,
                    created_at: 0,
                    token_dead: false,
                    paused_until: 0,
                    last_error: None,
                },
            )
        })
        .expect("fixture");
    (running, dir)
}

fn main() {
    let a = args();
    let (server, _dir) = match &a.url {
        Some(_) => (None, None),
        None => {
            let (s, d) = spawn_server(&a);
            (Some(s), Some(d))
        }
    };
    let url = a.url.clone().unwrap_or_else(|| {
        format!(
            "{}/webhooks/whatsapp",
            server.as_ref().map(|s| s.url()).unwrap_or_default()
        )
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let seq = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let per_conn_interval =
        (a.rate > 0).then(|| Duration::from_secs_f64(a.connections as f64 / a.rate as f64));
    let latencies = rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..a.connections {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let (url, secret, pnid) = (url.clone(), a.secret.clone(), a.pnid.clone());
            let (seq, errors) = (seq.clone(), errors.clone());
            let (contacts, n) = (a.contacts, a.per_delivery);
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut next = Instant::now();
                while Instant::now() < deadline {
                    if let Some(iv) = per_conn_interval {
                        tokio::time::sleep_until(next.into()).await;
                        next += iv;
                    }
                    let body = delivery(&pnid, seq.fetch_add(1, Ordering::Relaxed), contacts, n);
                    let sig = signature::sign(secret.as_bytes(), body.as_bytes());
                    let t = Instant::now();
                    let ok = client
                        .post(&url)
                        .header("Content-Type", "application/json")
                        .header("X-Hub-Signature-256", sig)
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().is_success())
                        .unwrap_or(false);
                    if ok {
                        lat.push(t.elapsed());
                    } else {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap_or_default());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat = latencies;
    lat.sort();
    let messages = lat.len() * a.per_delivery;
    println!(
        "connections={} rate={} per_delivery={} seconds={:.1}: {} messages acknowledged, {:.0} messages/s, ack p50 {:.2} ms, p99 {:.2} ms, errors {}",
        a.connections,
        if a.rate == 0 { "max".to_string() } else { a.rate.to_string() },
        a.per_delivery,
        elapsed,
        messages,
        messages as f64 / elapsed,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        errors.load(Ordering::Relaxed)
    );
    if let Some(s) = server {
        // The server's own view: how many jobs each durable commit carried, and how long commits took.
        let metrics = rt.block_on(async {
            let url = format!("{}/metrics", s.url());
            reqwest::get(url).await.ok()?.text().await.ok()
        });
        let value = |name: &str| {
            metrics.as_deref().and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with(name))
                    .and_then(|l| l.rsplit(' ').next())
                    .and_then(|v| v.parse::<f64>().ok())
            })
        };
        if let (Some(commits), Some(jobs), Some(secs)) = (
            value("wafunnel_writer_commit_seconds_count"),
            value("wafunnel_writer_batch_jobs_sum"),
            value("wafunnel_writer_commit_seconds_sum"),
        ) {
            println!(
                "writer: {commits} commits, {:.1} jobs per commit, {:.2} ms per commit (apply + fsync)",
                jobs / commits.max(1.0),
                secs * 1000.0 / commits.max(1.0)
            );
        }
        s.stop();
    }
}
