//! Spreadsheet imports over HTTP: a real export (Windows-1252, `;`,
//! Portuguese headers) is previewed, mapped and run as a durable job; good
//! rows become leads by the usual identity rules, bad rows are reported with
//! their row, column and reason and come back as a CSV to fix.
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{client::Resp, Client, Harness};

/// A browser-style multipart form: the file plus text fields.
pub async fn upload(c: &Client, file_name: &str, bytes: &[u8], fields: &[(&str, &str)]) -> Resp {
    let boundary = "----wafunnel-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    c.raw(
        Method::POST,
        "/api/imports",
        &format!("multipart/form-data; boundary={boundary}"),
        body,
    )
    .await
}

pub async fn until_finished(c: &Client, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let r = c.get(&format!("/api/imports/{id}")).await;
        let status = r.body["status"].as_str().unwrap_or("").to_string();
        if ["completed", "failed", "cancelled"].contains(&status.as_str()) {
            return r.body;
        }
        assert!(
            Instant::now() < deadline,
            "import still {status}: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Uploads `bytes`, maps it with `mapping` and runs it to the end.
pub async fn run(c: &Client, name: &str, bytes: &[u8], kind: &str, mapping: Value) -> Value {
    let r = upload(c, name, bytes, &[("kind", kind)]).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let m = c.put(&format!("/api/imports/{id}/mapping"), mapping).await;
    assert_eq!(m.status, 200, "{}", m.body);
    let s = c.post(&format!("/api/imports/{id}/start"), json!({})).await;
    assert_eq!(s.status, 202, "{}", s.body);
    let mut done = until_finished(c, &id).await;
    done["errors_csv"] = c.get(&format!("/api/imports/{id}/errors.csv")).await.body;
    done
}

/// What Excel on a Brazilian Windows machine saves: `;` and Windows-1252.
fn excel_export() -> Vec<u8> {
    let text = "Nome;Telefone;E-mail;Observações;Etiquetas;Cidade\r\n\
                João Araújo;(11) 91234-5678;joao@example.com;Quer o sofá azul;vip, sofá;São Paulo\r\n\
                Maria Conceição;+55 21 99876-5432;;;;Rio\r\n\
                Sem Contato;;;;;Recife\r\n\
                Telefone Errado;123;;;;Natal\r\n\
                Colunas a mais;+55 31 98888-7777;x@y.com;;;BH;extra\r\n\
                Já Existe;+55 11 90000-0001;;;;Santos\r\n\
                \r\n\
                \"Souza; Ana\";+55 41 97777-6666;ana@example.com;\"linha 1\r\nlinha 2\";;Curitiba\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[tokio::test]
async fn a_windows_excel_export_is_previewed_mapped_and_imported_with_its_bad_rows_reported() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    // Someone already known by phone: the duplicate policy decides.
    let known = owner
        .post(
            "/api/leads",
            json!({"name": "Já Existe", "phone": "+5511900000001"}),
        )
        .await;
    assert_eq!(known.status, 201, "{}", known.body);

    let r = upload(&owner, "clientes.csv", &excel_export(), &[("kind", "csv")]).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();

    let p = owner.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["encoding"], "windows-1252");
    assert_eq!(p.body["delimiter"], ";");
    assert_eq!(p.body["headers"][3], "Observações");
    assert_eq!(p.body["rows"][0][0], "João Araújo");
    assert_eq!(
        p.body["suggested"],
        json!({"Nome": "name", "Telefone": "phone", "E-mail": "email", "Observações": "note", "Etiquetas": "labels"})
    );

    let bad = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": {"Nome": "name"}}),
        )
        .await;
    assert_eq!(bad.status, 422, "a row needs an identity: {}", bad.body);
    let bad = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": {"Fone": "phone"}}),
        )
        .await;
    assert_eq!(bad.body["error"]["details"][0]["field"], "columns.Fone");
    let mut columns = p.body["suggested"].clone();
    columns["Cidade"] = json!("custom:city");
    let m = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": columns, "default_country": "BR", "duplicates": "skip",
                   "assign": {"member_id": biz.member_id}}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.body["status"], "mapped");

    let s = owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    assert_eq!(s.status, 202, "{}", s.body);
    let audit = owner.get("/api/audit?action=import_started").await;
    assert_eq!(
        audit.body["items"][0]["target"]["id"],
        id.as_str(),
        "{}",
        audit.body
    );
    let done = until_finished(&owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (
            done["rows_done"].as_u64(),
            done["rows_failed"].as_u64(),
            done["rows_skipped"].as_u64()
        ),
        (Some(3), Some(3), Some(1)),
        "{done}"
    );

    let member = h.login(biz.member()).await;
    let leads = member.get("/api/leads?source=import").await;
    let names: Vec<&str> = leads.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["contact"]["name"].as_str().unwrap_or(""))
        .collect();
    for name in ["João Araújo", "Maria Conceição", "Souza; Ana"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let joao = leads.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["contact"]["name"] == "João Araújo")
        .unwrap();
    assert_eq!(
        joao["contact"]["phone"], "+5511912345678",
        "E.164 by the business's rules"
    );
    let c = member
        .get(&format!(
            "/api/conversations/{}",
            joao["conversation_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(c.body["assignee_id"], biz.member_id.to_string());
    assert_eq!(c.body["labels"], json!(["vip", "sofá"]));

    let errors = owner.get(&format!("/api/imports/{id}/errors.csv")).await;
    assert_eq!(errors.status, 200);
    let text = errors.body.as_str().unwrap_or_default().to_string();
    // A BOM first, so Excel keeps the accents; the file's `;`, so the
    // same Excel splits it into columns.
    assert_eq!(
        text.lines().next(),
        Some("\u{feff}Nome;Telefone;E-mail;Observações;Etiquetas;Cidade;error")
    );
    assert!(
        text.contains("Sem Contato") && text.contains("row 4"),
        "{text}"
    );
    assert!(text.contains("row 5, column Telefone: phone:"), "{text}");
    assert!(
        text.contains("row 6: has 7 columns; the header has 6"),
        "{text}"
    );

    // Over, the import lets go of the customers' file and its UTF-8 copy:
    // what failed is kept above as rows.
    let files = h.dir.path().join("imports").join(biz.id.to_string());
    let left = || std::fs::read_dir(&files).map_or(0, |d| d.count());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while left() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} files left",
            left()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Finished imports cannot be started or cancelled again.
    let again = owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn a_dry_run_stores_nothing_and_the_same_file_is_then_imported_with_a_changed_mapping() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let file = "name,phone,city\nAna Lima,+5511911110001,Recife\nBeto Reis,+5511911110002,Natal\nSem Fone,12,Natal\n";
    let r = upload(&owner, "leads.csv", file.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let mapping = format!("/api/imports/{id}/mapping");
    let m = owner
        .put(
            &mapping,
            json!({"columns": {"name": "name", "phone": "phone"}, "dry_run": true}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    let rehearsed = until_finished(&owner, &id).await;
    assert_eq!(rehearsed["status"], "completed", "{rehearsed}");
    assert_eq!(
        (
            rehearsed["rows_done"].clone(),
            rehearsed["rows_failed"].clone()
        ),
        (json!(2), json!(1))
    );
    assert_eq!(
        rehearsed["mapping"]["columns"],
        json!({"name": "name", "phone": "phone"})
    );
    let leads = owner.get("/api/leads").await.body["items"].clone();
    assert_eq!(leads, json!([]), "a dry run stores no lead");

    // The owner saw the city was left out: the same upload, mapped again.
    let m = owner
        .put(
            &mapping,
            json!({"columns": {"name": "name", "phone": "phone", "city": "custom:city"}}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.body["status"], "mapped");
    assert_eq!(
        (m.body["rows_done"].clone(), m.body["rows_failed"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(m.body["dry_run"], false);
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    let done = until_finished(&owner, &id).await;
    assert_eq!(
        (done["rows_done"].clone(), done["rows_failed"].clone()),
        (json!(2), json!(1)),
        "{done}"
    );
    let leads = owner.get("/api/leads").await.body["items"].clone();
    assert_eq!(leads.as_array().map(Vec::len), Some(2), "{leads}");
    let errors = owner.get(&format!("/api/imports/{id}/errors.csv")).await;
    let text = errors.body.as_str().unwrap_or_default().to_string();
    assert_eq!(
        text.matches("Sem Fone").count(),
        1,
        "the dry run's report is replaced: {text}"
    );

    // A real import is done for good.
    let again = owner
        .put(
            &mapping,
            json!({"columns": {"name": "name", "phone": "phone"}}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
}

#[tokio::test]
async fn uploads_are_checked_before_anything_is_kept() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let r = upload(&member, "a.csv", b"name,phone\nA,1\n", &[("kind", "csv")]).await;
    assert_eq!(
        r.status, 403,
        "members need the import permission: {}",
        r.body
    );
    let r = upload(&owner, "a.csv", b"name,phone\nA,1\n", &[("kind", "pdf")]).await;
    assert_eq!(r.body["error"]["details"][0]["field"], "kind");
    let r = upload(&owner, "a.csv", b"", &[("kind", "csv")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = owner
        .raw(
            reqwest::Method::POST,
            "/api/imports",
            "application/json",
            b"{\"kind\":\"csv\"}".to_vec(),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (415, "unsupported_media_type"),
        "{}",
        r.body
    );
    let big = vec![b'x'; 100 * 1024 * 1024 + 1];
    let r = upload(&owner, "big.csv", &big, &[("kind", "csv")]).await;
    assert_eq!(r.status, 413, "{}", r.body);
    let list = owner.get("/api/imports").await;
    assert!(
        list.body["items"].as_array().unwrap().is_empty(),
        "{}",
        list.body
    );
    let leftovers = std::fs::read_dir(h.dir.path().join("imports"))
        .map(|d| {
            d.flat_map(|b| std::fs::read_dir(b.unwrap().path()).unwrap())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "no partial files left behind");
}

/// `kill -9` in the middle of a 200,000-row import (one row in twenty repeats
/// an earlier phone): after the restart the job resumes at the first
/// uncommitted row, and every unique phone ends up as exactly one contact. A
/// row imported twice would find its own contact and count as skipped; a row
/// lost would be missing from the export.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_9_mid_import_resumes_and_imports_every_row_exactly_once() {
    const ROWS: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &[]);
    let owner = Client::new(&url);
    let setup = owner
        .post("/api/setup", json!({"business_name": "Bulk", "name": "Olga", "email": "o@bulk.test", "password": "long-password"}))
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    let login = json!({"email": "o@bulk.test", "password": "long-password"});
    owner.post("/api/auth/login", login.clone()).await;
    let mut file = String::from("name,phone,email\n");
    let mut unique = std::collections::HashSet::new();
    for i in 0..ROWS {
        // Every 20th row repeats the phone of a row written before it.
        let n = if i % 20 == 19 { (i * 7919) % i } else { i };
        unique.insert(n);
        file.push_str(&format!(
            "Customer {i},+55119{:08},c{i}@bulk.test\n",
            10_000_000 + n
        ));
    }
    let repeated = (ROWS - unique.len()) as u64;
    let r = upload(&owner, "bulk.csv", file.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let m = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": {"name": "name", "phone": "phone", "email": "email"}, "duplicates": "skip"}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    let deadline = Instant::now() + Duration::from_secs(600);
    let before_kill = loop {
        let done = owner.get(&format!("/api/imports/{id}")).await.body["rows_done"]
            .as_u64()
            .unwrap_or(0);
        if done >= ROWS as u64 / 4 {
            break done;
        }
        if Instant::now() > deadline {
            let errors = owner
                .get(&format!("/api/imports/{id}/errors.csv"))
                .await
                .body;
            let first: String = errors.as_str().unwrap_or("").chars().take(400).collect();
            panic!("the import never got going: {first}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap(); // SIGKILL: the batch in hand is lost, not half-written
    child.wait().unwrap();
    assert!(
        before_kill < ROWS as u64 * 3 / 4,
        "the kill came too late to test a resume ({before_kill} rows done)"
    );

    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &[]);
    let owner = Client::new(&url);
    owner.post("/api/auth/login", login).await;
    let done = until_finished(&owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_done"], unique.len() as u64, "{done}");
    assert_eq!(
        done["rows_skipped"], repeated,
        "only the repeated phones are skipped; a row imported twice would be too: {done}"
    );
    assert_eq!(done["rows_failed"], 0, "{done}");

    let export = owner.get("/api/exports/conversations.csv").await;
    assert_eq!(export.status, 200);
    let text = export
        .body
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}');
    let mut phones = Vec::new();
    for record in csv::Reader::from_reader(text.as_bytes()).records() {
        phones.push(record.unwrap()[2].to_string());
    }
    let distinct: std::collections::HashSet<_> = phones.iter().collect();
    assert_eq!(
        phones.len(),
        unique.len(),
        "one conversation per unique phone"
    );
    assert_eq!(distinct.len(), unique.len(), "one contact per unique phone");
    eprintln!(
        "import across kill -9: {before_kill} rows committed before the kill; {} contacts for {} unique phones after the restart, {repeated} repeats skipped",
        phones.len(),
        unique.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A WhatsApp export from an Android phone (d/m/y, 24 h).
const CHAT: &str = "12/03/2024, 09:15 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n\
12/03/2024, 09:15 - Carla Souza: Oi! Vocês ainda têm o sofá azul?\n\
12/03/2024, 09:20 - Loja Azul: Temos sim! Quer vir ver hoje?\n\
12/03/2024, 09:21 - Carla Souza: Posso ir às 15h\n\
ok?\n\
12/03/2024, 09:21 - Carla Souza: ok\n\
12/03/2024, 09:21 - Carla Souza: ok\n\
13/03/2024, 25:00 - Carla Souza: hora impossível\n\
13/03/2024, 10:02 - Loja Azul: <Media omitted>\n";

#[tokio::test]
async fn a_chat_export_joins_a_timeline_in_time_order_once_however_often_it_is_imported() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let before = owner.get("/api/notifications").await.body["items"]
        .as_array()
        .map_or(0, Vec::len);

    let r = upload(
        &owner,
        "WhatsApp Chat with Carla Souza.txt",
        CHAT.as_bytes(),
        &[("kind", "chat")],
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let p = owner.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(
        p.body["participants"],
        json!(["Carla Souza", "Loja Azul"]),
        "{}",
        p.body
    );
    assert_eq!(p.body["format"], "android");
    assert_eq!(
        p.body["errors"][0]["line"], 8,
        "the impossible hour is reported, not guessed"
    );
    let bad = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"business_participant": "Nobody"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let m = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"business_participant": "Loja Azul", "tz_offset_minutes": -180}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    let saved = owner.get(&format!("/api/imports/{id}")).await;
    assert_eq!(
        saved.body["mapping"],
        json!({"business_participant": "Loja Azul", "tz_offset_minutes": -180}),
        "{}",
        saved.body
    );
    let s = owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    assert_eq!(s.status, 202, "{}", s.body);
    let done = until_finished(&owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (done["rows_done"].as_u64(), done["rows_failed"].as_u64()),
        (Some(7), Some(1)),
        "{done}"
    );
    let conversation = done["conversation_id"].as_str().unwrap().to_string();

    let messages = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    let items = messages.body["items"].as_array().unwrap().clone();
    // Newest first, in the export's own order (09:15 local is 12:15 UTC).
    let texts: Vec<&str> = items
        .iter()
        .rev()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts[1], "Oi! Vocês ainda têm o sofá azul?");
    assert_eq!(texts[3], "Posso ir às 15h\nok?");
    assert_eq!(
        &texts[4..6],
        &["ok", "ok"],
        "two identical lines in one minute are two messages"
    );
    let first = items.iter().rev().nth(1).unwrap();
    assert_eq!(first["direction"], "in");
    assert!(
        first["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2024-03-12T12:15"),
        "{first}"
    );
    let reply = items.iter().rev().nth(2).unwrap();
    assert_eq!(
        reply["direction"], "out",
        "the business's side are the replies"
    );
    assert_eq!(items[0]["type"], "media");
    let listed = owner.get("/api/conversations?view=all").await.body;
    let row = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == conversation.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(
        row["last_message"]["type"], "media",
        "the list shows the history's latest line: {row}"
    );

    // The same file again, into the same conversation: nothing new.
    let r = upload(
        &owner,
        "WhatsApp Chat with Carla Souza.txt",
        CHAT.as_bytes(),
        &[("kind", "chat"), ("conversation_id", &conversation)],
    )
    .await;
    let again = r.body["id"].as_str().unwrap().to_string();
    owner
        .put(
            &format!("/api/imports/{again}/mapping"),
            json!({"business_participant": "Loja Azul", "tz_offset_minutes": -180}),
        )
        .await;
    owner
        .post(&format!("/api/imports/{again}/start"), json!({}))
        .await;
    let twice = until_finished(&owner, &again).await;
    assert_eq!(
        (twice["rows_done"].as_u64(), twice["rows_skipped"].as_u64()),
        (Some(0), Some(7)),
        "{twice}"
    );
    let after = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    assert_eq!(after.body["items"].as_array().unwrap().len(), items.len());

    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(
        c.body["unread_count"], 0,
        "history is not unread: {}",
        c.body
    );
    let now = owner.get("/api/notifications").await.body["items"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(now, before, "an import notifies nobody");
}

/// An iPhone's "export chat with media": `_chat.txt` and the files it names.
pub(crate) fn ios_zip_export(photo: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let text = "[05/01/2024, 10:14:55] Loja Azul: Olá! Segue a foto do sofá\n\
                \u{200e}[05/01/2024, 10:15:00] Loja Azul: \u{200e}<attached: 00000012-PHOTO-2024-01-05-10-15-00.jpg>\n\
                [05/01/2024, 10:16:10] Carla Souza: Lindo! Qual o preço?\n\
                \u{200e}[05/01/2024, 10:17:00] Carla Souza: \u{200e}<attached: 00000013-AUDIO-2024-01-05-10-17-00.opus>\n";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("_chat.txt", deflated).unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    zip.start_file("00000012-PHOTO-2024-01-05-10-15-00.jpg", deflated)
        .unwrap();
    zip.write_all(photo).unwrap();
    // The audio the text names is missing from this zip: it stays a placeholder.
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_zipped_export_brings_its_attached_files_in_as_message_media() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let photo: Vec<u8> = (0..5_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let r = upload(
        &owner,
        "WhatsApp Chat - Carla Souza.zip",
        &ios_zip_export(&photo),
        &[("kind", "chat")],
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let p = owner.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["format"], "ios");
    assert_eq!(p.body["participants"], json!(["Loja Azul", "Carla Souza"]));
    assert_eq!(p.body["media_attached"], 1, "{}", p.body);
    let m = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"business_participant": "Loja Azul"}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    let done = until_finished(&owner, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_done"], 4, "{done}");
    let conversation = done["conversation_id"].as_str().unwrap();
    let items = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .clone();
    let image = items
        .iter()
        .find(|m| m["type"] == "image")
        .expect("the photo is an image message");
    assert_eq!(image["direction"], "out");
    let url = image["media"]["url"].as_str().expect("a media url");
    let file = owner.http.get(h.url(url)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.headers()["content-type"], "image/jpeg");
    assert_eq!(
        file.bytes().await.unwrap().to_vec(),
        photo,
        "the file as it was in the zip"
    );
    let audio = items
        .iter()
        .find(|m| m["text"].as_str().unwrap_or("").contains("AUDIO"))
        .unwrap();
    assert_eq!(
        audio["type"], "media",
        "named but not in the zip: a placeholder"
    );
    assert!(audio["media"].is_null() || audio["media"]["url"].is_null());
    // Another business cannot fetch it.
    let rival = h.new_business("Rival").await;
    let stranger = h.login(rival.owner()).await;
    assert_eq!(
        stranger.http.get(h.url(url)).send().await.unwrap().status(),
        404
    );
}

async fn upload_chat(c: &Client, text: &str) -> String {
    let r = upload(c, "chat.txt", text.as_bytes(), &[("kind", "chat")]).await;
    assert_eq!(r.status, 202, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn suggested_participant(c: &Client, id: &str) -> Value {
    let p = c.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    p.body["suggested_business_participant"].clone()
}

#[tokio::test]
async fn the_business_side_chosen_once_is_suggested_for_the_next_chat_of_that_business() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let first = upload_chat(&owner, CHAT).await;
    assert_eq!(
        suggested_participant(&owner, &first).await,
        json!(null),
        "nothing chosen yet"
    );
    let m = owner
        .put(
            &format!("/api/imports/{first}/mapping"),
            json!({"business_participant": "Loja Azul"}),
        )
        .await;
    assert_eq!(m.status, 200, "{}", m.body);

    let another =
        "01/04/2024, 10:00 - Pedro Alves: Oi\n01/04/2024, 10:05 - Loja Azul: Olá, Pedro!\n";
    let next = upload_chat(&owner, another).await;
    assert_eq!(suggested_participant(&owner, &next).await, "Loja Azul");
    let without = "01/04/2024, 10:00 - Pedro Alves: Oi\n01/04/2024, 10:05 - Loja Verde: Olá!\n";
    let other = upload_chat(&owner, without).await;
    assert_eq!(
        suggested_participant(&owner, &other).await,
        json!(null),
        "only a name that is in this chat"
    );

    let rival = h.new_business("Rival").await;
    let theirs = h.login(rival.owner()).await;
    let id = upload_chat(&theirs, another).await;
    assert_eq!(
        suggested_participant(&theirs, &id).await,
        json!(null),
        "remembered per business"
    );
}
