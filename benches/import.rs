//! A 100 MB CSV of leads imported end to end by the real binary: generated
//! (about 900,000 rows of realistic names, phones, emails, notes and labels;
//! 5 % repeat an earlier phone, 1 % are bad: invalid phone, invalid email or
//! a wrong column count), uploaded over HTTP, mapped as the preview suggests,
//! run, and polled until done. Reports wall time, rows/s and the server's peak
//! RSS (VmHWM), and, in the same run, the raw writer bound: the same CSV parsed
//! and the records the product keeps per lead (contact, its phone and email
//! index entries, conversation, its three index entries, the lead message)
//! written straight through the store's writer in the product's batch size, with no
//! lookup, validation or logic.
//!
//! With `--kill-halfway 1` the server is `kill -9`ed once half the rows are
//! in, restarted, and the job must finish by itself with the same counts.
//!
//! Run: `cargo bench --bench import` (options: `-- --megabytes 100 --kill-halfway 1`).
use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use redb::TableDefinition;
use serde_json::{json, Value};
use wafunnel::{
    contacts::Contact,
    conversations::model::{Conversation, Direction, Message, MessageStatus, Source},
    imports::csv_run::BATCH,
    store::{
        codec,
        ids::{BusinessId, ContactId, MessageId},
        Store, StoreOptions, TableSpec, Tbl,
    },
};

mod support;
use support::{arg, Lcg};

const BIN: &str = env!("CARGO_BIN_EXE_wafunnel");
const NOTES: &[&str] = &[
    "Quer orçamento de instalação",
    "Pediu retorno pela manhã",
    "Interessado no plano anual",
    "Veio pela feira de negócios",
    "Cliente antigo por indicação",
    "Perguntou sobre frete grátis",
];
const LABELS: &[&str] = &["lead", "feira", "site", "vip", "indicacao", "instagram"];

/// What the generator knows the import must report.
struct Expected {
    rows: u64,
    done: u64,
    failed: u64,
    skipped: u64,
}

/// Writes the CSV and what importing it must give (duplicates `skip`).
fn generate(path: &Path, bytes: u64) -> Expected {
    let mut imported_phones = std::collections::HashSet::new();
    let (mut done, mut skipped) = (0u64, 0u64);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(out, "Nome,Telefone,E-mail,Observação,Etiquetas").expect("write");
    let (mut written, mut rows, mut bad, mut dupes) = (0u64, 0u64, 0u64, 0u64);
    let mut rng = Lcg(42);
    while written < bytes {
        let i = rows;
        let (first, last) = (rng.pick(support::FIRST_NAMES), rng.pick(support::SURNAMES));
        let phone_n = if i > 100 && rng.next() % 100 < 5 {
            dupes += 1;
            rng.next() % (i / 2)
        } else {
            i
        };
        let phone = format!(
            "(11) 9{:04}-{:04}",
            (phone_n / 10_000) % 10_000,
            phone_n % 10_000
        );
        let email = format!(
            "{}.{}{}@exemplo.com.br",
            first.to_lowercase(),
            last.to_lowercase(),
            i
        );
        let labels = format!("{};{}", rng.pick(LABELS), rng.pick(LABELS));
        let line = match (rng.next() % 100 == 0, rng.next() % 3) {
            (true, 0) => format!(
                "{first} {last},12,{email},{},\"{labels}\"\n",
                rng.pick(NOTES)
            ),
            (true, 1) => format!(
                "{first} {last},{phone},{first}@,{},\"{labels}\"\n",
                rng.pick(NOTES)
            ),
            (true, _) => format!("{first} {last},{phone}\n"),
            _ => format!(
                "{first} {last},{phone},{email},{},\"{labels}\"\n",
                rng.pick(NOTES)
            ),
        };
        if line.matches(',').count() != 4 || line.contains(",12,") || line.contains("@,") {
            bad += 1;
        } else if imported_phones.insert(phone_n) {
            done += 1;
        } else {
            skipped += 1;
        }
        out.write_all(line.as_bytes()).expect("write");
        written += line.len() as u64;
        rows += 1;
    }
    out.flush().expect("flush");
    println!("{dupes} rows repeat an earlier row's phone");
    Expected {
        rows,
        done,
        failed: bad,
        skipped,
    }
}

const BARE: [Tbl; 8] = [
    TableDefinition::new("bare_contacts"),
    TableDefinition::new("bare_contacts_by_phone"),
    TableDefinition::new("bare_contacts_by_email"),
    TableDefinition::new("bare_conversations"),
    TableDefinition::new("bare_by_activity"),
    TableDefinition::new("bare_by_assignee"),
    TableDefinition::new("bare_by_channel"),
    TableDefinition::new("bare_messages"),
];

