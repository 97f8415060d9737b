//! CSV exports: the conversation list and the Leads table as spreadsheets,
//! with the list's filters and the actor's scope, streamed, safe to open in
//! Excel (BOM for accents, no formula a customer could have typed).
use std::time::Instant;

use serde_json::json;

use crate::{
    common::{wa::text, Client, Harness},
    imports::{until_finished, upload},
};

struct Sheet {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Sheet {
    /// Header and rows, read as a spreadsheet would read them.
    fn rows(&self) -> Vec<Vec<String>> {
        let body = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("a BOM first");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body)
            .records()
            .map(|r| r.expect("a CSV row").iter().map(str::to_string).collect())
            .collect()
    }

    /// Rows as header → value maps, without the header row.
    fn records(&self) -> Vec<std::collections::HashMap<String, String>> {
        let rows = self.rows();
        rows[1..]
            .iter()
            .map(|r| rows[0].iter().cloned().zip(r.iter().cloned()).collect())
            .collect()
    }

    fn column(&self, name: &str) -> Vec<String> {
        let mut v: Vec<String> = self.records().iter().map(|r| r[name].clone()).collect();
        v.sort();
        v
    }
}

async fn download(c: &Client, path: &str) -> Sheet {
    let res = c
        .http
        .get(format!("{}{path}", c.base))
        .send()
        .await
        .expect("request");
    let header = |n: &str| {
        res.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (status, content_type, disposition) = (
        res.status().as_u16(),
        header("content-type"),
        header("content-disposition"),
    );
    let bytes = res.bytes().await.expect("body").to_vec();
    Sheet {
        status,
        content_type,
        disposition,
        bytes,
    }
}

async fn lead(owner: &Client, name: &str, phone: &str, assignee: impl ToString) -> String {
    let r = owner
        .post(
            "/api/leads",
            json!({"name": name, "phone": phone, "email": format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
                   "assignee_id": assignee.to_string()}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["conversation_id"].as_str().unwrap().to_string()
}

async fn grant_export(owner: &Client, member: impl ToString) {
    let r = owner
        .patch(
            &format!("/api/members/{}", member.to_string()),
            json!({"permissions": ["export"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn an_owner_exports_every_conversation_with_its_contact_assignee_labels_and_last_message() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let joao = lead(&owner, "João Araújo", "+55 11 91234-5678", biz.member_id).await;
    let r = owner
        .patch(
            &format!("/api/conversations/{joao}"),
            json!({"labels": ["vip", "sofá"], "status": "closed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    lead(
        &owner,
        "Maria Lima",
        "+55 21 99876-5432",
        biz.other_member_id,
    )
    .await;
    h.register_number(&owner, "PN-X").await;
    h.webhook(&text(
        "PN-X",
        "5511988887777",
        "Carla",
        "wamid.X1",
        "Oi, tudo bem?",
    ))
    .await;

    let sheet = download(&owner, "/api/exports/conversations.csv").await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.content_type, "text/csv; charset=utf-8");
    let today = chrono::Utc::now().format("%Y-%m-%d");
    assert_eq!(
        sheet.disposition,
        format!("attachment; filename=\"conversations-{today}.csv\"")
    );
    let rows = sheet.rows();
    assert_eq!(
        rows[0].join(","),
        "conversation_id,contact_name,phone,email,source,status,assignee_email,assignee_name,labels,last_message,last_message_at,created_at,updated_at"
    );
    assert_eq!(rows.len(), 4, "a header and three conversations");
    let records = sheet.records();
    let row = records
        .iter()
        .find(|r| r["conversation_id"] == joao)
        .expect("João's conversation");
    assert_eq!(row["contact_name"], "João Araújo", "accents survive");
    assert_eq!(row["phone"], "+5511912345678", "E.164, not a formula");
    assert_eq!(row["email"], "joão.araújo@example.com");
    assert_eq!(
        (row["source"].as_str(), row["status"].as_str()),
        ("manual", "closed")
    );
    assert_eq!(row["assignee_email"], biz.member());
    assert_eq!(row["assignee_name"], "member 2");
    assert_eq!(row["labels"], "sofá; vip");
    assert!(
        row["created_at"].ends_with('Z') && row["created_at"].len() == 24,
        "{row:?}"
    );
    chrono::DateTime::parse_from_rfc3339(&row["updated_at"]).expect("RFC 3339");
    let carla = records
        .iter()
        .find(|r| r["contact_name"] == "Carla")
        .expect("the WhatsApp conversation");
    assert_eq!(carla["last_message"], "Oi, tudo bem?");
    assert_eq!(carla["last_message_at"], "2025-11-24T16:00:00.000Z");
    assert_eq!(
        (carla["assignee_email"].as_str(), carla["source"].as_str()),
        ("", "whatsapp")
    );
}

#[tokio::test]
async fn a_member_with_export_exports_only_their_own_conversations() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let mine = lead(&owner, "Mine One", "+5511900000001", biz.member_id).await;
    lead(&owner, "Not Mine", "+5511900000002", biz.other_member_id).await;
    lead(&owner, "Team Lead's", "+5511900000003", biz.lead_id).await;
    grant_export(&owner, biz.member_id).await;
    let member = h.login(biz.member()).await;

    let sheet = download(&member, "/api/exports/conversations.csv").await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.column("conversation_id"), std::slice::from_ref(&mine));
    let leads = download(&member, "/api/exports/leads.csv").await;
    assert_eq!(leads.status, 200);
    assert_eq!(leads.column("conversation_id"), [mine]);
    assert_eq!(leads.column("assignee"), ["member 2"]);
}

#[tokio::test]
async fn the_lists_filters_apply_to_the_export() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let vip = lead(&owner, "Vip Open", "+5511900000011", biz.member_id).await;
    let closed = lead(&owner, "Closed One", "+5511900000012", biz.member_id).await;
    lead(&owner, "Plain", "+5511900000013", biz.other_member_id).await;
    owner
        .patch(
            &format!("/api/conversations/{vip}"),
            json!({"labels": ["vip"]}),
        )
        .await;
    owner
        .patch(
            &format!("/api/conversations/{closed}"),
            json!({"status": "closed", "labels": ["vip"]}),
        )
        .await;
    h.register_number(&owner, "PN-F").await;
    h.webhook(&text("PN-F", "5511977776666", "Zap", "wamid.F1", "oi"))
        .await;

    let names = |s: Sheet| s.column("contact_name");
    let get = |q: &'static str| download(&owner, q);
    assert_eq!(
        names(get("/api/exports/conversations.csv?status=closed").await),
        ["Closed One"]
    );
    assert_eq!(
        names(get("/api/exports/conversations.csv?label=vip&status=open").await),
        ["Vip Open"]
    );
    assert_eq!(
        names(get("/api/exports/conversations.csv?source=whatsapp").await),
        ["Zap"]
    );
    assert_eq!(
        names(get("/api/exports/conversations.csv?view=unassigned").await),
        ["Zap"]
    );
    let bad = owner
        .get("/api/exports/conversations.csv?status=maybe")
        .await;
    assert_eq!(
        bad.status, 400,
        "a bad filter fails before the download: {}",
        bad.body
    );
    let leads = download(&owner, "/api/exports/leads.csv?status=closed").await;
    assert_eq!(leads.column("name"), ["Closed One"]);
}

#[tokio::test]
async fn exporting_needs_the_export_permission_and_a_session() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    for path in ["/api/exports/conversations.csv", "/api/exports/leads.csv"] {
        let r = member.get(path).await;
        assert_eq!(
            (r.status, r.code()),
            (403, "forbidden"),
            "{path}: {}",
            r.body
        );
        assert_eq!(h.client().get(path).await.status, 401, "{path}");
    }
}

#[tokio::test]
async fn what_a_customer_typed_never_runs_as_a_spreadsheet_formula() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let id = lead(
        &owner,
        "=HYPERLINK(\"http://evil\",\"x\")",
        "+5511900000021",
        biz.member_id,
    )
    .await;
    owner
        .patch(
            &format!("/api/conversations/{id}"),
            json!({"labels": ["@SUM(A1)", "-2+3", "+1+cmd"]}),
        )
        .await;
    let rows = download(&owner, "/api/exports/conversations.csv")
        .await
        .records();
    assert_eq!(
        rows[0]["contact_name"],
        "'=HYPERLINK(\"http://evil\",\"x\")"
    );
    assert_eq!(rows[0]["labels"], "'+1+cmd; -2+3; @SUM(A1)");
    assert_eq!(
        rows[0]["phone"], "+5511900000021",
        "a phone number stays a phone number"
    );
    let leads = download(&owner, "/api/exports/leads.csv").await.records();
    assert_eq!(leads[0]["name"], "'=HYPERLINK(\"http://evil\",\"x\")");
}

/// Seeded through a real CSV import; the export pages through the access
/// layer (500 rows a read) and must not lose a row at the page seams.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_business_with_5000_conversations_exports_all_5000() {
    const ROWS: usize = 5_000;
    let h = Harness::start();
    let biz = h.new_business("Bulk").await;
    let owner = h.login(biz.owner()).await;
    let mut file = String::from("name,phone\n");
    for i in 0..ROWS {
        file.push_str(&format!("Customer {i},+55119{:08}\n", 20_000_000 + i));
    }
    let r = upload(&owner, "bulk.csv", file.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": {"name": "name", "phone": "phone"}}),
        )
        .await;
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    let done = until_finished(&owner, &id).await;
    assert_eq!(done["rows_done"], ROWS as u64, "{done}");

    let started = Instant::now();
    let sheet = download(&owner, "/api/exports/conversations.csv").await;
    let took = started.elapsed();
    let ids = sheet.column("conversation_id");
    assert_eq!(ids.len(), ROWS);
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ROWS, "no row twice");
    let leads = download(&owner, "/api/exports/leads.csv?source=import").await;
    assert_eq!(leads.records().len(), ROWS);
    eprintln!(
        "exported {ROWS} conversations ({} bytes) in {took:?}",
        sheet.bytes.len()
    );
}

#[tokio::test]
async fn names_and_messages_starting_with_an_accent_or_emoji_export_whole() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    for (name, phone) in [
        ("Ângela Souza", "+55 11 91111-0001"),
        ("Émerson Lima", "+55 11 91111-0002"),
        ("😀 Bia", "+55 11 91111-0003"),
    ] {
        lead(&owner, name, phone, biz.member_id).await;
    }
    h.register_number(&owner, "PN-E").await;
    h.webhook(&text(
        "PN-E",
        "5491155550000",
        "Ñandú",
        "wamid.E1",
        "¿Cuánto cuesta?",
    ))
    .await;
    for path in ["/api/exports/conversations.csv", "/api/exports/leads.csv"] {
        let sheet = download(&owner, path).await;
        assert_eq!(sheet.status, 200);
        assert_eq!(sheet.rows().len(), 5, "{path}: a header and four rows");
        let text = String::from_utf8(sheet.bytes.clone()).unwrap();
        for whole in ["Ângela Souza", "Émerson Lima", "😀 Bia", "Ñandú"] {
            assert!(text.contains(whole), "{path}: {whole} in {text}");
        }
    }
}
