//! Replies go out through the Graph API, survive Meta's errors, and track
//! delivery statuses forward only.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{
    fake_graph::FakeGraph,
    wa::{delivery, text},
    Client, Harness,
};

struct Setup {
    h: Harness,
    graph: FakeGraph,
    owner: Client,
    conversation: String,
}

/// A conversation whose customer wrote `seconds_ago`.
async fn setup(seconds_ago: i64) -> Setup {
    let graph = FakeGraph::start();
    let (h, _, owner) = Harness::with_number_at(&graph).await;
    let ts = (chrono::Utc::now().timestamp() - seconds_ago).to_string();
    let mut body = text(
        "PN1",
        "5511987654321",
        "Carla",
        "wamid.IN1",
        "Is it available?",
    );
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!(ts);
    assert_eq!(h.webhook(&body).await.status, 200);
    let list = owner.get("/api/conversations").await;
    let conversation = list.body["items"][0]["id"].as_str().unwrap().to_string();
    Setup {
        h,
        graph,
        owner,
        conversation,
    }
}

/// Queues a message in the setup's conversation; answers its id.
async fn send(s: &Setup, body: Value) -> String {
    let r = s
        .owner
        .post(
            &format!("/api/conversations/{}/messages", s.conversation),
            body,
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn message(s: &Setup, id: &str) -> Value {
    let page = s
        .owner
        .get(&format!("/api/conversations/{}/messages", s.conversation))
        .await;
    page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .expect("message listed")
}

async fn wait_status(s: &Setup, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let m = message(s, id).await;
        if m["status"] == status || Instant::now() > deadline {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn status(wamid: &str, status: &str, extra: Value) -> Value {
    let mut s = json!({"id": wamid, "status": status, "timestamp": "1764000005", "recipient_id": "5511987654321"});
    if let (Some(o), Some(e)) = (s.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    delivery("PN1", json!([]), json!([]), json!([s]))
}

#[tokio::test]
async fn a_reply_goes_out_through_graph_and_its_status_only_moves_forward() {
    let s = setup(60).await;
    let c = &s.conversation;
    let conv = s.owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(conv.body["window"]["open"], true);
    let r = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "Yes! Want a test drive?"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["status"], "queued");
    let id = r.body["id"].as_str().unwrap().to_string();
    let sent = wait_status(&s, &id, "sent").await;
    assert_eq!(sent["status"], "sent", "{sent}");
    let wamid = sent["wa_message_id"].as_str().unwrap().to_string();

    let reqs = s.graph.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/v21.0/PN1/messages");
    assert_eq!(reqs[0].authorization, "Bearer EAAG-secret-token");
    assert_eq!(reqs[0].body["messaging_product"], "whatsapp");
    assert_eq!(reqs[0].body["to"], "5511987654321");
    assert_eq!(reqs[0].body["type"], "text");
    assert_eq!(reqs[0].body["text"]["body"], "Yes! Want a test drive?");

    // Out of order, and redelivered: read wins, a late delivered changes nothing.
    s.h.webhook(&status(&wamid, "read", json!({}))).await;
    s.h.webhook(&status(
        &wamid,
        "delivered",
        json!({"pricing": {"billable": true, "pricing_model": "PMP", "category": "service"}}),
    ))
    .await;
    s.h.webhook(&status(&wamid, "read", json!({}))).await;
    assert_eq!(message(&s, &id).await["status"], "read");
    // What the customer read did not fail after all.
    let opted_out = json!({"errors": [{"code": 131050, "title": "User opted out"}]});
    s.h.webhook(&status(&wamid, "failed", opted_out)).await;
    assert_eq!(message(&s, &id).await["status"], "read");
    let list = s.owner.get("/api/conversations").await;
    assert_eq!(list.body["items"][0]["last_message"]["direction"], "out");
}

#[tokio::test]
async fn a_closed_window_refuses_free_form_messages_but_not_templates() {
    let s = setup(25 * 3600).await;
    let c = &s.conversation;
    let conv = s.owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(conv.body["window"]["open"], false);
    assert!(conv.body["window"]["expires_at"].is_string());
    let r = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "Hello?"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "window_closed"));
    let t = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "template", "template": {"name": "follow_up", "language": "pt_BR", "parameters": ["Carla"]}}),
        )
        .await;
    assert_eq!(t.status, 202, "{}", t.body);
    let reqs = s.graph.wait_for(1).await;
    assert_eq!(reqs[0].body["template"]["name"], "follow_up");
    assert_eq!(reqs[0].body["template"]["language"]["code"], "pt_BR");
    assert_eq!(
        reqs[0].body["template"]["components"][0]["parameters"][0]["text"],
        "Carla"
    );
}

