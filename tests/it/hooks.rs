//! External webhook channels: a lead from another system, authenticated by the
//! channel's token, mapped, deduplicated, assigned; refused whole when wrong.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Client, Harness};

struct Hook {
    url: String,
    token: String,
    id: String,
}

async fn create(owner: &Client, body: Value) -> Hook {
    let r = owner.post("/api/channels", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    assert!(r.body["webhook_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/hooks/{id}")));
    Hook {
        url: format!("/hooks/{id}"),
        token: r.body["token"].as_str().unwrap().to_string(),
        id,
    }
}

async fn post(
    h: &Harness,
    path: &str,
    token: &str,
    body: Vec<u8>,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(h.url(path))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn body(v: Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

#[tokio::test]
async fn a_lead_from_another_system_is_mapped_assigned_and_stored_once() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let hook = create(
        &owner,
        json!({"kind": "webhook", "name": "Website form",
               "mapping": {"phone": "/contact/mobile", "name": "/contact/full_name"},
               "pool": {"mode": "round_robin", "members": [{"member_id": biz.member_id}]}}),
    )
    .await;
    let lead = json!({"contact": {"full_name": "Dora Diaz", "mobile": 5511987654321u64}, "note": "Asked for a quote"});
    let (status, first) = post(
        &h,
        &hook.url,
        &hook.token,
        body(lead.clone()),
        Some("order-77"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let (again, second) = post(&h, &hook.url, &hook.token, body(lead), Some("order-77")).await;
    assert_eq!(again, 201);
    assert_eq!(
        first["conversation_id"], second["conversation_id"],
        "the retry replays"
    );
    assert_eq!(second["replayed"], true);
    // The same key with keys reordered is the same body; with another lead
    // it is refused, never taken for a retry.
    let reordered = br#"{"note": "Asked for a quote", "contact": {"mobile": 5511987654321, "full_name": "Dora Diaz"}}"#;
    let (again, _) = post(
        &h,
        &hook.url,
        &hook.token,
        reordered.to_vec(),
        Some("order-77"),
    )
    .await;
    assert_eq!(again, 201);
    let other = json!({"contact": {"full_name": "Eva Lima", "mobile": 5511900000002u64}});
    let (refused, err) = post(&h, &hook.url, &hook.token, body(other), Some("order-77")).await;
    assert_eq!(refused, 422, "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("different body"));

    let member = h.login(biz.member()).await;
    let mine = member.get("/api/conversations?view=mine").await;
    let c = &mine.body["items"][0];
    assert_eq!(c["id"], first["conversation_id"]);
    assert_eq!(c["source"], "webhook");
    assert_eq!(c["contact"]["name"], "Dora Diaz");
    assert_eq!(c["contact"]["phone"], "+5511987654321");
    let timeline = member
        .get(&format!(
            "/api/conversations/{}/messages",
            c["id"].as_str().unwrap()
        ))
        .await;
    let lines: Vec<&str> = timeline.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["Lead from Website form: Asked for a quote"],
        "stored once"
    );

    // The same person typed in by hand is the same contact.
    let manual = owner
        .post("/api/leads", json!({"phone": "+55 11 98765-4321"}))
        .await;
    assert_eq!(manual.body["contact_id"], first["contact_id"]);
}

#[tokio::test]
async fn wrong_tokens_bad_payloads_and_big_bodies_are_refused_and_store_nothing() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let hook = create(&owner, json!({"kind": "webhook", "name": "CRM"})).await;
    let ok = json!({"name": "Eva", "phone": "+5511900000001"});

    let (s, e) = post(&h, &hook.url, "wfh_wrong", body(ok.clone()), None).await;
    assert_eq!(
        (s.as_u16(), e["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    let (s, _) = post(
        &h,
        "/hooks/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        &hook.token,
        body(ok.clone()),
        None,
    )
    .await;
    assert_eq!(s, 401, "an unknown channel says no more than a wrong token");
    let (s, e) = post(&h, &hook.url, &hook.token, b"{not json".to_vec(), None).await;
    assert_eq!(s, 400, "{e}");
    let (s, e) = post(
        &h,
        &hook.url,
        &hook.token,
        body(json!({"name": "No contact"})),
        None,
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(e["error"]["details"][0]["field"], "phone");
    let (s, e) = post(
        &h,
        &hook.url,
        &hook.token,
        body(json!({"phone": "12", "email": "x@"})),
        None,
    )
    .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = e["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["phone", "email"], "every bad field is named");
    let big = json!({"phone": "+5511900000001", "note": "x".repeat(70 * 1024)});
    let (s, e) = post(&h, &hook.url, &hook.token, body(big), None).await;
    assert_eq!(
        (s.as_u16(), e["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert!(owner.get("/api/conversations").await.body["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // A rotated token replaces the old one at once.
    let rotated = owner
        .post(&format!("/api/channels/{}/token", hook.id), json!({}))
        .await;
    assert_eq!(rotated.status, 200);
    let new_token = rotated.body["token"].as_str().unwrap();
    assert_eq!(
        post(&h, &hook.url, &hook.token, body(ok.clone()), None)
            .await
            .0,
        401
    );
    assert_eq!(post(&h, &hook.url, new_token, body(ok), None).await.0, 201);
    let listed = owner.get("/api/channels").await;
    assert!(
        listed.body["items"][0]["token"].is_null(),
        "a token is shown once"
    );
}

#[tokio::test]
async fn a_websites_own_html_form_may_post_its_fields_form_encoded() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let hook = create(&owner, json!({"kind": "webhook", "name": "Site"})).await;
    let res = reqwest::Client::new()
        .post(h.url(&hook.url))
        .header("Authorization", format!("Bearer {}", hook.token))
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body("name=Jos%C3%A9+Souza&phone=%2B55+11+90000-0077&note=Quero+um+or%C3%A7amento")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let c = owner
        .get(&format!(
            "/api/conversations/{}",
            created["conversation_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(c.body["contact"]["name"], "José Souza");
    assert_eq!(c.body["contact"]["phone"], "+5511900000077");
}

#[tokio::test]
async fn a_lead_with_one_bad_optional_field_is_kept_with_that_field_in_the_note() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let hook = create(&owner, json!({"kind": "webhook", "name": "CRM"})).await;
    let long_name = "N".repeat(300);
    let (s, e) = post(
        &h,
        &hook.url,
        &hook.token,
        body(
            json!({"name": long_name, "phone": "+5511987652020", "email": "joao@gmail",
                    "note": {"budget": 2000}}),
        ),
        None,
    )
    .await;
    assert_eq!(s, 201, "{e}");
    let c = owner
        .get(&format!(
            "/api/conversations/{}",
            e["conversation_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(c.body["contact"]["phone"], "+5511987652020");
    assert_eq!(c.body["contact"]["email"], json!(null));
    assert_eq!(
        c.body["contact"]["name"].as_str().unwrap().chars().count(),
        120
    );
    let line = c.body["last_message"]["text"].as_str().unwrap();
    assert!(
        line.contains("{\"budget\":2000}") && line.contains("email (as typed): joao@gmail"),
        "{line}"
    );
    // Nothing left to reach the person by: refused, nothing stored.
    let (s, e) = post(
        &h,
        &hook.url,
        &hook.token,
        body(json!({"name": "Nobody", "email": "nope@"})),
        None,
    )
    .await;
    assert_eq!(s, 422, "{e}");
}
