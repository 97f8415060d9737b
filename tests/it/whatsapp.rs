//! The WhatsApp channel: verification, signed ingest, every message type,
//! redelivery, dead letters, statuses.
use serde_json::{json, Value};

use crate::common::{
    wa::{delivery, text},
    Harness, VERIFY_TOKEN,
};

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().expect("items")
}

#[tokio::test]
async fn meta_verifies_the_webhook_with_our_token_only() {
    let h = Harness::start();
    let ok = reqwest::get(h.url(&format!(
        "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
    )))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let bad = reqwest::get(
        h.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 403);
}

#[tokio::test]
async fn unsigned_or_forged_deliveries_are_refused_and_store_nothing() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "100200300").await;
    let body = text("100200300", "5511987654321", "Carla", "wamid.A1", "hi").to_string();
    for sig in [None, Some("sha256=00"), Some("sha1=abc")] {
        let mut req = reqwest::Client::new()
            .post(h.url("/webhooks/whatsapp"))
            .body(body.clone());
        if let Some(s) = sig {
            req = req.header("X-Hub-Signature-256", s);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let err: Value = r.json().await.unwrap();
        assert_eq!(err["error"]["code"], "invalid_signature");
    }
    assert!(items(&owner.get("/api/conversations").await.body).is_empty());
}

#[tokio::test]
async fn a_text_message_becomes_a_contact_a_conversation_and_a_message_once() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "100200300").await;
    // Meta escapes non-ASCII; the signature covers those exact bytes.
    let raw = br#"{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"100200300"},"contacts":[{"profile":{"name":"Jos\u00e9 Caf\u00e9"},"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.E1","timestamp":"1764000000","type":"text","text":{"body":"Ol\u00e1, quanto custa?"}}]}}]}]}"#;
    let r = h.webhook_raw(raw).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        h.webhook_raw(raw).await.status,
        200,
        "a redelivery is acknowledged too"
    );

    let list = owner.get("/api/conversations?view=all").await;
    assert_eq!(items(&list.body).len(), 1, "{}", list.body);
    let c = &items(&list.body)[0];
    assert_eq!(c["contact"]["name"], "José Café");
    assert_eq!(c["contact"]["phone"], "+5511987654321");
    assert_eq!(c["source"], "whatsapp");
    assert_eq!(c["status"], "open");
    assert_eq!(c["number_id"], json!(number));
    assert_eq!(c["assignee_id"], Value::Null);
    assert_eq!(c["unread_count"], 1);
    assert_eq!(c["last_message"]["text"], "Olá, quanto custa?");
    assert_eq!(
        c["window"]["open"], false,
        "the fixture's timestamp is in 2025: the window has closed"
    );
    let id = c["id"].as_str().unwrap();
    let msgs = owner
        .get(&format!("/api/conversations/{id}/messages"))
        .await;
    assert_eq!(
        items(&msgs.body).len(),
        1,
        "redelivery stored nothing twice"
    );
    let m = &items(&msgs.body)[0];
    assert_eq!(
        (m["direction"].as_str(), m["type"].as_str()),
        (Some("in"), Some("text"))
    );
    assert_eq!(m["wa_message_id"], "wamid.E1");
    assert_eq!(
        items(&owner.get("/api/conversations?view=unassigned").await.body).len(),
        1
    );

    assert_eq!(
        owner
            .post(&format!("/api/conversations/{id}/read"), json!({}))
            .await
            .status,
        204
    );
    assert_eq!(
        owner.get(&format!("/api/conversations/{id}")).await.body["unread_count"],
        0
    );
}