#[tokio::test]
async fn meta_refusing_the_window_fails_the_message_with_a_clear_reason_and_no_retry() {
    let s = setup(60).await;
    s.graph.fail_next(400, 131047, "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
    let id = send(&s, json!({"type": "text", "text": "Hi"})).await;
    let m = wait_status(&s, &id, "failed").await;
    assert_eq!(m["status"], "failed");
    assert!(m["error"].as_str().unwrap().contains("131047"), "{m}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.graph.requests().len(),
        1,
        "a permanent error is not retried"
    );
    // The list row tells a failed reply from a sent one.
    let c = s
        .owner
        .get(&format!("/api/conversations/{}", s.conversation))
        .await;
    assert_eq!(c.body["last_message"]["direction"], "out");
    assert_eq!(c.body["last_message"]["status"], "failed", "{}", c.body);
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_until_sent() {
    let s = setup(60).await;
    s.graph.fail_next(400, 130429, "Rate limit hit");
    s.graph.fail_next(503, 2, "Service temporarily unavailable");
    let id = send(&s, json!({"type": "text", "text": "Hi"})).await;
    let m = wait_status(&s, &id, "sent").await;
    assert_eq!(m["status"], "sent", "{m}");
    assert_eq!(s.graph.requests().len(), 3);
}

#[tokio::test]
async fn a_failed_status_from_meta_shows_its_error() {
    let s = setup(60).await;
    let id = send(&s, json!({"type": "text", "text": "Hi"})).await;
    let wamid = wait_status(&s, &id, "sent").await["wa_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = status(
        &wamid,
        "failed",
        json!({"errors": [{"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Receiver is incapable of receiving this message"}}]}),
    );
    s.h.webhook(&failed).await;
    let m = message(&s, &id).await;
    assert_eq!(m["status"], "failed");
    assert!(m["error"].as_str().unwrap().contains("incapable"), "{m}");
    s.h.webhook(&status(&wamid, "read", json!({}))).await;
    assert_eq!(
        message(&s, &id).await["status"],
        "failed",
        "failed is terminal"
    );
}

#[tokio::test]
async fn interactive_messages_respect_whatsapp_limits() {
    let s = setup(60).await;
    let c = &s.conversation;
    let four: Vec<Value> = (0..4)
        .map(|i| json!({"id": format!("b{i}"), "title": format!("B{i}")}))
        .collect();
    let r = s.owner.post(&format!("/api/conversations/{c}/messages"), json!({"type": "interactive", "interactive": {"type": "button", "body": "Pick", "buttons": four}})).await;
    assert_eq!((r.status, r.code()), (422, "validation_failed"));
    let ok = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "interactive", "interactive": {"type": "button", "body": "Test drive?", "buttons": [{"id": "yes", "title": "Yes"}, {"id": "no", "title": "No"}]}}),
        )
        .await;
    assert_eq!(ok.status, 202);
    let reqs = s.graph.wait_for(1).await;
    assert_eq!(
        reqs[0].body["interactive"]["action"]["buttons"][1]["reply"]["id"],
        "no"
    );
}

