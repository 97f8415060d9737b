//! The built-in simulator: a sandbox number's customer writes through the
//! signed webhook path, staff replies never leave the server, and the simulated
//! phone answers with delivered and read receipts.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{Client, Harness};

async fn sandbox(owner: &Client) -> String {
    let r = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["sandbox"], true);
    assert!(
        r.body["phone_number_id"]
            .as_str()
            .unwrap()
            .starts_with("sandbox-"),
        "a sandbox id can never be Meta's"
    );
    r.body["id"].as_str().unwrap().to_string()
}

/// The fields a 422 names.
fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["field"].as_str().map(str::to_string))
        .collect()
}

async fn eventually<F, Fut>(what: &str, mut probe: F) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<Value>>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_simulated_customer_and_a_member_hold_a_conversation_with_receipts() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let number = sandbox(&owner).await;
    let chat = format!("/api/simulator/{number}/chats/5511987650001");

    let said = owner
        .post(
            &format!("{chat}/messages"),
            json!({"type": "text", "text": "Olá! Is the Corolla still available? 🚗", "name": "Carla"}),
        )
        .await;
    assert_eq!(said.status, 202, "{}", said.body);
    assert!(said.body["wamid"].as_str().unwrap().starts_with("wamid."));

    // It is a real conversation: contact by wa_id in E.164, the window open.
    let list = owner.get("/api/conversations?view=unassigned").await;
    let c = &list.body["items"][0];
    assert_eq!(c["contact"]["phone"], "+5511987650001");
    assert_eq!(c["contact"]["name"], "Carla");
    assert_eq!(c["number_id"], number.as_str());
    assert_eq!(c["window"]["open"], true);
    assert_eq!(
        c["last_message"]["text"],
        "Olá! Is the Corolla still available? 🚗"
    );
    let conversation = c["id"].as_str().unwrap().to_string();
    let assigned = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(assigned.status, 200);

    // The member answers; it goes to the simulated phone, never to Graph
    // (the harness points Graph at a closed port, so a real send would fail).
    let sent = member
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"type": "text", "text": "Yes! Want a test drive?"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let reply = sent.body["id"].as_str().unwrap().to_string();
    let path = format!("/api/conversations/{conversation}/messages");
    let read = eventually("the read receipt", || {
        let (member, path, reply) = (&member, &path, &reply);
        async move {
            let page = member.get(path).await;
            page.body["items"]
                .as_array()?
                .iter()
                .find(|m| m["id"] == reply.as_str() && m["status"] == "read")
                .cloned()
        }
    })
    .await;
    assert!(read["error"].is_null());
    assert!(read["wa_message_id"]
        .as_str()
        .unwrap()
        .starts_with("wamid.SIM"));

    // The phone shows both sides, oldest first.
    let phone = owner.get(&chat).await;
    assert_eq!(phone.status, 200);
    assert_eq!(phone.body["conversation_id"], conversation.as_str());
    let seen: Vec<(&str, &str)> = phone.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["from"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("customer", "Olá! Is the Corolla still available? 🚗"),
            ("business", "Yes! Want a test drive?")
        ]
    );
    let chats = owner.get(&format!("/api/simulator/{number}/chats")).await;
    assert_eq!(chats.body["items"][0]["wa_id"], "5511987650001");
    assert_eq!(chats.body["items"][0]["name"], "Carla");
}

#[tokio::test]
async fn a_tapped_button_answers_the_interactive_message_it_belongs_to() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let chat = format!("/api/simulator/{number}/chats/447700900123");
    owner
        .post(
            &format!("{chat}/messages"),
            json!({"type": "text", "text": "Financing?"}),
        )
        .await;
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offer = owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"type": "interactive", "interactive": {"type": "button", "body": "Which term?",
                   "buttons": [{"id": "t36", "title": "36 months"}, {"id": "t60", "title": "60 months"}]}}),
        )
        .await;
    let offer = offer.body["id"].as_str().unwrap().to_string();
    let wamid = eventually("the offer on the phone", || {
        let (owner, chat, offer) = (&owner, &chat, &offer);
        async move {
            let phone = owner.get(chat).await;
            phone.body["messages"]
                .as_array()?
                .iter()
                .find(|m| m["id"] == offer.as_str())
                .map(|m| m["wa_message_id"].clone())
        }
    })
    .await;
    let tap = owner
        .post(
            &format!("{chat}/messages"),
            json!({"type": "button_reply", "id": "t36", "title": "36 months"}),
        )
        .await;
    assert_eq!(tap.status, 202, "{}", tap.body);
    let page = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    let newest = &page.body["items"][0];
    assert_eq!(newest["type"], "interactive");
    assert_eq!(newest["details"]["interactive"]["type"], "button_reply");
    assert_eq!(newest["details"]["interactive"]["id"], "t36");
    assert_eq!(newest["reply_to"], wamid, "the reply quotes our offer");
}