#[tokio::test]
async fn every_message_type_of_the_contract_is_stored_and_readable() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "555").await;
    let from = "5511911112222";
    let msg = |id: &str, kind: &str, body: Value| {
        let mut m = json!({"from": from, "id": id, "timestamp": 1764000000, "type": kind});
        m[kind] = body;
        m
    };
    let media = |extra: Value| {
        let mut m = json!({"id": "MEDIA-1", "mime_type": "image/jpeg", "sha256": "abc", "file_size": "2048"});
        if let (Some(o), Some(e)) = (m.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        m
    };
    let messages = json!([
        msg("wamid.t", "text", json!({"body": "hello"})),
        msg("wamid.i", "image", media(json!({"caption": "the car"}))),
        msg("wamid.a", "audio", media(json!({"voice": true}))),
        msg("wamid.v", "video", media(json!({}))),
        msg("wamid.d", "document", media(json!({"filename": "quote.pdf"}))),
        msg("wamid.s", "sticker", media(json!({"animated": false}))),
        msg("wamid.l", "location", json!({"latitude": -23.55, "longitude": -46.63, "name": "Shop", "address": "Av. Paulista"})),
        msg("wamid.c", "contacts", json!([{"name": {"formatted_name": "Ana B"}, "phones": [{"phone": "+55 11 9999", "type": "CELL"}]}])),
        msg("wamid.ib", "interactive", json!({"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}})),
        msg("wamid.il", "interactive", json!({"type": "list_reply", "list_reply": {"id": "r1", "title": "Blue", "description": "The blue one"}})),
        msg("wamid.b", "button", json!({"payload": "STOP", "text": "Stop promotions"})),
        msg("wamid.o", "order", json!({"catalog_id": "CAT", "product_items": [{"product_retailer_id": "SKU1", "quantity": "2", "item_price": 10.5, "currency": "BRL"}]})),
        msg("wamid.r", "reaction", json!({"message_id": "wamid.t", "emoji": "👍"})),
        {"from": from, "id": "wamid.u", "timestamp": "1764000000", "type": "unsupported",
         "errors": [{"code": 131051, "title": "Message type unknown", "error_data": {"details": "Message type is not currently supported"}}]},
        {"from": from, "id": "wamid.p", "timestamp": "1764000000", "type": "poll", "poll": {"question": "Which?"}},
    ]);
    let body = delivery(
        "555",
        json!([{"profile": {"name": "Rita"}, "wa_id": from}]),
        messages,
        json!([]),
    );
    assert_eq!(h.webhook(&body).await.status, 200);

    let list = owner.get("/api/conversations").await;
    let id = items(&list.body)[0]["id"].as_str().unwrap().to_string();
    let msgs = owner
        .get(&format!("/api/conversations/{id}/messages?limit=100"))
        .await;
    let stored = items(&msgs.body);
    let by_id = |w: &str| {
        stored
            .iter()
            .find(|m| m["wa_message_id"] == w)
            .cloned()
            .unwrap_or_else(|| panic!("{w} missing"))
    };
    assert_eq!(
        stored.len(),
        14,
        "the reaction attaches to its message: {}",
        msgs.body
    );
    assert_eq!(by_id("wamid.t")["reactions"][0]["emoji"], "👍");
    assert_eq!(by_id("wamid.i")["type"], "image");
    assert_eq!(by_id("wamid.i")["text"], "the car");
    assert_eq!(by_id("wamid.i")["media"]["file_size"], 2048);
    assert_eq!(by_id("wamid.a")["details"]["voice"], true);
    assert_eq!(by_id("wamid.d")["details"]["filename"], "quote.pdf");
    assert_eq!(by_id("wamid.l")["details"]["latitude"], -23.55);
    assert_eq!(by_id("wamid.c")["text"], "Ana B");
    assert_eq!(by_id("wamid.ib")["details"]["interactive"]["id"], "yes");
    assert_eq!(
        by_id("wamid.il")["details"]["interactive"]["type"],
        "list_reply"
    );
    assert_eq!(by_id("wamid.b")["details"]["payload"], "STOP");
    assert_eq!(by_id("wamid.o")["details"]["items"][0]["quantity"], 2);
    assert_eq!(by_id("wamid.u")["type"], "unsupported");
    assert_eq!(by_id("wamid.u")["details"]["errors"][0]["code"], 131051);
    let poll = by_id("wamid.p");
    assert_eq!(poll["type"], "unsupported");
    assert_eq!(
        poll["details"]["raw"]["poll"]["question"], "Which?",
        "unknown types keep their raw JSON"
    );

    // The reaction removed, redelivered twice: idempotent.
    let removed = delivery(
        "555",
        json!([]),
        json!([msg(
            "wamid.r2",
            "reaction",
            json!({"message_id": "wamid.t", "emoji": ""})
        )]),
        json!([]),
    );
    h.webhook(&removed).await;
    h.webhook(&removed).await;
    let msgs = owner
        .get(&format!("/api/conversations/{id}/messages?limit=100"))
        .await;
    let t = items(&msgs.body)
        .iter()
        .find(|m| m["wa_message_id"] == "wamid.t")
        .cloned()
        .unwrap();
    assert_eq!(t["reactions"], json!([]));
}

#[tokio::test]
async fn deliveries_for_unknown_numbers_are_acknowledged_and_dead_lettered() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = h
        .webhook(&text("999999", "5511987654321", "Carla", "wamid.X", "hi"))
        .await;
    assert_eq!(r.status, 200);
    assert!(items(&owner.get("/api/conversations").await.body).is_empty());
    assert_eq!(owner.get("/api/admin/dead-letters").await.status, 403);
    let admin = h.platform_admin().await;
    let dead = admin.get("/api/admin/dead-letters").await;
    assert_eq!(dead.status, 200, "{}", dead.body);
    let first = &items(&dead.body)[0];
    assert!(first["reason"].as_str().unwrap().contains("999999"));
    assert!(first["body"].as_str().unwrap().contains("wamid.X"));
}

#[tokio::test]
async fn a_contact_writing_to_two_numbers_has_two_conversations_and_one_identity() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "111").await;
    h.register_number(&owner, "222").await;
    h.webhook(&text("111", "5511900000001", "Caio", "wamid.1", "one"))
        .await;
    h.webhook(&text("222", "5511900000001", "Caio", "wamid.2", "two"))
        .await;
    h.webhook(&text("111", "5511900000001", "Caio", "wamid.3", "three"))
        .await;
    let list = owner.get("/api/conversations").await;
    let convs = items(&list.body);
    assert_eq!(convs.len(), 2);
    assert_eq!(convs[0]["contact"]["id"], convs[1]["contact"]["id"]);
    assert_eq!(
        convs[0]["last_message"]["text"], "three",
        "newest activity first"
    );
    let dup = owner
        .post("/api/whatsapp/numbers", json!({"phone_number_id": "111", "display_phone_number": "x", "waba_id": "W", "access_token": "t"}))
        .await;
    assert_eq!((dup.status, dup.code()), (409, "conflict"));
    let numbers = owner.get("/api/whatsapp/numbers").await;
    assert!(
        !numbers.body.to_string().contains("EAAG-secret-token"),
        "tokens are never returned"
    );
}