#[tokio::test]
async fn inbound_media_is_fetched_once_stored_and_served_only_within_scope() {
    let graph = FakeGraph::start();
    graph.expire_next_downloads(1);
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN1").await;
    let image = delivery(
        "PN1",
        json!([{"profile": {"name": "Carla"}, "wa_id": "5511987654321"}]),
        json!([{"from": "5511987654321", "id": "wamid.IMG", "timestamp": "1764000000", "type": "image",
                "image": {"id": "MEDIA-77", "mime_type": "image/jpeg", "sha256": "abc", "caption": "the dent"}}]),
        json!([]),
    );
    assert_eq!(h.webhook(&image).await.status, 200);
    let list = owner.get("/api/conversations").await;
    let c = list.body["items"][0]["id"].as_str().unwrap().to_string();
    let page = owner.get(&format!("/api/conversations/{c}/messages")).await;
    let media_url = page.body["items"][0]["media"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(page.body["items"][0]["media"]["caption"], "the dent");

    let deadline = Instant::now() + Duration::from_secs(20);
    let fetched = loop {
        let r = owner
            .http
            .get(format!("{}{media_url}", h.base))
            .send()
            .await
            .unwrap();
        if r.status() == 200 || Instant::now() > deadline {
            break r;
        }
        assert_eq!(r.status(), 409, "pending files answer 409 with Retry-After");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.headers()["content-type"], "image/jpeg");
    assert_eq!(fetched.text().await.unwrap(), "JPEG-BYTES-OF-MEDIA-77");
    let reqs = graph.requests();
    let info_calls = reqs.iter().filter(|r| r.path == "/v21.0/MEDIA-77").count();
    assert_eq!(info_calls, 2, "an expired URL is fetched afresh");
    assert!(reqs
        .iter()
        .all(|r| r.authorization == "Bearer EAAG-secret-token"));

    let stranger = h.login(rival.owner()).await;
    assert_eq!(stranger.get(&media_url).await.status, 404);
    let member = h.login(biz.member()).await;
    assert_eq!(
        member.get(&media_url).await.status,
        404,
        "unassigned: not the member's to see"
    );
}

#[tokio::test]
async fn templates_sync_from_meta_and_guard_template_sends() {
    let s = setup(25 * 3600).await;
    let numbers = s.owner.get("/api/whatsapp/numbers").await;
    let number = numbers.body["items"][0]["id"].as_str().unwrap().to_string();
    let synced = s
        .owner
        .post(
            &format!("/api/whatsapp/numbers/{number}/templates/sync"),
            json!({}),
        )
        .await;
    assert_eq!(synced.status, 200, "{}", synced.body);
    assert_eq!(synced.body["synced"], 3, "both pages of Meta's list");
    let list = s
        .owner
        .get(&format!("/api/whatsapp/numbers/{number}/templates"))
        .await;
    let order = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "order_update")
        .cloned()
        .unwrap();
    assert_eq!(order["parameters"], 2);
    assert_eq!(
        s.graph.requests()[0].authorization,
        "Bearer EAAG-secret-token"
    );

    let c = &s.conversation;
    let send = |name: &str, lang: &str, params: Value| json!({"type": "template", "template": {"name": name, "language": lang, "parameters": params}});
    let wrong_count = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            send("order_update", "pt_BR", json!(["Carla"])),
        )
        .await;
    assert_eq!(
        (wrong_count.status, wrong_count.code()),
        (422, "validation_failed")
    );
    let rejected = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            send("promo", "en_US", json!([])),
        )
        .await;
    assert_eq!(rejected.status, 422);
    let unknown = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            send("nope", "pt_BR", json!([])),
        )
        .await;
    assert_eq!(unknown.status, 422);
    let ok = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            send("order_update", "pt_BR", json!(["Carla", "#123"])),
        )
        .await;
    assert_eq!(ok.status, 202, "{}", ok.body);
    // The thread and the list read what the customer reads.
    let thread = s
        .owner
        .get(&format!("/api/conversations/{c}/messages"))
        .await;
    let sent = thread.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == ok.body["id"])
        .cloned()
        .unwrap();
    assert_eq!(sent["text"], "Olá Carla, seu pedido #123 saiu.");
    assert_eq!(sent["type"], "template");
    let row = s.owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(
        row.body["last_message"]["text"],
        "Olá Carla, seu pedido #123 saiu."
    );
}

