//! A 100 MB CSV of leads imported end to end by the real binary: generated
//! (about 900,000 rows of realistic names, phones, emails, notes and labels;
//! 5 % repeat an earlier phone, 1 % are bad: invalid phone, invalid email or
//! a wrong column count), uploaded over HTTP, mapped as the preview suggests,
//! run, and polled until done. Reports wall time, rows/s and the server's peak
//! RSS (VmHWM), and, in the same run, the raw writer bound: the same CSV parsed
//! and the records the product keeps per lead (contact, its phone and email
//! index entries, conversation, its three index entries, the lead message)
//! written straight through the store's writer in batches of 500, with no
//! lookup, validation or logic.
//!
//! Run: `cargo bench --bench import` (option: `-- --megabytes 100`).
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

/// Writes the CSV; returns (rows, rows expected to fail, rows repeating a phone).
fn generate(path: &Path, bytes: u64) -> (u64, u64, u64) {
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
        }
        out.write_all(line.as_bytes()).expect("write");
        written += line.len() as u64;
        rows += 1;
    }
    out.flush().expect("flush");
    (rows, bad, dupes)
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
/// as they are, 500 rows to a commit.
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
            metrics: Default::default(),
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
    let mut batch: Vec<csv::StringRecord> = Vec::with_capacity(500);
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
        if batch.len() == 500 {
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

fn main() {
    let megabytes = arg("--megabytes", 100);
    let work = tempfile::tempdir().expect("tempdir");
    let csv_path = work.path().join("leads.csv");
    // 100 MB as the upload limit counts it, less room for the multipart framing.
    let (rows, bad, dupes) = generate(&csv_path, megabytes * 1024 * 1024 - 64 * 1024);
    let size = std::fs::metadata(&csv_path).expect("csv").len();
    println!(
        "generated {rows} rows, {:.1} MB ({bad} bad, {dupes} repeating a phone)",
        size as f64 / 1048576.0
    );
    let raw = raw_bound(&csv_path);
    println!("raw writer bound: {raw:.0} rows/s");

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
        .args(["--owner-password", "long-password", "--data-dir"])
        .arg(&data)
        .output()
        .expect("tenant");
    assert!(created.status.success());
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let first = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .next()
        .expect("a line")
        .expect("utf-8");
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("url")
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let pid = child.id();
    rt.block_on(async {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let login = http
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"email": "o@import.test", "password": "long-password"}))
            .send()
            .await
            .expect("login");
        assert!(login.status().is_success());
        let csrf = login
            .cookies()
            .find(|c| c.name() == "wf_csrf")
            .map(|c| c.value().to_string())
            .unwrap_or_default();
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
        let done = loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let i: Value = http
                .get(format!("{base}/api/imports/{id}"))
                .send()
                .await
                .expect("poll")
                .json()
                .await
                .expect("json");
            if i["status"] != "running" {
                break i;
            }
        };
        let secs = started.elapsed().as_secs_f64();
        let processed = done["rows_done"].as_u64().unwrap_or(0)
            + done["rows_failed"].as_u64().unwrap_or(0)
            + done["rows_skipped"].as_u64().unwrap_or(0);
        let rate = processed as f64 / secs;
        println!(
            "\n| import of {:.1} MB, {rows} rows | value |\n|---|---:|\n| upload (HTTP, streamed to disk) | {upload:.1} s |\n\
             | status | {} |\n| rows imported / failed / skipped as duplicates | {} / {} / {} |\n\
             | wall time, start to completed | {secs:.1} s |\n| rows/s | {rate:.0} |\n\
             | raw writer bound, same records, same run | {raw:.0} rows/s |\n| product / raw | {:.2} |\n\
             | server peak RSS (VmHWM) | {:.0} MB |",
            size as f64 / 1048576.0,
            done["status"],
            done["rows_done"],
            done["rows_failed"],
            done["rows_skipped"],
            rate / raw,
            peak_rss_mb(pid),
        );
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
