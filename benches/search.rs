//! Search at scale. Seeds a business with 20,000 conversations holding
//! 1,000,000 messages (sentences drawn from a Portuguese/English/Spanish
//! vocabulary with a long tail of rare words, over a year, ten members and
//! the queue), rebuilds the index as `wafunnel reindex` does, then times
//! `GET /api/search` over HTTP: a common word, a rare word, a phrase, a typo,
//! a name prefix and phones in three formats, for the owner and for a member,
//! against `GET /api/auth/me` on the same server in the same run. Last, it
//! sends signed WhatsApp webhooks at a steady rate (default 5,000 messages/s)
//! and measures how long after each sampled message's 200 it is searchable.
//!
//! Run: `cargo bench --bench search` (options: `-- --messages 1000000
//! --requests 200 --rate 5000 --seconds 10`).
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use wafunnel::{
    config::Config,
    contacts::{self, Identity},
    conversations::{
        model::{Conversation, Direction, Message, MessageStatus, Source},
        repo,
    },
    server::{self, StartOptions},
    store::{ids::MessageId, Store},
};

mod support;
use support::{arg, pct, Lcg};

const PER_CONVERSATION: usize = 50;
const APP_SECRET: &str = "bench-app-secret";
const COMMON: &[&str] = &[
    "olá",
    "bom",
    "dia",
    "boa",
    "tarde",
    "quero",
    "saber",
    "preço",
    "entrega",
    "amanhã",
    "hoje",
    "obrigado",
    "obrigada",
    "por",
    "favor",
    "pedido",
    "produto",
    "pagamento",
    "pix",
    "cartão",
    "boleto",
    "desconto",
    "frete",
    "grátis",
    "endereço",
    "rua",
    "número",
    "cep",
    "horário",
    "loja",
    "aberta",
    "fechada",
    "sábado",
    "domingo",
    "segunda",
    "hello",
    "price",
    "delivery",
    "tomorrow",
    "order",
    "thanks",
    "please",
    "payment",
    "card",
    "address",
    "store",
    "open",
    "hola",
    "precio",
    "envío",
    "mañana",
    "gracias",
    "pedido",
    "tienda",
    "abierta",
    "o",
    "a",
    "de",
    "que",
    "e",
    "do",
    "da",
    "em",
    "um",
    "para",
    "é",
    "com",
    "não",
    "uma",
    "os",
    "no",
    "se",
    "na",
    "mais",
    "as",
    "the",
    "to",
    "is",
    "my",
    "when",
    "can",
    "you",
    "el",
    "la",
    "es",
    "cuándo",
    "puedo",
    "tamanho",
    "cor",
    "azul",
    "vermelho",
    "preto",
    "branco",
    "camiseta",
    "tênis",
    "sapato",
    "vestido",
    "calça",
    "garantia",
    "troca",
    "devolução",
    "nota",
    "fiscal",
    "orçamento",
    "instalação",
    "visita",
    "técnico",
    "agendar",
    "confirmar",
    "cancelar",
    "reembolso",
    "atraso",
    "rastreio",
];

/// A sentence of 4–14 words; one in ten carries a rare code word.
fn sentence(rng: &mut Lcg) -> String {
    let n = 4 + rng.next() % 11;
    let mut words: Vec<String> = (0..n).map(|_| rng.pick(COMMON).to_string()).collect();
    if rng.next() % 10 == 0 {
        words.push(format!("ref{}", rng.next() % 200_000));
    }
    words.join(" ")
}

fn phone(i: usize) -> String {
    format!("+55119{:08}", i)
}

