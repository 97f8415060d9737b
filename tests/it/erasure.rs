//! Data rights for one contact: the export zip holds everything about them;
//! an erasure leaves nothing of them in the store, the search index, the
//! media folder or the audit log, and their next message starts afresh.
use std::{
    io::Read,
    path::Path,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::common::{
    fake_graph::FakeGraph,
    wa::{delivery, text},
    Client, Harness,
};

const PHONE: &str = "5511955501234";
/// Words found nowhere else: in a message, a caption and a note.
const WORD: &str = "zanzibarquokka";
const CAPTION_WORD: &str = "xylophonegnu";
const NOTE_WORD: &str = "marzipanwombat";

fn now_secs() -> String {
    (chrono::Utc::now().timestamp()).to_string()
}

async fn search(c: &Client, q: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/search?q={q}&kind=all")).await;
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn until<F: std::future::Future<Output = bool>>(what: &str, mut f: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !f().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn bytes(c: &Client, base: &str, path: &str) -> (u16, String, Vec<u8>) {
    let r = c.http.get(format!("{base}{path}")).send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.bytes().await.unwrap().to_vec())
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_containing(&p, needle));
        } else if let Ok(b) = std::fs::read(&p) {
            if b.windows(needle.len()).any(|w| w == needle) {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

struct Setup {
    h: Harness,
    _graph: FakeGraph,
    owner: Client,
    conversation: String,
    contact: String,
    media_url: String,
    biz: crate::common::Biz,
}

/// A contact with a text, an image (downloaded through the fake Graph API),
/// a flow's reply, a note, a label and a follow-up, all searchable.
async fn contact_with_history() -> Setup {
    let graph = FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "ERASE-PN").await;
    crate::flows::publish(
        &owner,
        &number,
        "Greeter",
        json!([
            {"id": "t", "type": "trigger", "position": {"x": 0, "y": 0}, "data": {"on": "any_message"}},
            {"id": "m", "type": "message", "position": {"x": 0, "y": 0}, "data": {"kind": "text", "text": "Welcome!"}},
        ]),
        json!([{"id": "t-next", "source": "t", "sourceHandle": "next", "target": "m"}]),
    )
    .await;
    let said = format!("My order {WORD} please");
    let mut first = text("ERASE-PN", PHONE, "Carla Quokkason", "wamid.E1", &said);
    first["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!(now_secs());
    assert_eq!(h.webhook(&first).await.status, 200);
    let image = delivery(
        "ERASE-PN",
        json!([{"profile": {"name": "Carla Quokkason"}, "wa_id": PHONE}]),
        json!([{"from": PHONE, "id": "wamid.E2", "timestamp": now_secs(), "type": "image",
                "image": {"id": "MEDIA-E1", "mime_type": "image/jpeg", "sha256": "abc", "caption": format!("the {CAPTION_WORD}")}}]),
        json!([]),
    );
    assert_eq!(h.webhook(&image).await.status, 200);

    let list = owner.get("/api/conversations?view=all").await.body;
    let conv = list["items"][0].clone();
    assert_eq!(conv["contact"]["phone"], format!("+{PHONE}"));
    let conversation = conv["id"].as_str().unwrap().to_string();
    let contact = conv["contact"]["id"].as_str().unwrap().to_string();
    let page = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    let media_url = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|m| m["media"]["url"].as_str())
        .unwrap()
        .to_string();
    until("the image download", || async {
        bytes(&owner, &h.base, &media_url).await.0 == 200
    })
    .await;
    let r = owner
        .post(
            &format!("/api/conversations/{conversation}/notes"),
            json!({"text": format!("Call back about the {NOTE_WORD}")}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"labels": ["vip"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let r = owner
        .post(
            "/api/followups",
            json!({"conversation_id": conversation, "note": "Send the quote", "scheduled_for": at}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    until("the flow's reply", || async {
        let m = owner
            .get(&format!("/api/conversations/{conversation}/messages"))
            .await;
        m.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"] == "Welcome!")
    })
    .await;
    for w in [WORD, CAPTION_WORD, NOTE_WORD, PHONE] {
        until(&format!("`{w}` to be searchable"), || async {
            !search(&owner, w).await.is_empty()
        })
        .await;
    }
    Setup {
        h,
        _graph: graph,
        owner,
        conversation,
        contact,
        media_url,
        biz,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_holds_everything_and_an_erasure_leaves_nothing() {
    let s = contact_with_history().await;
    let (h, owner, conv, contact) = (&s.h, &s.owner, &s.conversation, &s.contact);
    let rival = h.new_business("Rival").await;
    let stranger = h.login(rival.owner()).await;
    let member = h.login(s.biz.member()).await;
    let lead = h.login(s.biz.lead()).await;

    // Export: owners only, the business's own contacts only.
    let export = format!("/api/contacts/{contact}/export");
    for c in [&member, &lead] {
        assert_eq!(c.get(&export).await.status, 403);
    }
    assert_eq!(stranger.get(&export).await.status, 404);
    let (status, ct, zip_bytes) = bytes(owner, &h.base, &export).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/zip");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    let mut read = |name: &str| {
        let mut out = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the zip"))
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let card: Value = serde_json::from_slice(&read("contact.json")).unwrap();
    assert_eq!(card["phone"], format!("+{PHONE}"));
    assert_eq!(card["name"], "Carla Quokkason");
    assert_eq!(card["labels"], json!(["vip"]));
    assert_eq!(card["lead_sources"][0]["source"], "whatsapp");
    let convs: Value = serde_json::from_slice(&read("conversations.json")).unwrap();
    let thread = &convs[0];
    assert_eq!(thread["id"], conv.as_str());
    assert!(thread["notes"][0]["text"]
        .as_str()
        .unwrap()
        .contains(NOTE_WORD));
    assert_eq!(thread["followups"][0]["note"], "Send the quote");
    let msgs = thread["messages"].as_array().unwrap();
    let said = msgs
        .iter()
        .find(|m| m["text"].as_str().unwrap_or("").contains(WORD))
        .expect("the text message");
    assert_eq!(said["direction"], "in");
    assert_eq!(said["status"], "received");
    let welcome = msgs
        .iter()
        .find(|m| m["text"] == "Welcome!")
        .expect("the flow's reply");
    assert_eq!(welcome["direction"], "out");
    let image = msgs.iter().find(|m| m["type"] == "image").unwrap();
    assert_eq!(image["media"]["url"], s.media_url.as_str());
    let file = image["file"].as_str().expect("the media file's place");
    assert!(file.starts_with("media/"), "{file}");
    assert_eq!(read(file), b"JPEG-BYTES-OF-MEDIA-E1");

    // Erase: confirmed, owners only, the business's own contacts only.
    let erase = format!("/api/contacts/{contact}/erase");
    let confirm = json!({"confirm": "ERASE"});
    for c in [&member, &lead] {
        assert_eq!(c.post(&erase, confirm.clone()).await.status, 403);
    }
    assert_eq!(stranger.post(&erase, confirm.clone()).await.status, 404);
    let wrong = owner.post(&erase, json!({"confirm": "erase"})).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let garbled = owner
        .raw(
            reqwest::Method::POST,
            &erase,
            "application/json",
            b"{".to_vec(),
        )
        .await;
    assert_eq!(garbled.status, 400, "{}", garbled.body);
    // A reminder that names the contact: in-app and by (kept) mail.
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(500)).to_rfc3339();
    let r = owner
        .post(
            "/api/followups",
            json!({"conversation_id": conv, "note": "Ring her", "scheduled_for": soon}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let naming = |path: &'static str| async move {
        owner.get(path).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i.to_string().contains("Quokkason"))
            .count()
    };
    until("the reminder", || async {
        naming("/api/notifications").await > 0 && naming("/api/mail/outbox").await > 0
    })
    .await;
    let media_dir = h.dir.path().join("media");
    assert_eq!(files_under(&media_dir).len(), 1, "the image is on disk");
    let search_dir = h.dir.path().join("search");
    let indexed_before = files_containing(&search_dir, WORD.as_bytes());

    let listed = owner
        .get(&format!("/api/conversations/{conv}/messages?limit=100"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .len();
    assert!(listed >= 3, "text, image and the flow's reply");

    let admin = crate::audit::admin(h).await;
    let usage = |v: Value| v["usage"]["conversations"].as_u64();
    let view = format!("/api/admin/businesses/{}", s.biz.id);
    let conversations_before = usage(admin.get(&view).await.body).expect("usage");

    let mut ws = crate::realtime::open(h, owner, None).await.unwrap();
    let r = owner.post(&erase, confirm.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Open inboxes are told to drop it; the indexer's own notices stay inside.
    let told = crate::realtime::frames(&mut ws, Duration::from_millis(500)).await;
    assert!(
        told.iter().any(|f| f["type"] == "conversation.updated"
            && f["data"]["conversation_id"] == conv.as_str()
            && f["data"]["removed"] == true),
        "{told:?}"
    );
    assert!(told.iter().all(|f| f["type"] != "index.erased"), "{told:?}");
    let n = &r.body["erased"];
    assert_eq!(
        (&n["conversations"], &n["media_files"], &n["followups"]),
        (&json!(1), &json!(1), &json!(2)),
        "{}",
        r.body
    );
    assert_eq!(n["messages"], listed, "{}", r.body);
    assert_eq!(
        usage(admin.get(&view).await.body),
        Some(conversations_before - 1),
        "the platform's usage figure counts the erased conversation out"
    );
    assert!(n["flow_runs"].as_u64().unwrap() >= 1, "{}", r.body);

    for path in [
        format!("/api/conversations/{conv}"),
        format!("/api/conversations/{conv}/messages"),
        format!("/api/conversations/{conv}/notes"),
        s.media_url.clone(),
        export.clone(),
    ] {
        assert_eq!(owner.get(&path).await.status, 404, "{path}");
    }
    assert_eq!(owner.post(&erase, confirm.clone()).await.status, 404);
    let list = owner.get("/api/conversations?view=all").await.body;
    assert_eq!(list["items"], json!([]));
    let followups = owner.get("/api/followups?view=upcoming").await.body;
    assert_eq!(followups["items"], json!([]), "{followups}");
    for w in [WORD, CAPTION_WORD, NOTE_WORD, PHONE, "quokkason"] {
        assert!(search(owner, w).await.is_empty(), "{w} still found");
    }
    assert_eq!(naming("/api/notifications").await, 0, "notifications");
    assert_eq!(naming("/api/mail/outbox").await, 0, "mail");
    let conv_id: wafunnel::store::ids::ConversationId = conv.parse().unwrap();
    assert_eq!(
        h.server.state.search.documents_of(&[conv_id]).unwrap(),
        0,
        "no document of the conversation is left in the index"
    );
    assert_eq!(
        files_under(&media_dir),
        Vec::<String>::new(),
        "the media file is gone"
    );
    // The index's segments holding them are rewritten, not just masked.
    assert!(!indexed_before.is_empty(), "the index files held the word");
    until("the index segments to be rewritten", || async {
        files_containing(&search_dir, WORD.as_bytes()).is_empty()
    })
    .await;

    // The audit log says what happened, and nothing of who it was.
    let audit = owner.get("/api/audit?action=contact_erased").await;
    let entries = audit.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{}", audit.body);
    let entry = entries[0].to_string();
    for secret in [PHONE, "Carla", "Quokkason", WORD] {
        assert!(!entry.contains(secret), "{secret} in {entry}");
    }
    assert!(entry.contains(contact.as_str()), "{entry}");
    let exported = owner.get("/api/audit?action=contact_exported").await;
    assert_eq!(exported.body["items"].as_array().unwrap().len(), 1);

    // The same number writes again: a new contact and conversation, no past.
    let again = text("ERASE-PN", PHONE, "Carla", "wamid.E9", "hello again");
    assert_eq!(h.webhook(&again).await.status, 200);
    let list = owner.get("/api/conversations?view=all").await.body;
    let fresh = list["items"][0].clone();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_ne!(fresh["id"], conv.as_str());
    assert_ne!(fresh["contact"]["id"], contact.as_str());
    let fresh_id = fresh["id"].as_str().unwrap();
    let m = owner
        .get(&format!("/api/conversations/{fresh_id}/messages"))
        .await;
    let texts: Vec<&str> = m.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or(""))
        .collect();
    assert!(
        texts.iter().all(|t| !t.contains(WORD)) && texts.contains(&"hello again"),
        "{texts:?}"
    );
    assert!(fresh["labels"].as_array().unwrap().is_empty());

    // A rebuild of the index from the store brings nothing back.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wafunnel"))
        .args(["reindex", "--data-dir"])
        .arg(h.dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    until("the rebuilt index to find the new message", || async {
        !search(owner, "again").await.is_empty()
    })
    .await;
    for w in [WORD, CAPTION_WORD, NOTE_WORD] {
        assert!(search(owner, w).await.is_empty(), "{w} back after reindex");
    }
}

/// The store file itself: redb frees the pages of deleted records without
/// overwriting them, so the erasure must leave no copy in live or free pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_file_keeps_no_bytes_of_an_erased_contact() {
    let s = contact_with_history().await;
    let (owner, contact) = (&s.owner, &s.contact);
    let db_file = s.h.dir.path().join("wafunnel.redb");
    let size_before = std::fs::metadata(&db_file).unwrap().len();
    // As the contract names the route: no body.
    let r = owner
        .request(
            reqwest::Method::POST,
            &format!("/api/contacts/{contact}/erase"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // No live record holds them (every table, keys and values).
    let read = s.h.server.store.read().unwrap();
    let mut live = Vec::new();
    for t in s.h.server.store.tables() {
        let rows = wafunnel::store::Reader::range_raw(
            &read,
            t.def,
            std::ops::Bound::Unbounded,
            std::ops::Bound::Unbounded,
            usize::MAX,
            false,
        )
        .unwrap();
        for (k, v) in rows {
            for w in [WORD, CAPTION_WORD, NOTE_WORD, PHONE, "Quokkason"] {
                let hit = |b: &[u8]| b.windows(w.len()).any(|x| x == w.as_bytes());
                if hit(&k) || hit(&v) {
                    live.push(format!("{}: {w}", wafunnel::store::table_name(t.def)));
                }
            }
        }
    }
    assert!(live.is_empty(), "live records still hold {live:?}");
    crate::common::assert_store_checks(&read);
    drop(read);
    let Setup { h, _graph, .. } = s;
    let Harness { server, dir, .. } = h;
    server.stop();
    let db = std::fs::read(dir.path().join("wafunnel.redb")).unwrap();
    assert!(
        db.len() as u64 <= size_before * 2,
        "the scrub grew the file from {size_before} to {} bytes",
        db.len()
    );
    let found: Vec<&str> = [WORD, CAPTION_WORD, NOTE_WORD, PHONE, "Quokkason"]
        .into_iter()
        .filter(|w| db.windows(w.len()).any(|x| x == w.as_bytes()))
        .collect();
    assert!(found.is_empty(), "the store file still holds {found:?}");
}

/// A crash right after the first write: the durable job finishes the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_erasure_is_finished_by_its_job_after_a_restart() {
    let s = contact_with_history().await;
    let (b, contact): (wafunnel::store::ids::BusinessId, _) =
        (s.biz.id, s.contact.parse().unwrap());
    s.h.server
        .store
        .write(move |ctx| {
            wafunnel::contacts::erase::begin(
                ctx,
                b,
                contact,
                &wafunnel::audit::Who::System,
                &wafunnel::audit::Origin::local("test"),
            )
            .map(|_| ())
        })
        .await
        .unwrap();
    let Setup { h, _graph, .. } = s;
    let Harness { server, dir, .. } = h;
    server.stop();
    let h = Harness::start_in(dir, |_| {});
    let owner = h.login(&s.biz.emails[0]).await;
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let done = owner.get("/api/audit?action=contact_erased").await.body["items"]
            .as_array()
            .is_some_and(|a| a.len() == 1);
        if done {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job did not finish the erasure"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let read = h.server.store.read().unwrap();
    assert!(wafunnel::contacts::erase::unfinished(&read)
        .unwrap()
        .is_empty());
    let conv: wafunnel::store::ids::ConversationId = s.conversation.parse().unwrap();
    assert!(
        wafunnel::conversations::repo::messages(&read, b, conv, None, 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        files_under(&h.dir.path().join("media")),
        Vec::<String>::new()
    );
}
