//! Dashboard latency at scale: seeds a business with N conversations
//! (default 100,000) spread over the last 365 days through the product's
//! write path (contact, conversation and the dashboard's counters in the same
//! write): five sources, ten members and the queue, 30 % closed, 5 % won,
//! 70 % answered after a random delay, 2,000 follow-ups of which many are
//! overdue. Then times `GET /api/dashboard` over HTTP for the owner (last 30
//! days, the whole year), a team lead and a member, against `GET /api/auth/me`
//! on the same server in the same run as the baseline.
//!
//! Run: `cargo bench --bench dashboard` (option: `-- --conversations 200000`).
use std::time::Instant;

use wafunnel::{
    config::Config,
    contacts::{self, Identity},
    conversations::{
        model::{Conversation, Source, Status},
        repo,
    },
    server::{self, StartOptions},
    store::{ids::RecordId, Store},
};

mod support;
use support::{arg, pct, Lcg};

const BATCH: usize = 2_000;
const DAY_MS: i64 = 86_400_000;

fn seed(store: &Store, n: usize) {
    let (business, members) = support::business(store);
    let now = wafunnel::time::now_ms();
    let started = Instant::now();
    let sources = [
        Source::Whatsapp,
        Source::Whatsapp,
        Source::Walkin,
        Source::Webhook,
        Source::Facebook,
        Source::Manual,
    ];
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let (first, members) = (done, members.clone());
        store
            .write_blocking(move |ctx| {
                let mut rng = Lcg(first as u64 + 7);
                for i in first..first + count {
                    let who = Identity {
                        name: Some(format!("Customer {i}")),
                        phone: Some(format!("+5511{:09}", i)),
                        ..Default::default()
                    };
                    let (contact, _) = contacts::upsert(ctx, business, &who)?;
                    let created = now - (rng.next() % (365 * DAY_MS as u64)) as i64;
                    let source = sources[i % sources.len()];
                    let mut c = Conversation::start(business, contact.id, None, source, created);
                    c.assignee_id = (i % 11 != 10).then(|| members[i % 11 % 10]);
                    if rng.next() % 10 < 3 {
                        c.status = Status::Closed;
                        if rng.next() % 6 == 0 {
                            c.labels.push("won".into());
                        }
                    }
                    repo::save(ctx, None, &c)?;
                    if let (Some(m), true) = (c.assignee_id, rng.next() % 10 < 7) {
                        let delay = (rng.next() % 7_200_000) as i64;
                        wafunnel::dashboard::record::replied(ctx, &c, m, created + delay)?;
                    }
                    if i % 50 == 0 {
                        let due = created + 3 * DAY_MS;
                        let mut f = wafunnel::followups::Followup {
                            id: RecordId::new(),
                            business_id: business,
                            conversation_id: c.id,
                            note: "Call back".into(),
                            scheduled_for: due,
                            assignee_id: c.assignee_id.unwrap_or(members[0]),
                            created_by: members[0],
                            done_at: (rng.next() % 2 == 0).then_some(due),
                            timer_seq: 0,
                            reminded_seq: 0,
                            created_at: created,
                            updated_at: created,
                        };
                        f.timer_seq = 1;
                        wafunnel::followups::save(ctx, None, &f)?;
                    }
                }
                Ok(())
            })
            .expect("seed batch");
        done += count;
    }
    println!(
        "seeded {n} conversations over 365 days through the write path in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let n = arg("--conversations", 100_000) as usize;
    let requests = arg("--requests", 300) as usize;
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = support::open_store(dir.path());
        seed(&store, n);
        store.shutdown();
    }
    let mut config = Config::default();
    config.server.data_dir = dir.path().to_path_buf();
    config.server.listen = "127.0.0.1:0".into();
    let running = server::start(
        config,
        StartOptions {
            handle_signals: false,
        },
    )
    .expect("server");
    let base = running.url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let today = chrono::Utc::now().date_naive();
    let year_ago = (today - chrono::Days::new(365)).to_string();
    rt.block_on(async {
        println!("\n| request ({n} conversations) | requests | p50 (ms) | p99 (ms) | p99 / baseline p99 |");
        println!("|---|---:|---:|---:|---:|");
        let mut baseline = None;
        for (label, email, path) in [
            ("baseline: owner, GET /api/auth/me", "m0@bench.test", "/api/auth/me".to_string()),
            ("owner, last 30 days", "m0@bench.test", "/api/dashboard".to_string()),
            ("owner, last 365 days", "m0@bench.test", format!("/api/dashboard?from={year_ago}")),
            ("lead, team, last 30 days", "m1@bench.test", "/api/dashboard".to_string()),
            ("member, own, last 30 days", "m5@bench.test", "/api/dashboard".to_string()),
        ] {
            let client = support::login(&base, email).await;
            let mut times = Vec::with_capacity(requests);
            let mut leads = 0;
            for _ in 0..requests {
                let t = Instant::now();
                let body: serde_json::Value = client
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .expect("dashboard")
                    .json()
                    .await
                    .expect("json");
                times.push(t.elapsed());
                leads = body["totals"]["leads"].as_u64().unwrap_or(0);
            }
            let (p50, p99) = (pct(&mut times, 0.5), pct(&mut times, 0.99));
            let base_p99 = *baseline.get_or_insert(p99);
            println!(
                "| {label} (leads in range: {leads}) | {} | {p50:.2} | {p99:.2} | {:.1}× |",
                times.len(),
                p99 / base_p99
            );
        }
    });
    running.stop();
}
