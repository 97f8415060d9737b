//! Conversation list latency at scale: seeds N conversations (default
//! 1,000,000) through the writer on the product path (contact, conversation,
//! message, indexes), spread over 10 members and the unassigned queue, then
//! times `GET /api/conversations` over HTTP for the owner's view, a member's
//! own view, a lead's team view, and a deep page through the cursor.
//!
//! Run: `cargo bench --bench conversations` (option: `-- --conversations 200000`).
use std::time::Instant;

use wafunnel::{
    config::Config,
    contacts::Identity,
    conversations::{model::Source, repo, service},
    server::{self, StartOptions},
    store::{ids::MemberId, Store, StoreOptions},
};

mod support;
use support::{arg, pct};

const BATCH: usize = 2_000;

fn seed(store: &Store, n: usize) -> (String, String, String) {
    let (business, members) = support::business(store);
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let count = BATCH.min(n - done);
        let members: Vec<MemberId> = members.clone();
        let first = done;
        store
            .write_blocking(move |ctx| {
                for i in first..first + count {
                    let who = Identity {
                        name: Some(format!("Customer {i}")),
                        phone: Some(format!("+5511{:09}", i)),
                        ..Default::default()
                    };
                    let new = service::NewInbound {
                        wamid: Some(format!("wamid.BENCH{i:09}")),
                        kind: "text".into(),
                        text: format!("Hello, I am interested (lead {i})"),
                        details: "{}".into(),
                        reply_to: None,
                        sent_at: 1_764_000_000_000 + i as i64,
                    };
                    if let service::Recorded::Stored(s) =
                        service::record_inbound(ctx, business, None, Source::Whatsapp, &who, &new)?
                    {
                        // Every 11th stays unassigned; the rest go round the ten members.
                        let assignee = (i % 11 != 10).then(|| members[i % 11 % 10]);
                        let mut c = s.conversation.clone();
                        c.assignee_id = assignee;
                        repo::save(ctx, Some(&s.conversation), &c)?;
                    }
                }
                Ok(())
            })
            .expect("seed batch");
        done += count;
        if done % 100_000 == 0 {
            eprintln!(
                "seeded {done} conversations ({:.0}/s)",
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "seeded {n} conversations through the writer in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (
        "m0@bench.test".into(),
        "m1@bench.test".into(),
        "m5@bench.test".into(),
    )
}

fn main() {
    let n = arg("--conversations", 1_000_000) as usize;
    let dir = tempfile::tempdir().expect("tempdir");
    let (owner, lead, member) = {
        let store = Store::open(
            dir.path(),
            &wafunnel::schema::tables(),
            StoreOptions {
                max_batch: 64,
                cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
                metrics: Default::default(),
                writer_nice: 0,
            },
        )
        .expect("store");
        let logins = seed(&store, n);
        store.shutdown();
        logins
    };
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
    rt.block_on(async {
        println!("\n| view ({n} conversations) | requests | items/page | p50 (ms) | p99 (ms) |");
        println!("|---|---:|---:|---:|---:|");
        for (label, email, query) in [
            ("owner, all", &owner, "view=all"),
            ("owner, unassigned", &owner, "view=unassigned"),
            ("lead, team (all)", &lead, "view=all"),
            ("member, mine", &member, "view=mine"),
            (
                "owner, all, status=open filter",
                &owner,
                "view=all&status=open",
            ),
        ] {
            let client = support::login(&base, email).await;
            let mut times = Vec::new();
            let mut cursor: Option<String> = None;
            let mut items = 0;
            for i in 0..500 {
                // Every fifth request walks one page deeper through the cursor.
                let url = match (&cursor, i % 5) {
                    (Some(c), 4) => format!("{base}/api/conversations?{query}&limit=50&cursor={c}"),
                    _ => format!("{base}/api/conversations?{query}&limit=50"),
                };
                let t = Instant::now();
                let body: serde_json::Value = client
                    .get(url)
                    .send()
                    .await
                    .expect("list")
                    .json()
                    .await
                    .expect("json");
                times.push(t.elapsed());
                items = body["items"].as_array().map_or(0, Vec::len);
                if i % 5 == 4 || cursor.is_none() {
                    cursor = body["next_cursor"].as_str().map(str::to_string);
                }
            }
            println!(
                "| {label} | {} | {items} | {:.2} | {:.2} |",
                times.len(),
                pct(&mut times, 0.5),
                pct(&mut times, 0.99)
            );
        }
    });
    running.stop();
}