#[tokio::test]
async fn a_changed_number_moves_the_contact_instead_of_duplicating_it() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "777").await;
    h.webhook(&text("777", "5511900000001", "Lia", "wamid.a", "hi"))
        .await;
    let system = delivery(
        "777",
        json!([]),
        json!([{"from": "5511900000001", "id": "wamid.sys", "timestamp": "1764000100", "type": "system",
                "system": {"body": "Lia changed her number", "type": "user_changed_number", "wa_id": "5511900000099"}}]),
        json!([]),
    );
    h.webhook(&system).await;
    h.webhook(&text(
        "777",
        "5511900000099",
        "Lia",
        "wamid.b",
        "from my new phone",
    ))
    .await;
    let convs = owner.get("/api/conversations").await;
    assert_eq!(items(&convs.body).len(), 1, "{}", convs.body);
    assert_eq!(items(&convs.body)[0]["contact"]["phone"], "+5511900000099");
}

/// The proptest above once sent `timestamp: 9223372036854775807`: seconds
/// that overflow as milliseconds. The message is kept, stamped on arrival.
#[tokio::test]
async fn a_timestamp_past_what_milliseconds_hold_is_read_as_now() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "888").await;
    let mut body = text("888", "5511900000002", "Bia", "wamid.far", "hello");
    body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!(i64::MAX.to_string());
    let r = h.webhook(&body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = owner.get("/api/conversations?view=all").await;
    let c = &items(&list.body)[0];
    assert_eq!(c["last_message"]["text"], "hello");
    assert_eq!(
        c["window"]["open"], true,
        "stamped now, so the window is open"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, .. Default::default() })]

    /// Whatever signed JSON arrives, the handler answers 2xx or 4xx, never 5xx,
    /// and the server keeps serving.
    #[test]
    fn random_signed_json_never_breaks_the_webhook(value in json_value()) {
        RUNTIME.with(|rt| rt.block_on(async {
            let h = HARNESS.get_or_init(harness_with_number);
            let r = h.webhook(&value).await;
            assert!(r.status < 500, "{} for {value}", r.status);
            let mut shaped = text("555", "5511900000000", "P", "wamid.P", "x");
            shaped["entry"][0]["changes"][0]["value"]["messages"][0] = value.clone();
            let r = h.webhook(&shaped).await;
            assert!(r.status < 500, "{} for {shaped}", r.status);
            assert_eq!(h.client().get("/healthz").await.status, 200);
        }));
    }
}