/// Rows/s of the raw writer: the CSV parsed and each lead's records written
/// as they are, as many rows to a commit as the product's batches hold.
fn raw_bound(csv_path: &Path) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let tables: Vec<TableSpec> = BARE
        .iter()
        .map(|&def| TableSpec {
            def,
            verify: |_| Ok(()),
        })
        .collect();
    let store = Store::open(
        dir.path(),
        &tables,
        StoreOptions {
            max_batch: 64,
            cache_bytes: wafunnel::store::DEFAULT_CACHE_MB << 20,
            metrics: Default::default(),
            writer_nice: 0,
        },
    )
    .expect("store");
    let business = BusinessId::new();
    let started = Instant::now();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(csv_path)
        .expect("csv");
    let mut rows = 0u64;
    let mut batch: Vec<csv::StringRecord> = Vec::with_capacity(BATCH);
    let flush = |batch: Vec<csv::StringRecord>| {
        store
            .write_blocking(move |ctx| {
                for r in &batch {
                    let now = wafunnel::time::now_ms();
                    let contact = Contact {
                        id: ContactId::new(),
                        business_id: business,
                        name: r.get(0).unwrap_or_default().to_string(),
                        phone: r.get(1).map(str::to_string),
                        wa_user_id: None,
                        email: r.get(2).map(str::to_string),
                        created_at: now,
                        updated_at: now,
                    };
                    let mut c =
                        Conversation::start(business, contact.id, None, Source::Import, now);
                    c.labels = r
                        .get(4)
                        .unwrap_or_default()
                        .split(';')
                        .map(str::to_string)
                        .collect();
                    let m = Message {
                        id: MessageId::new(),
                        business_id: business,
                        conversation_id: c.id,
                        direction: Direction::In,
                        kind: "lead".into(),
                        text: r.get(3).unwrap_or_default().to_string(),
                        details: json!({"row": contact.id}).to_string(),
                        wa_message_id: None,
                        status: MessageStatus::Received,
                        error: None,
                        author_id: None,
                        reply_to: None,
                        reactions: Vec::new(),
                        created_at: now,
                        updated_at: now,
                    };
                    let id = contact.id.bytes();
                    ctx.put_raw(BARE[0], &id, &codec::encode(&contact))?;
                    ctx.put_raw(
                        BARE[1],
                        contact.phone.as_deref().unwrap_or_default().as_bytes(),
                        &id,
                    )?;
                    ctx.put_raw(
                        BARE[2],
                        contact.email.as_deref().unwrap_or_default().as_bytes(),
                        &id,
                    )?;
                    ctx.put_raw(BARE[3], &c.id.bytes(), &codec::encode(&c))?;
                    ctx.put_raw(
                        BARE[4],
                        &[&now.to_be_bytes()[..], &c.id.bytes()].concat(),
                        &[],
                    )?;
                    ctx.put_raw(BARE[5], &[&[0u8; 16][..], &c.id.bytes()].concat(), &[])?;
                    ctx.put_raw(BARE[6], &id, &c.id.bytes())?;
                    ctx.put_raw(
                        BARE[7],
                        &[&c.id.bytes()[..], &m.id.bytes()].concat(),
                        &codec::encode(&m),
                    )?;
                }
                Ok(())
            })
            .expect("raw batch");
    };
    for record in reader.records() {
        let Ok(r) = record else { continue };
        batch.push(r);
        rows += 1;
        if batch.len() == BATCH {
            flush(std::mem::take(&mut batch));
        }
    }
    flush(batch);
    let secs = started.elapsed().as_secs_f64();
    store.shutdown();
    rows as f64 / secs
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `WAFUNNEL_BENCH_WRAP="heaptrack -o FILE"` runs the server under a
/// profiler (build with `--no-default-features` so the system allocator serves).
fn server_command() -> Command {
    let wrap = std::env::var("WAFUNNEL_BENCH_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(BIN);
            c
        }
        None => Command::new(BIN),
    }
}

fn serve(data: &Path) -> (std::process::Child, String) {
    let mut child = server_command()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // A profiler may print before the server does.
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("http://"))
                .map(str::to_string)
        })
        .expect("the server's address");
    // Kept open and drained, so later output never meets a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, base)
}

async fn status(http: &reqwest::Client, base: &str, id: &str) -> Value {
    http.get(format!("{base}/api/imports/{id}"))
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json")
}

fn processed(i: &Value) -> u64 {
    ["rows_done", "rows_failed", "rows_skipped"]
        .iter()
        .map(|k| i[*k].as_u64().unwrap_or(0))
        .sum()
}