#[tokio::test]
async fn attachments_are_uploaded_to_meta_then_sent_by_id_and_shown_in_the_thread() {
    let s = setup(60).await;
    let c = &s.conversation;
    let png = b"\x89PNG\r\n\x1a\nfake-image-bytes".to_vec();
    // Two types in one header would be served back as the browser reads the
    // second (HTML on our origin): refused.
    let two_types = s
        .owner
        .http
        .post(format!("{}/api/conversations/{c}/attachments", s.h.base))
        .header("Content-Type", "image/png,text/html")
        .header("X-CSRF-Token", s.owner.cookie("wf_csrf").unwrap())
        .body(b"<h1>INJECTED</h1>".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(two_types.status(), 415);
    let up = s
        .owner
        .http
        .post(format!(
            "{}/api/conversations/{c}/attachments?filename=car.png",
            s.h.base
        ))
        .header("Content-Type", "image/png")
        .header("X-CSRF-Token", s.owner.cookie("wf_csrf").unwrap())
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 201);
    let up: Value = up.json().await.unwrap();
    assert_eq!(
        (up["mime_type"].as_str(), up["size"].as_u64()),
        (Some("image/png"), Some(png.len() as u64))
    );
    let media_id = up["id"].as_str().unwrap();

    let as_sticker = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "sticker", "media_id": media_id}),
        )
        .await;
    assert_eq!(as_sticker.status, 422, "a PNG is no sticker (webp only)");
    // Meta takes the file, then stumbles on the send: the retry sends the same id.
    s.graph.fail_next(503, 2, "Service temporarily unavailable");
    let r = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "image", "media_id": media_id, "caption": "Here it is"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let sent = wait_status(&s, &id, "sent").await;
    assert_eq!(sent["status"], "sent", "{sent}");
    let reqs = s.graph.requests();
    assert_eq!(reqs[0].path, "/v21.0/PN1/media");
    let uploads = reqs.iter().filter(|r| r.path.ends_with("/media")).count();
    assert_eq!(uploads, 1, "uploaded once, not once per try");
    let sends: Vec<_> = reqs
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .collect();
    assert_eq!(sends.len(), 2);
    for msg in sends {
        assert_eq!(msg.body["type"], "image");
        assert_eq!(msg.body["image"]["id"], "UPLOADED-1");
        assert_eq!(msg.body["image"]["caption"], "Here it is");
    }
    let shown = s
        .owner
        .http
        .get(format!(
            "{}{}",
            s.h.base,
            sent["media"]["url"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.headers()["content-type"], "image/png");
    assert_eq!(shown.bytes().await.unwrap().to_vec(), png);

    let other = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "image", "media_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
        )
        .await;
    assert_eq!(other.status, 422);
}

