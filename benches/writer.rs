//! Writer benchmark: 64 concurrent tasks write small records through the
//! writer with group commit, then through the same writer capped at one record
//! per transaction (one durable commit per write). Reports records/s and the
//! p50/p99 wait from submit to durable commit for both, and their ratio.
//!
//! Run: `cargo bench --bench writer` (options: `-- --tasks 64 --seconds 5`).
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use redb::TableDefinition;
use wafunnel::{
    error::ApiError,
    metrics::Metrics,
    store::{ids::RecordId, Store, StoreOptions, TableSpec, Tbl},
};

const BENCH: Tbl = TableDefinition::new("bench_records");

struct Outcome {
    records: usize,
    elapsed: Duration,
    waits: Vec<Duration>,
    commits: u64,
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run(max_batch: usize, tasks: usize, seconds: u64) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    let metrics = Metrics::default();
    let spec = TableSpec {
        def: BENCH,
        verify: |_| Ok(()),
    };
    let store = Store::open(
        dir.path(),
        &[spec],
        StoreOptions {
            max_batch,
            cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
            metrics: metrics.clone(),
            writer_nice: 0,
        },
    )
    .expect("store");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut waits = Vec::new();
            while Instant::now() < deadline {
                // Time-ordered keys, as every record id in the product is a ULID.
                let key = RecordId::new().bytes();
                let value = vec![0xabu8; 100];
                let t = Instant::now();
                store
                    .write(move |ctx| ctx.put_raw(BENCH, &key, &value).map_err(ApiError::from))
                    .await
                    .expect("write");
                waits.push(t.elapsed());
            }
            waits
        }));
    }
    let mut waits = Vec::new();
    for h in handles {
        waits.extend(h.await.expect("task"));
    }
    let elapsed = started.elapsed();
    let store = Arc::new(store);
    store.shutdown();
    waits.sort();
    Outcome {
        records: waits.len(),
        elapsed,
        waits,
        commits: metrics.commits(),
    }
}

fn pct(waits: &[Duration], p: f64) -> f64 {
    if waits.is_empty() {
        return 0.0;
    }
    let i = ((waits.len() as f64 - 1.0) * p).round() as usize;
    waits[i].as_secs_f64() * 1000.0
}

fn main() {
    let tasks = arg("--tasks", 64) as usize;
    let seconds = arg("--seconds", 5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    println!("writer benchmark: {tasks} concurrent tasks, {seconds} s per mode, 100-byte records, Durability::Immediate\n");
    println!(
        "| mode | records | records/s | commits | records/commit | wait p50 (ms) | wait p99 (ms) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut rates = Vec::new();
    for (name, max_batch) in [
        ("group commit (one writer, batches up to 1024)", 1024),
        ("one transaction per write", 1),
    ] {
        let o = rt.block_on(run(max_batch, tasks, seconds));
        let rate = o.records as f64 / o.elapsed.as_secs_f64();
        rates.push(rate);
        println!(
            "| {name} | {} | {:.0} | {} | {:.1} | {:.2} | {:.2} |",
            o.records,
            rate,
            o.commits,
            o.records as f64 / o.commits.max(1) as f64,
            pct(&o.waits, 0.50),
            pct(&o.waits, 0.99)
        );
    }
    println!(
        "\ngroup commit / one transaction per write = {:.1}x",
        rates[0] / rates[1].max(1e-9)
    );
}