static HARNESS: std::sync::OnceLock<Harness> = std::sync::OnceLock::new();

/// A server with phone_number_id 555 registered, so shaped payloads reach ingest.
fn harness_with_number() -> Harness {
    use wafunnel::{
        channels::whatsapp::numbers,
        store::ids::NumberId,
        tenancy::{service, Role},
    };
    let h = Harness::start();
    h.server
        .store
        .write_blocking(|ctx| {
            let owner = service::NewMember {
                email: "fuzz@example.test".into(),
                name: "Fuzz".into(),
                password_hash: None,
                role: Role::Owner,
                team_id: None,
                permissions: vec![],
            };
            let (b, _, _) = service::create_business(ctx, "Fuzz", &owner)?;
            numbers::create(
                ctx,
                &numbers::WaNumber {
                    id: NumberId::new(),
                    business_id: b.id,
                    phone_number_id: "555".into(),
                    display_phone_number: "+1".into(),
                    waba_id: "W".into(),
                    access_token: "t".into(),
                    sandbox: false,
                    created_at: 0,
                    token_dead: false,
                    paused_until: 0,
                    last_error: None,
                },
            )
        })
        .unwrap();
    h
}

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
}

fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z0-9._]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("text"),
            Just("image"),
            Just("interactive"),
            Just("reaction"),
            Just("order"),
            Just("system")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("type".to_string()),
                    Just("from".to_string()),
                    Just("text".to_string()),
                    Just("timestamp".to_string()),
                    Just("entry".to_string()),
                    Just("changes".to_string()),
                    Just("value".to_string()),
                    "[a-z_]{1,8}".prop_map(|s| s)
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[tokio::test]
async fn a_message_meta_delivers_late_takes_its_place_by_when_it_was_sent() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "LATE-1").await;
    let now = chrono::Utc::now().timestamp();
    let at = |wamid: &str, body: &str, ts: i64| {
        let mut d = text("LATE-1", "5511987650030", "Rita", wamid, body);
        d["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = json!(ts.to_string());
        d
    };
    h.webhook(&at("wamid.L1", "on time", now)).await;
    h.webhook(&at("wamid.L2", "sent two minutes ago", now - 120))
        .await;
    let c = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let thread = owner.get(&format!("/api/conversations/{c}/messages")).await;
    let texts: Vec<&str> = thread.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["on time", "sent two minutes ago"], "newest first");
    let list = owner.get("/api/conversations").await;
    assert_eq!(
        list.body["items"][0]["last_message"]["text"], "on time",
        "the late one does not replace the preview"
    );
}