fn main() {
    let megabytes = arg("--megabytes", 100);
    let kill_halfway = arg("--kill-halfway", 0) == 1;
    let work = tempfile::tempdir().expect("tempdir");
    let csv_path = work.path().join("leads.csv");
    // 100 MB as the upload limit counts it, less room for the multipart framing.
    let expected = generate(&csv_path, megabytes * 1024 * 1024 - 64 * 1024);
    let size = std::fs::metadata(&csv_path).expect("csv").len();
    println!(
        "generated {} rows, {:.1} MB: {} to import, {} bad, {} repeating an imported phone",
        expected.rows,
        size as f64 / 1048576.0,
        expected.done,
        expected.failed,
        expected.skipped,
    );
    let raw = raw_bound(&csv_path);
    println!("raw writer bound: {raw:.0} rows/s ({BATCH} rows a commit)");

    let data = work.path().join("data");
    let created = Command::new(BIN)
        .args([
            "tenant",
            "create",
            "--name",
            "Import",
            "--owner-email",
            "o@import.test",
        ])
        .args(["--owner-password", support::PASSWORD, "--data-dir"])
        .arg(&data)
        .output()
        .expect("tenant");
    assert!(created.status.success());
    let (mut child, base) = serve(&data);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (http, csrf) = support::login_with_csrf(&base, "o@import.test").await;
        let upload_started = Instant::now();
        let file = tokio::fs::File::open(&csv_path).await.expect("open");
        let body = reqwest::Body::wrap_stream(tokio_util_stream(file));
        let form = reqwest::multipart::Form::new().text("kind", "csv").part(
            "file",
            reqwest::multipart::Part::stream_with_length(body, size).file_name("leads.csv"),
        );
        let r = http
            .post(format!("{base}/api/imports"))
            .header("X-CSRF-Token", &csrf)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), 202, "upload");
        let id = r.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_string();
        let upload = upload_started.elapsed().as_secs_f64();
        let preview: Value = http
            .get(format!("{base}/api/imports/{id}/preview"))
            .send()
            .await
            .expect("preview")
            .json()
            .await
            .expect("json");
        let r = http
            .put(format!("{base}/api/imports/{id}/mapping"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({"columns": preview["suggested"], "default_country": "BR", "duplicates": "skip"}))
            .send()
            .await
            .expect("mapping");
        assert!(r.status().is_success(), "mapping: {}", r.text().await.unwrap_or_default());
        let started = Instant::now();
        let r = http
            .post(format!("{base}/api/imports/{id}/start"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({}))
            .send()
            .await
            .expect("start");
        assert_eq!(r.status(), 202);
        let mut peak_rss = 0.0f64;
        let mut killed_at = None;
        let (mut http, mut base) = (http, base);
        let done = loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            peak_rss = peak_rss.max(peak_rss_mb(child.id()));
            let i = status(&http, &base, &id).await;
            if i["status"] != "running" {
                break i;
            }
            if kill_halfway && killed_at.is_none() && processed(&i) >= expected.rows / 2 {
                child.kill().expect("kill -9");
                child.wait().expect("wait");
                let after_kill = Instant::now();
                let (c, b) = serve(&data);
                (child, base) = (c, b);
                (http, _) = support::login_with_csrf(&base, "o@import.test").await;
                let resumed = status(&http, &base, &id).await;
                killed_at = Some((processed(&i), processed(&resumed), after_kill.elapsed()));
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let rate = processed(&done) as f64 / secs;
        if let Some((seen, committed, restart)) = killed_at {
            println!(
                "kill -9 after {seen} rows seen processed; {committed} committed at the restart ({:.2} s to serve again)",
                restart.as_secs_f64()
            );
        }
        let counts = [
            done["rows_done"].as_u64(),
            done["rows_failed"].as_u64(),
            done["rows_skipped"].as_u64(),
        ];
        let want = [Some(expected.done), Some(expected.failed), Some(expected.skipped)];
        println!(
            "\n| import of {:.1} MB, {} rows{} | value |\n|---|---:|\n| upload (HTTP, streamed to disk) | {upload:.1} s |\n\
             | status | {} |\n| rows imported / failed / skipped as duplicates | {} / {} / {} |\n\
             | the generator's count | {} / {} / {} |\n\
             | wall time, start to completed | {secs:.1} s |\n| rows/s | {rate:.0} |\n\
             | raw writer bound, same records, same run | {raw:.0} rows/s |\n| product / raw | {:.2} |\n\
             | server peak RSS (VmHWM) | {peak_rss:.0} MB |",
            size as f64 / 1048576.0,
            expected.rows,
            if kill_halfway { ", kill -9 halfway" } else { "" },
            done["status"],
            done["rows_done"],
            done["rows_failed"],
            done["rows_skipped"],
            expected.done,
            expected.failed,
            expected.skipped,
            rate / raw,
        );
        assert_eq!(done["status"], "completed");
        assert_eq!(counts, want, "every row once: none lost, none twice");
    });
    let _ = child.kill();
    let _ = child.wait();
}

/// The file as a stream of chunks, never whole in memory.
fn tokio_util_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<Vec<u8>>> {
    futures_util::stream::unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), file))
            }
            Err(e) => Some((Err(e), file)),
        }
    })
}