fn seed(store: &Store, messages: usize) -> usize {
    let (business, members) = support::business(store);
    let conversations = messages.div_ceil(PER_CONVERSATION);
    let now = wafunnel::time::now_ms();
    let started = Instant::now();
    let per_write = 400;
    let mut done = 0;
    while done < conversations {
        let count = per_write.min(conversations - done);
        let (first, members) = (done, members.clone());
        store
            .write_blocking(move |ctx| {
                let mut rng = Lcg(first as u64 + 11);
                for i in first..first + count {
                    let name = format!(
                        "{} {}",
                        rng.pick(support::FIRST_NAMES),
                        rng.pick(support::SURNAMES)
                    );
                    let who = Identity {
                        name: Some(name),
                        phone: Some(phone(i)),
                        ..Default::default()
                    };
                    let (contact, _) = contacts::upsert(ctx, business, &who)?;
                    let created = now - (rng.next() % 31_536_000_000) as i64;
                    let mut c =
                        Conversation::start(business, contact.id, None, Source::Whatsapp, created);
                    c.assignee_id = (i % 11 != 10).then(|| members[i % 11 % 10]);
                    for k in 0..PER_CONVERSATION {
                        let at = created + k as i64 * 60_000;
                        let inbound = k % 2 == 0;
                        let m = Message {
                            id: MessageId::from_bytes(
                                &ulid::Ulid::from_parts(at as u64, rng.next() as u128).to_bytes(),
                            )
                            .expect("16 bytes"),
                            business_id: business,
                            conversation_id: c.id,
                            direction: if inbound {
                                Direction::In
                            } else {
                                Direction::Out
                            },
                            kind: "text".into(),
                            text: sentence(&mut rng),
                            details: "{}".into(),
                            wa_message_id: None,
                            status: if inbound {
                                MessageStatus::Received
                            } else {
                                MessageStatus::Read
                            },
                            error: None,
                            author_id: None,
                            reply_to: None,
                            reactions: Vec::new(),
                            created_at: at,
                            updated_at: at,
                        };
                        repo::save_message(ctx, &m)?;
                    }
                    c.updated_at = created + PER_CONVERSATION as i64 * 60_000;
                    repo::save(ctx, None, &c)?;
                }
                Ok(())
            })
            .expect("seed batch");
        done += count;
    }
    println!(
        "seeded {} messages in {conversations} conversations in {:.1} s",
        conversations * PER_CONVERSATION,
        started.elapsed().as_secs_f64()
    );
    conversations
}

