//! Files as people really hand them over: the same chat exported twice, a
//! phone number written by an iPhone, spreadsheets whose rows end early, whose
//! headers repeat and whose numbers Excel shortened.
use serde_json::{json, Value};

use crate::{
    common::{Client, Harness},
    imports::{ios_zip_export, run, until_finished, upload},
};

async fn conversations(c: &Client) -> Vec<Value> {
    c.get("/api/conversations?view=all").await.body["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn message_count(c: &Client, conversation: &Value) -> usize {
    let id = conversation["id"].as_str().unwrap();
    c.get(&format!("/api/conversations/{id}/messages"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .len()
}

/// Maps an uploaded spreadsheet, starts it and waits for its end; the
/// finished import, with its errors.csv as text under `errors`.
async fn map_and_finish(c: &Client, id: &str, mapping: Value) -> Value {
    let m = c.put(&format!("/api/imports/{id}/mapping"), mapping).await;
    assert_eq!(m.status, 200, "{}", m.body);
    c.post(&format!("/api/imports/{id}/start"), json!({})).await;
    let mut done = until_finished(c, id).await;
    let errors = c.get(&format!("/api/imports/{id}/errors.csv")).await.body;
    done["errors"] = json!(errors.as_str().unwrap_or_default());
    done
}

const CHAT: &str = "12/30/23, 9:41 PM - Maria Silva: Hi, is the car still available?\n\
                    12/30/23, 9:42 PM - Loja Azul: Yes! Which model?\n\
                    12/30/23, 9:43 PM - Maria Silva: The red one\n";

#[tokio::test]
async fn a_chat_exported_again_joins_what_is_already_there() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let side = json!({"business_participant": "Loja Azul"});
    let first = run(&owner, "chat.txt", CHAT.as_bytes(), "chat", side.clone()).await;
    assert_eq!(first["rows_done"], 3, "{first}");
    let id = first["id"].as_str().unwrap();
    let again = owner
        .post(&format!("/api/imports/{id}/cancel"), json!({}))
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(
        again.body["error"]["message"],
        "This import has already finished"
    );
    // The same chat exported a day later: the old lines and one new one.
    let later = format!("{CHAT}12/31/23, 8:00 AM - Loja Azul: Good morning!\n");
    let second = run(&owner, "chat.txt", later.as_bytes(), "chat", side).await;
    assert_eq!(
        (
            second["rows_done"].as_u64(),
            second["rows_skipped"].as_u64()
        ),
        (Some(1), Some(3)),
        "{second}"
    );
    assert_eq!(second["conversation_id"], first["conversation_id"]);
    let all = conversations(&owner).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(message_count(&owner, &all[0]).await, 4);
}

#[tokio::test]
async fn an_iphone_number_finds_the_customer_already_known() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Maria", "phone": "+5511912345678"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    // iOS writes the number with no-break spaces, a no-break hyphen and direction marks.
    let chat =
        "[30/12/2023, 21:41:05] \u{200E}+55\u{a0}11\u{a0}91234\u{2011}5678\u{202C}: Hi there\n\
                [30/12/2023, 21:42:00] Loja Azul: Hello!\n";
    let done = run(
        &owner,
        "_chat.txt",
        chat.as_bytes(),
        "chat",
        json!({"business_participant": "Loja Azul"}),
    )
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["conversation_id"], lead.body["conversation_id"],
        "{done}"
    );
    assert_eq!(conversations(&owner).await.len(), 1);
}