#[tokio::test]
async fn a_pair_rate_limit_waits_before_retrying_that_recipient_and_keeps_the_order() {
    let s = setup(60).await;
    s.graph.fail_next(
        400,
        131056,
        "(Business Account, Consumer Account) pair rate limit hit",
    );
    let started = Instant::now();
    let id = send(&s, json!({"type": "text", "text": "Hi"})).await;
    // Written while the first waits out Meta's limit: it must not overtake it.
    s.graph.wait_for(1).await;
    let later = send(&s, json!({"type": "text", "text": "Are you there?"})).await;
    // While it waits, whoever wrote it reads Meta's reason, not only a clock.
    let deadline = Instant::now() + Duration::from_secs(4);
    let waiting = loop {
        let m = message(&s, &id).await;
        if m["error"].as_str().is_some() || Instant::now() > deadline {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(waiting["status"], "queued", "{waiting}");
    assert_eq!(
        waiting["error"],
        "Not sent yet, trying again: (Business Account, Consumer Account) pair rate limit hit (131056)"
    );
    let m = wait_status(&s, &id, "sent").await;
    assert_eq!(m["status"], "sent", "{m}");
    assert_eq!(m["error"], Value::Null, "the reason goes once it is sent");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "Meta's pair limit is about one message per 6 s: {:?}",
        started.elapsed()
    );
    assert_eq!(wait_status(&s, &later, "sent").await["status"], "sent");
    let texts: Vec<String> = s
        .graph
        .requests()
        .iter()
        .map(|r| r.body["text"]["body"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(texts, ["Hi", "Hi", "Are you there?"]);
}

#[tokio::test]
async fn a_dead_token_holds_the_numbers_messages_until_the_owner_replaces_it() {
    let s = setup(60).await;
    s.graph.fail_next(
        401,
        190,
        "Error validating access token: Session has expired",
    );
    let first = send(&s, json!({"type": "text", "text": "one"})).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let numbers = loop {
        let n = s.owner.get("/api/whatsapp/numbers").await.body["items"][0].clone();
        if n["status"] == "token_invalid" || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(numbers["status"], "token_invalid", "{numbers}");
    assert!(numbers["last_error"]
        .as_str()
        .unwrap()
        .contains("access token"));
    // Only an owner can put it right: each owner is told once.
    let told = s.owner.get("/api/notifications").await.body;
    let dead: Vec<_> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "whatsapp_token_invalid")
        .collect();
    assert_eq!(dead.len(), 1, "{told}");
    assert!(
        dead[0]["text"]
            .as_str()
            .unwrap()
            .contains("Replace the token"),
        "{told}"
    );

    // Neither the message that met the dead token nor a later one fails:
    // they wait, queued, and Meta sees nothing more.
    let second = send(&s, json!({"type": "text", "text": "two"})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    for id in [&first, &second] {
        let m = message(&s, id).await;
        assert_eq!(m["status"], "queued", "{m}");
        let why = m["error"].as_str().unwrap_or_default();
        assert!(why.contains("access token"), "says why it waits: {m}");
    }
    assert_eq!(s.graph.requests().len(), 1);
    // The operator's monitoring sees them wait.
    let metrics = s.h.metrics().await;
    assert!(
        metrics.contains("wafunnel_outbox_messages{state=\"held\"} 2"),
        "{metrics}"
    );

    let id = numbers["id"].as_str().unwrap();
    let fixed = s
        .owner
        .patch(
            &format!("/api/whatsapp/numbers/{id}"),
            json!({"access_token": "EAAG-new-token"}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(fixed.body["status"], "active");
    let third = send(&s, json!({"type": "text", "text": "three"})).await;
    for id in [&first, &second, &third] {
        let m = wait_status(&s, id, "sent").await;
        assert_eq!(
            (&m["status"], &m["error"]),
            (&json!("sent"), &Value::Null),
            "{m}"
        );
    }
    let sent = s.graph.requests();
    let texts: Vec<&str> = sent[1..]
        .iter()
        .map(|r| r.body["text"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["one", "two", "three"],
        "in the order they were written"
    );
    assert!(sent[1..]
        .iter()
        .all(|r| r.authorization == "Bearer EAAG-new-token"));
}

#[tokio::test]
async fn a_spam_block_pauses_the_number_and_holds_its_messages() {
    let s = setup(60).await;
    s.graph.fail_next(400, 131048, "Spam rate limit hit");
    let c = &s.conversation;
    let r = s
        .owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "hi"}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    let number = loop {
        let n = s.owner.get("/api/whatsapp/numbers").await.body["items"][0].clone();
        if n["status"] == "paused" || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(number["status"], "paused", "{number}");
    assert!(number["paused_until"].is_string());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        message(&s, &id).await["status"],
        "queued",
        "held until the pause ends, not failed"
    );
    assert_eq!(s.graph.requests().len(), 1);
}

#[tokio::test]
async fn a_failed_message_can_be_retried_as_it_was_composed() {
    let s = setup(60).await;
    s.graph.fail_next(400, 131026, "Message undeliverable");
    let path = format!("/api/conversations/{}/messages", s.conversation);
    let r = s
        .owner
        .post(
            &path,
            json!({"type": "text", "text": "Your car is ready 🚗"}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(wait_status(&s, &id, "failed").await["status"], "failed");
    let retry = format!("{path}/{id}/retry");
    let again = s.owner.post(&retry, json!({})).await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_eq!(again.body["status"], "queued");
    let m = wait_status(&s, &id, "sent").await;
    assert_eq!(m["status"], "sent", "{m}");
    assert!(m["error"].is_null());
    let sent = s.graph.requests();
    assert_eq!(sent.len(), 2, "one failed attempt, one retry");
    assert_eq!(
        sent[0].body, sent[1].body,
        "the retry sends what was composed"
    );
    let twice = s.owner.post(&retry, json!({})).await;
    assert_eq!(twice.status, 409, "only a failed message is retried");
}

#[tokio::test]
async fn a_send_meta_took_without_an_answer_is_left_to_a_person_never_repeated() {
    let s = setup(60).await;
    // Meta took it (200) but the answer names no message: it may be on the phone.
    s.graph
        .answer_next(200, json!({"messaging_product": "whatsapp"}));
    let id = send(&s, json!({"type": "text", "text": "Your car is ready"})).await;
    let m = wait_status(&s, &id, "failed").await;
    assert_eq!(m["status"], "failed", "{m}");
    assert!(
        m["error"]
            .as_str()
            .unwrap()
            .contains("may have reached the customer"),
        "{m}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(s.graph.requests().len(), 1, "not sent again on its own");
    // A person who checked sends it again.
    let retry = format!("/api/conversations/{}/messages/{id}/retry", s.conversation);
    assert_eq!(s.owner.post(&retry, json!({})).await.status, 202);
    assert_eq!(wait_status(&s, &id, "sent").await["status"], "sent");
    assert_eq!(s.graph.requests().len(), 2);
}

#[tokio::test]
async fn a_status_that_outruns_the_send_is_applied_once_the_send_is_recorded() {
    let s = setup(60).await;
    // Meta's `read` for the wamid the next send will get, before that send exists.
    let early = status("wamid.FAKE000001", "read", json!({}));
    assert_eq!(s.h.webhook(&early).await.status, 200);
    let id = send(&s, json!({"type": "text", "text": "Hi"})).await;
    let m = wait_status(&s, &id, "read").await;
    assert_eq!(m["status"], "read", "{m}");
    assert_eq!(m["wa_message_id"], "wamid.FAKE000001");
    // A late `delivered` does not move it back.
    let late = status("wamid.FAKE000001", "delivered", json!({}));
    assert_eq!(s.h.webhook(&late).await.status, 200);
    assert_eq!(message(&s, &id).await["status"], "read");
}

#[tokio::test]
async fn one_customers_messages_go_out_one_after_another_in_order() {
    let s = setup(60).await;
    s.graph.slow_sends(150);
    let texts: Vec<String> = (1..=4).map(|i| format!("part {i}")).collect();
    for t in &texts {
        send(&s, json!({"type": "text", "text": t})).await;
    }
    let sent = s.graph.wait_for(texts.len()).await;
    let sends: Vec<_> = sent
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .collect();
    let order: Vec<&str> = sends
        .iter()
        .map(|r| r.body["text"]["body"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(order, texts, "in the order they were written");
    // Each waited for Meta's answer to the one before.
    for pair in sends.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(
            gap >= Duration::from_millis(140),
            "sent side by side: {gap:?}"
        );
    }
}

#[tokio::test]
async fn a_reply_quotes_a_message_of_its_conversation_or_is_refused() {
    let s = setup(60).await;
    let c = &s.conversation;
    let inbound = s
        .owner
        .get(&format!("/api/conversations/{c}/messages"))
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for quote in [inbound.as_str(), "wamid.IN1"] {
        let id = send(
            &s,
            json!({"type": "text", "text": "Yes!", "reply_to": quote}),
        )
        .await;
        wait_status(&s, &id, "sent").await;
        let sent = s.graph.requests();
        assert_eq!(
            sent.last().unwrap().body["context"]["message_id"],
            "wamid.IN1"
        );
    }
    let unknown = wafunnel::store::ids::MessageId::new().to_string();
    for quote in [
        json!(unknown),
        json!("garbage"),
        json!("wamid.ELSEWHERE"),
        json!(5),
    ] {
        let r = s
            .owner
            .post(
                &format!("/api/conversations/{c}/messages"),
                json!({"type": "text", "text": "Yes!", "reply_to": quote}),
            )
            .await;
        assert_eq!(r.status, 422, "{quote}: {}", r.body);
        assert_eq!(
            r.body["error"]["details"][0]["field"], "reply_to",
            "{}",
            r.body
        );
    }
    assert_eq!(s.graph.requests().len(), 2, "nothing refused reached Meta");
}

#[tokio::test]
async fn another_business_number_cannot_report_on_our_messages() {
    let s = setup(60).await;
    let other = s.h.new_business("Elsewhere").await;
    let other_owner = s.h.login(other.owner()).await;
    s.h.register_number(&other_owner, "PN-OTHER").await;
    let id = send(&s, json!({"type": "text", "text": "Ours"})).await;
    let wamid = wait_status(&s, &id, "sent").await["wa_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut forged = status(&wamid, "read", json!({}));
    forged["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("PN-OTHER");
    assert_eq!(s.h.webhook(&forged).await.status, 200);
    assert_eq!(message(&s, &id).await["status"], "sent");
    s.h.webhook(&status(&wamid, "read", json!({}))).await;
    assert_eq!(message(&s, &id).await["status"], "read");
}

#[tokio::test]
async fn a_refused_template_sync_shows_metas_reason_and_a_dead_token_marks_the_number() {
    let s = setup(60).await;
    let numbers = s.owner.get("/api/whatsapp/numbers").await;
    let number = numbers.body["items"][0]["id"].as_str().unwrap().to_string();
    let sync = format!("/api/whatsapp/numbers/{number}/templates/sync");
    s.graph
        .fail_next(400, 100, "Unsupported get request: the WABA id is wrong");
    let r = s.owner.post(&sync, json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let told = r.body["error"]["message"].as_str().unwrap();
    assert!(told.contains("the WABA id is wrong"), "{told}");
    assert_eq!(
        s.owner.get("/api/whatsapp/numbers").await.body["items"][0]["status"],
        "active"
    );

    s.graph.fail_next(
        401,
        190,
        "Error validating access token: Session has expired",
    );
    let r = s.owner.post(&sync, json!({})).await;
    assert_eq!(r.status, 502, "{}", r.body);
    let n = s.owner.get("/api/whatsapp/numbers").await.body["items"][0].clone();
    assert_eq!(n["status"], "token_invalid", "{n}");
    assert!(
        n["last_error"]
            .as_str()
            .unwrap()
            .contains("Session has expired"),
        "{n}"
    );
}