/// Times `requests` searches of each query, after one warm-up each.
async fn time_queries(base: &str, requests: usize, conversations: usize) {
    println!(
        "\n| query | who | requests | hits on page 1 | p50 (ms) | p99 (ms) | p99 / baseline p99 |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    let target = conversations / 3;
    let digits = phone(target);
    let national = format!("({}) {}-{}", &digits[3..5], &digits[5..10], &digits[10..]);
    let queries: Vec<(&str, String)> = vec![
        ("baseline: GET /api/auth/me", String::new()),
        ("common word", "entrega".into()),
        ("two words", "desconto pix".into()),
        ("rare word", "ref4242".into()),
        ("phrase", "\"preço da entrega\"".into()),
        ("typo (one edit)", "garatnia".into()),
        ("name prefix, contacts", "mari&kind=contacts".into()),
        ("phone, E.164", digits.replace('+', "%2B")),
        ("phone, national format", national.replace(' ', "%20")),
        (
            "phone, last 4 digits",
            digits[digits.len() - 4..].to_string(),
        ),
        ("common word, newest first", "entrega&sort=newest".into()),
    ];
    let mut baseline = None;
    for (email, who) in [("m0@bench.test", "owner"), ("m5@bench.test", "member")] {
        let client = support::login(base, email).await;
        for (label, q) in &queries {
            let path = if q.is_empty() {
                "/api/auth/me".to_string()
            } else {
                format!("/api/search?q={q}")
            };
            let mut times = Vec::with_capacity(requests);
            let mut hits = 0;
            for i in 0..=requests {
                let t = Instant::now();
                let body: serde_json::Value = client
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .expect("search")
                    .json()
                    .await
                    .expect("json");
                if i > 0 {
                    times.push(t.elapsed());
                }
                hits = body["items"].as_array().map_or(0, Vec::len);
            }
            let (p50, p99) = (pct(&mut times, 0.5), pct(&mut times, 0.99));
            let base_p99 = *baseline.get_or_insert(p99);
            println!(
                "| {label} | {who} | {requests} | {hits} | {p50:.2} | {p99:.2} | {:.1}× |",
                p99 / base_p99
            );
        }
    }
}

/// Webhooks at `rate` messages/s for `seconds`; every 250th message carries
/// a unique word, and a prober measures when each becomes searchable.
async fn index_lag(base: &str, rate: u64, seconds: u64) {
    let (owner, csrf) = support::login_with_csrf(base, "m0@bench.test").await;
    let r = owner
        .post(format!("{base}/api/whatsapp/numbers"))
        .header("X-CSRF-Token", csrf)
        .json(&serde_json::json!({"phone_number_id": "LAG", "display_phone_number": "+1", "waba_id": "W", "access_token": "t"}))
        .send()
        .await
        .expect("number");
    assert!(r.status().is_success(), "register the number");
    let http = reqwest::Client::new();
    let sent = Arc::new(AtomicU64::new(0));
    let total = rate * seconds;
    let senders = 32;
    let started = Instant::now();
    let (probe_tx, mut probe_rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let mut tasks = Vec::new();
    for s in 0..senders {
        let (http, base, sent, probe_tx) = (
            http.clone(),
            base.to_string(),
            sent.clone(),
            probe_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = s;
            while i < total {
                // Paced: message i is due at i / rate seconds.
                let due = started + Duration::from_secs_f64(i as f64 / rate as f64);
                tokio::time::sleep_until(due.into()).await;
                let probe = i % 250 == 0;
                let word = format!("lagprobe{i}");
                let text = if probe { word.clone() } else { format!("mensagem {i} sobre entrega") };
                let body = serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": "LAG"},
                    "contacts": [{"profile": {"name": format!("Lag {}", i % 500)}, "wa_id": format!("55219{:08}", i % 500)}],
                    "messages": [{"from": format!("55219{:08}", i % 500), "id": format!("wamid.LAG{i}"), "timestamp": "1764000000", "type": "text", "text": {"body": text}}]}}]}]})
                    .to_string();
                let sig = wafunnel::channels::whatsapp::signature::sign(APP_SECRET.as_bytes(), body.as_bytes());
                let ok = http
                    .post(format!("{base}/webhooks/whatsapp"))
                    .header("X-Hub-Signature-256", sig)
                    .header("Content-Type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    sent.fetch_add(1, Ordering::Relaxed);
                    if probe {
                        let _ = probe_tx.send((word, Instant::now()));
                    }
                }
                i += senders;
            }
        }));
    }
    drop(probe_tx);
    let mut lags = Vec::new();
    while let Some((word, acked)) = probe_rx.recv().await {
        loop {
            let body: serde_json::Value = owner
                .get(format!("{base}/api/search?q={word}&kind=messages"))
                .send()
                .await
                .expect("probe")
                .json()
                .await
                .expect("json");
            if body["items"].as_array().is_some_and(|a| !a.is_empty()) {
                lags.push(acked.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    for t in tasks {
        t.await.expect("sender");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = sent.load(Ordering::Relaxed);
    let max = lags.iter().max().copied().unwrap_or_default();
    let (p50, p99) = (pct(&mut lags, 0.5), pct(&mut lags, 0.99));
    println!(
        "\nindex lag while ingesting webhooks: {n} messages acknowledged in {elapsed:.1} s ({:.0}/s, target {rate}/s); \
         {} probes searchable after their 200: p50 {p50:.0} ms, p99 {p99:.0} ms, max {:.0} ms",
        n as f64 / elapsed,
        lags.len(),
        max.as_secs_f64() * 1000.0
    );
}

fn main() {
    let messages = arg("--messages", 1_000_000) as usize;
    let requests = arg("--requests", 200) as usize;
    let rate = arg("--rate", 5_000);
    let seconds = arg("--seconds", 10);
    let dir = tempfile::tempdir().expect("tempdir");
    let conversations;
    {
        let store = support::open_store(dir.path());
        conversations = seed(&store, messages);
        let t = Instant::now();
        let said = wafunnel::search::reindex_offline(&store).expect("reindex");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{} in {secs:.1} s ({:.0} messages/s)",
            said.trim(),
            messages as f64 / secs
        );
        store.shutdown();
    }
    let mut config = Config::default();
    config.server.data_dir = dir.path().to_path_buf();
    config.server.listen = "127.0.0.1:0".into();
    config.meta.app_secret = APP_SECRET.into();
    let running = server::start(
        config,
        StartOptions {
            handle_signals: false,
        },
    )
    .expect("server");
    let base = running.url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        time_queries(&base, requests, conversations).await;
        index_lag(&base, rate, seconds).await;
    });
    running.stop();
}