#[tokio::test]
async fn spreadsheet_quirks_cost_no_good_row() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    // Repeated headers, rows ending early or with empty extra cells, and
    // numbers Excel turned into scientific notation.
    let csv = "Name,Phone,Phone,Notes\r\n\
               Ana,+5511900000001,+5511900000091\r\n\
               Bia,+5511900000002,,,,\r\n\
               Cai,5.51191E+12,,\r\n\
               Duda,,+5511900000004,vip\r\n";
    // A workbook saved as .xlsx is refused at once, with what to do.
    let xlsx = b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml";
    let refused = upload(&owner, "leads.xlsx", xlsx, &[("kind", "csv")]).await;
    assert_eq!(refused.status, 415, "{}", refused.body);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("save it as CSV"));

    let r = upload(&owner, "x.csv", csv.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let p = owner.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(
        p.body["headers"],
        json!(["Name", "Phone", "Phone (2)", "Notes"]),
        "{}",
        p.body
    );
    let suggested = p.body["suggested"].clone();
    let phones = suggested
        .as_object()
        .unwrap()
        .values()
        .filter(|v| *v == "phone")
        .count();
    assert_eq!(phones, 1, "each field suggested once: {suggested}");
    // The suggestion, sent back as it is, is a mapping the server takes.
    let m = owner
        .put(
            &format!("/api/imports/{id}/mapping"),
            json!({"columns": suggested, "default_country": "XX"}),
        )
        .await;
    assert_eq!(m.status, 422, "no such country: {}", m.body);
    let mut columns = suggested.clone();
    columns["Phone (2)"] = json!("custom:other_phone");
    let mapping = json!({"columns": columns, "default_country": "BR"});
    let done = map_and_finish(&owner, &id, mapping).await;
    assert_eq!(
        (done["rows_done"].as_u64(), done["rows_failed"].as_u64()),
        (Some(2), Some(2)),
        "{done}"
    );
    let errors = done["errors"].as_str().unwrap();
    assert!(errors.contains("scientific notation"), "{errors}");
    assert!(
        !errors.contains("columns"),
        "row length is no error: {errors}"
    );
}

#[tokio::test]
async fn a_chat_only_the_customer_wrote_in_imports_as_theirs() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let chat = "12/30/23, 9:41 PM - Maria Silva: Hello? Anyone there?\n\
                12/30/23, 9:50 PM - Maria Silva: I'd like a quote\n";
    let done = run(
        &owner,
        "chat.txt",
        chat.as_bytes(),
        "chat",
        json!({"business_participant": "Loja Azul"}),
    )
    .await;
    assert_eq!(done["rows_done"], 2, "{done}");
    let id = done["conversation_id"].as_str().unwrap();
    let items = owner
        .get(&format!("/api/conversations/{id}/messages"))
        .await
        .body["items"]
        .clone();
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["direction"] == "in"),
        "{items}"
    );
}

#[tokio::test]
async fn excels_sep_line_names_the_delimiter_and_is_no_row() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    // Excel writes (and reads) a first line naming the delimiter; the
    // commas in the notes would otherwise outvote the semicolons.
    let csv = "sep=;\r\n\
               Name;Phone;Notes\r\n\
               Ana;+5511900000001;wants a, b, c\r\n\
               Bia;123;=HYPERLINK(\"http://x.test\")\r\n";
    let r = upload(&owner, "leads.csv", csv.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let p = owner.get(&format!("/api/imports/{id}/preview")).await;
    assert_eq!(p.body["delimiter"], ";", "{}", p.body);
    assert_eq!(
        p.body["headers"],
        json!(["Name", "Phone", "Notes"]),
        "{}",
        p.body
    );
    assert_eq!(p.body["rows"].as_array().unwrap().len(), 2, "{}", p.body);
    let columns = json!({"Name": "name", "Phone": "phone", "Notes": "note"});
    let done = map_and_finish(&owner, &id, json!({ "columns": columns })).await;
    assert_eq!(
        (done["rows_done"].as_u64(), done["rows_failed"].as_u64()),
        (Some(1), Some(1)),
        "{done}"
    );
    let errors = done["errors"].as_str().unwrap();
    // Bia is the file's fourth line; what she typed opens as text.
    assert!(
        errors.contains("Bia") && errors.contains("row 4"),
        "{errors}"
    );
    assert!(errors.contains("'=HYPERLINK"), "{errors}");
    assert!(
        errors
            .trim_start_matches('\u{feff}')
            .starts_with("Name;Phone;Notes;error"),
        "the errors come back in the file's own delimiter: {errors}"
    );
    let all = conversations(&owner).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["contact"]["name"], "Ana", "{all:?}");
}

#[tokio::test]
async fn updating_a_known_customer_keeps_the_rows_labels_and_note() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Maria", "email": "maria@example.com"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    let conversation = lead.body["conversation_id"].as_str().unwrap().to_string();
    // Found by her email: the sheet knows her full name, her phone, two
    // labels and a note.
    let csv = "Name,Email,Phone,Tags,Notes\n\
               Maria Souza,maria@example.com,+5511912345678,\"vip, sofa\",Prefers mornings\n";
    let r = upload(&owner, "crm.csv", csv.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let columns = json!({"Name": "name", "Email": "email", "Phone": "phone",
                         "Tags": "labels", "Notes": "note"});
    let mapping = json!({"columns": columns, "duplicates": "update"});
    let done = map_and_finish(&owner, &id, mapping).await;
    assert_eq!(done["rows_done"], 1, "{done}");
    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(c.body["contact"]["name"], "Maria Souza", "{}", c.body);
    assert_eq!(c.body["contact"]["phone"], "+5511912345678", "{}", c.body);
    assert_eq!(c.body["labels"], json!(["vip", "sofa"]), "{}", c.body);
    let notes = owner
        .get(&format!("/api/conversations/{conversation}/notes"))
        .await;
    let texts: Vec<&str> = notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect();
    assert_eq!(texts, ["Prefers mornings"], "{}", notes.body);
    assert_eq!(conversations(&owner).await.len(), 1);
}