#[tokio::test]
async fn the_simulator_is_the_owners_and_checks_what_it_is_given() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let lead = h.login(biz.lead()).await;
    let number = sandbox(&owner).await;
    let real = h.register_number(&owner, "PN-REAL").await;
    let base = format!("/api/simulator/{number}/chats");

    let r = lead
        .post(
            &format!("{base}/5511900000001/messages"),
            json!({"type": "text", "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = owner
        .post(
            &format!("/api/simulator/{real}/chats/5511900000001/messages"),
            json!({"type": "text", "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, 404, "a Meta number has no simulator");
    for (wa_id, body, field) in [
        ("123", json!({"type": "text", "text": "hi"}), "wa_id"),
        (
            "5511900000001",
            json!({"type": "text", "text": "  "}),
            "text",
        ),
        ("5511900000001", json!({"type": "video"}), "type"),
        (
            "5511900000001",
            json!({"type": "location", "latitude": 91.0, "longitude": 0.0}),
            "latitude",
        ),
    ] {
        let r = owner
            .post(&format!("{base}/{wa_id}/messages"), body.clone())
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(fields(&r.body), [field], "{body}: {}", r.body);
    }
    assert!(
        owner.get("/api/conversations").await.body["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing refused was stored"
    );
    // Sandbox numbers come with templates to try the template picker on.
    let templates = owner
        .get(&format!("/api/whatsapp/numbers/{number}/templates"))
        .await;
    let names: Vec<&str> = templates.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"hello_world"), "{names:?}");
}

#[tokio::test]
async fn without_metas_app_secret_the_simulator_still_signs_and_nothing_unsigned_gets_in() {
    let h = Harness::start_with(|c| c.meta.app_secret = String::new());
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let r = owner
        .post(
            &format!("/api/simulator/{number}/chats/5511900000001/messages"),
            json!({"type": "text", "text": "hi"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let secret = std::fs::read_to_string(h.dir.path().join("webhook.secret")).unwrap();
    assert!(
        secret.trim().len() >= 32,
        "a generated secret, kept private"
    );
    // A delivery signed with an empty key is not let in.
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let forged = wafunnel::channels::whatsapp::signature::sign(b"", body);
    let res = reqwest::Client::new()
        .post(h.url("/webhooks/whatsapp"))
        .header("X-Hub-Signature-256", forged)
        .header("Content-Type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn quick_replies_are_kept_by_owners_and_leads_and_read_by_everyone() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let created = owner
        .post(
            "/api/quick-replies",
            json!({"shortcut": "/Hours", "text": "Open 9–18 ☀️"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["shortcut"], "hours",
        "stored without / and lower-case"
    );
    let id = created.body["id"].as_str().unwrap().to_string();
    let dup = owner
        .post(
            "/api/quick-replies",
            json!({"shortcut": "hours", "text": "x"}),
        )
        .await;
    assert_eq!(dup.status, 409);
    let bad = owner
        .post(
            "/api/quick-replies",
            json!({"shortcut": "two words", "text": ""}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad.body), ["shortcut", "text"]);
    let listed = member.get("/api/quick-replies").await;
    assert_eq!(listed.body["items"][0]["text"], "Open 9–18 ☀️");
    let refused = member
        .patch(&format!("/api/quick-replies/{id}"), json!({"text": "mine"}))
        .await;
    assert_eq!(refused.status, 403);
    let edited = owner
        .patch(
            &format!("/api/quick-replies/{id}"),
            json!({"text": "Open 9–19"}),
        )
        .await;
    assert_eq!(edited.body["text"], "Open 9–19");
    assert_eq!(
        owner
            .delete(&format!("/api/quick-replies/{id}"))
            .await
            .status,
        204
    );
    assert!(member.get("/api/quick-replies").await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());
}