/// The files in the business's media folder.
fn media_files(h: &Harness, biz: &crate::common::Biz) -> usize {
    std::fs::read_dir(h.dir.path().join("media").join(biz.id.to_string())).map_or(0, |d| d.count())
}

#[tokio::test]
async fn one_chat_imported_into_two_conversations_keeps_a_file_for_each() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let photo: Vec<u8> = (0..3_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let zip = ios_zip_export(&photo);
    let side = json!({"business_participant": "Loja Azul"});
    let first = run(&owner, "chat.zip", &zip, "chat", side.clone()).await;
    assert_eq!(first["status"], "completed", "{first}");
    // The same export again: nothing new, and no stray copy of the photo.
    let again = run(&owner, "chat.zip", &zip, "chat", side.clone()).await;
    assert_eq!(again["rows_skipped"], 4, "{again}");
    assert_eq!(media_files(&h, &biz), 1);
    // Filed by mistake under another customer too.
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Bia", "phone": "+5511912340000"}),
        )
        .await;
    let other = lead.body["conversation_id"].as_str().unwrap().to_string();
    let r = upload(
        &owner,
        "chat.zip",
        &zip,
        &[("kind", "chat"), ("conversation_id", &other)],
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    owner.put(&format!("/api/imports/{id}/mapping"), side).await;
    owner
        .post(&format!("/api/imports/{id}/start"), json!({}))
        .await;
    assert_eq!(until_finished(&owner, &id).await["rows_done"], 4);
    assert_eq!(media_files(&h, &biz), 2);
    // Erasing the first customer takes their copy only.
    let first_conversation = first["conversation_id"].as_str().unwrap();
    let contact = owner
        .get(&format!("/api/conversations/{first_conversation}"))
        .await
        .body["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let erased = owner
        .post(
            &format!("/api/contacts/{contact}/erase"),
            json!({"confirm": "ERASE"}),
        )
        .await;
    assert!(erased.status < 300, "{}", erased.body);
    let items = owner
        .get(&format!("/api/conversations/{other}/messages"))
        .await
        .body["items"]
        .clone();
    let url = items
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "image")
        .and_then(|m| m["media"]["url"].as_str())
        .expect("the photo")
        .to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while media_files(&h, &biz) > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(media_files(&h, &biz), 1);
    let file = owner.http.get(h.url(&url)).send().await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().to_vec(), photo);
}

#[tokio::test]
async fn a_zip_that_names_one_file_on_every_line_or_hides_a_bomb_stores_one_file() {
    use std::io::Write;
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let mut text = String::new();
    for minute in 10..30 {
        text.push_str(&format!(
            "\u{200e}[05/01/2024, 10:{minute}:00] Loja Azul: \u{200e}<attached: 00000020-PHOTO-2024-01-05-10-15-00.jpg>\n"
        ));
    }
    text.push_str(
        "\u{200e}[05/01/2024, 10:31:00] Carla Souza: \u{200e}<attached: 00000021-boleto.pdf>\n",
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("_chat.txt", deflated).unwrap();
    zip.write_all(text.as_bytes()).unwrap();
    zip.start_file("00000020-PHOTO-2024-01-05-10-15-00.jpg", deflated)
        .unwrap();
    let mut seed = 7u32;
    let photo: Vec<u8> = (0..20_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        })
        .collect();
    zip.write_all(&photo).unwrap();
    // 8 MB of zeros in a few kilobytes.
    zip.start_file("00000021-boleto.pdf", deflated).unwrap();
    zip.write_all(&vec![0u8; 8 << 20]).unwrap();
    let zip = zip.finish().unwrap().into_inner();
    assert!(zip.len() < 100_000, "{}", zip.len());
    let side = json!({"business_participant": "Loja Azul"});
    let done = run(&owner, "chat.zip", &zip, "chat", side).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_done"], 21, "every line is kept: {done}");
    assert_eq!(
        media_files(&h, &biz),
        1,
        "one copy of the photo, and no bomb"
    );
}
