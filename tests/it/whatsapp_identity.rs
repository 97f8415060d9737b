//! Who a delivery is from, and what it may change: a customer stays one
//! contact when WhatsApp renews their user id, WhatsApp's own notices open
//! no service window, and late deliveries never overwrite newer state.
use serde_json::{json, Value};

use crate::common::{wa::delivery, Client, Harness};

fn now_secs(offset: i64) -> String {
    (chrono::Utc::now().timestamp() + offset).to_string()
}

/// A message known by its user id (BSUID) and, when given, its number.
fn from_user(pn: &str, phone: &str, user_id: &str, wamid: &str, kind_body: Value) -> Value {
    let mut m = json!({"from": phone, "from_user_id": user_id, "id": wamid,
                       "timestamp": now_secs(0)});
    for (k, v) in kind_body.as_object().unwrap() {
        m[k] = v.clone();
    }
    delivery(
        pn,
        json!([{"profile": {"name": "Rita"}, "wa_id": phone, "user_id": user_id}]),
        json!([m]),
        json!([]),
    )
}

async fn conversations(owner: &Client) -> Vec<Value> {
    owner.get("/api/conversations?view=all").await.body["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn messages(owner: &Client, conversation: &Value) -> Vec<Value> {
    let id = conversation["id"].as_str().unwrap();
    let mut items = owner
        .get(&format!("/api/conversations/{id}/messages"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .clone();
    items.sort_by_key(|m| m["created_at"].as_str().unwrap_or("").to_string());
    items
}

#[tokio::test]
async fn a_customer_stays_one_contact_when_whatsapp_renews_their_user_id() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-ID").await;
    let text = |body: &str| json!({"type": "text", "text": {"body": body}});

    // Known by user id alone, then told the id changed, then writing with it.
    h.webhook(&from_user(
        "PN-ID",
        "",
        "BR.111",
        "wamid.U1",
        text("old id"),
    ))
    .await;
    let notice = json!({"type": "system", "system": {"body": "User Rita changed from BR.111 to BR.222",
                        "wa_id": "", "user_id": "BR.222", "type": "user_changed_user_id"}});
    h.webhook(&from_user("PN-ID", "", "BR.111", "wamid.U2", notice))
        .await;
    h.webhook(&from_user(
        "PN-ID",
        "",
        "BR.222",
        "wamid.U3",
        text("new id"),
    ))
    .await;
    // Known by number, writing with a renewed id, then with that id alone.
    h.webhook(&from_user(
        "PN-ID",
        "5511900000036",
        "BR.333",
        "wamid.T1",
        text("hi"),
    ))
    .await;
    h.webhook(&from_user(
        "PN-ID",
        "5511900000036",
        "BR.444",
        "wamid.T2",
        text("new phone"),
    ))
    .await;
    h.webhook(&from_user(
        "PN-ID",
        "",
        "BR.444",
        "wamid.T3",
        text("id only"),
    ))
    .await;

    let all = conversations(&owner).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let counts: Vec<usize> =
        futures_util::future::join_all(all.iter().map(|c| messages(&owner, c)))
            .await
            .iter()
            .map(Vec::len)
            .collect();
    assert_eq!(counts, [3, 3], "{all:?}");
}

#[tokio::test]
async fn whatsapps_notices_open_no_window_and_late_deliveries_change_nothing_newer() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-LATE").await;
    let at = |wamid: &str, offset: i64, body: Value| {
        let mut m = json!({"from": "5511900000050", "id": wamid, "timestamp": now_secs(offset)});
        for (k, v) in body.as_object().unwrap() {
            m[k] = v.clone();
        }
        delivery(
            "PN-LATE",
            json!([{"profile": {"name": "Lu"}, "wa_id": "5511900000050"}]),
            json!([m]),
            json!([]),
        )
    };
    let notice = json!({"type": "system", "system": {"body": "Lu's security code changed",
                        "type": "customer_identity_changed"}});
    h.webhook(&at("wamid.S1", 0, notice)).await;
    let c = conversations(&owner).await[0].clone();
    assert_eq!(
        c["window"]["open"], false,
        "a notice is not the customer writing: {c}"
    );

    h.webhook(&at(
        "wamid.L1",
        0,
        json!({"type": "text", "text": {"body": "newest"}}),
    ))
    .await;
    h.webhook(&at(
        "wamid.L0",
        -3600,
        json!({"type": "text", "text": {"body": "an hour old"}}),
    ))
    .await;
    let c = conversations(&owner).await[0].clone();
    assert_eq!(c["window"]["open"], true, "{c}");
    assert_eq!(c["last_message"]["text"], "newest", "{c}");

    let react = |wamid: &str, offset: i64, emoji: &str| {
        at(
            wamid,
            offset,
            json!({"type": "reaction", "reaction": {"message_id": "wamid.L1", "emoji": emoji}}),
        )
    };
    h.webhook(&react("wamid.R2", 0, "👍")).await;
    h.webhook(&react("wamid.R1", -60, "❤️")).await;
    h.webhook(&react("wamid.R0", -120, "")).await;
    let reacted = messages(&owner, &c)
        .await
        .into_iter()
        .find(|m| m["wa_message_id"] == "wamid.L1")
        .unwrap();
    let emojis: Vec<&str> = reacted["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["emoji"].as_str().unwrap())
        .collect();
    assert_eq!(emojis, ["👍"], "{reacted}");
}

#[tokio::test]
async fn awkward_deliveries_are_kept_whole_and_reported_once() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-OK").await;

    // An emoji cut in half: the rest of the delivery still counts.
    let cut = r#"{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"PN-OK"},"contacts":[{"profile":{"name":"Cy"},"wa_id":"5511900000060"}],"messages":[{"from":"5511900000060","id":"wamid.CUT","timestamp":"1764000000","type":"text","text":{"body":"cut \ud83d"}}]}}]}]}"#;
    let r = h.webhook_raw(cut.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = conversations(&owner).await[0].clone();
    assert_eq!(messages(&owner, &c).await[0]["text"], "cut \u{FFFD}");

    // Taking back a reaction to a message we never had leaves no trace.
    let unreact = delivery(
        "PN-OK",
        json!([{"profile": {"name": "Cy"}, "wa_id": "5511900000060"}]),
        json!([{"from": "5511900000060", "id": "wamid.UR", "timestamp": "1764000001", "type": "reaction",
                "reaction": {"message_id": "wamid.NEVER", "emoji": ""}}]),
        json!([]),
    );
    assert_eq!(h.webhook(&unreact).await.status, 200);
    assert_eq!(messages(&owner, &c).await.len(), 1);

    // Two unknown numbers and Meta's own error, in one delivery: one dead letter.
    let mut odd = delivery("PN-X1", json!([]), json!([]), json!([]));
    let second =
        delivery("PN-X2", json!([]), json!([]), json!([]))["entry"][0]["changes"][0].clone();
    odd["entry"][0]["changes"]
        .as_array_mut()
        .unwrap()
        .push(second);
    odd["entry"][0]["changes"][0]["value"]["errors"] = json!([{"code": 131000, "title": "Something went wrong", "message": "Something went wrong"}]);
    assert_eq!(h.webhook(&odd).await.status, 200);
    let admin = h.platform_admin().await;
    let dead = admin.get("/api/admin/dead-letters").await;
    let items = dead.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", dead.body);
    let reason = items[0]["reason"].as_str().unwrap();
    for part in ["131000", "PN-X1", "PN-X2"] {
        assert!(reason.contains(part), "{reason}");
    }

    // Another Meta product's delivery sent here: kept for the admin, not refused.
    let page = h.webhook(&json!({"object": "page", "entry": []})).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let dead = admin.get("/api/admin/dead-letters").await;
    let newest = dead.body["items"][0]["reason"].as_str().unwrap_or_default();
    assert!(newest.contains("object is \"page\""), "{newest}");
    assert_eq!(h.webhook_raw(b"{not json").await.status, 400);
}

#[tokio::test]
async fn a_brazilian_lead_with_the_ninth_digit_meets_their_older_whatsapp_number() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-ID").await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Carla", "phone": "+55 11 98765-4321"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    // Her WhatsApp account predates the ninth digit: Meta's wa_id lacks it.
    let hello = json!({"from": "551187654321", "id": "wamid.BR9", "timestamp": now_secs(0),
                       "type": "text", "text": {"body": "Oi, vi o anúncio"}});
    h.webhook(&delivery(
        "PN-ID",
        json!([{"profile": {"name": "Carla S."}, "wa_id": "551187654321"}]),
        json!([hello]),
        json!([]),
    ))
    .await;
    let all = conversations(&owner).await;
    assert_eq!(all.len(), 1, "one customer, one conversation: {all:?}");
    assert_eq!(all[0]["id"], lead.body["conversation_id"]);
    assert_eq!(all[0]["contact"]["phone"], "+5511987654321");
    // A landline's eight digits are another number altogether.
    let landline = json!({"from": "551133334444", "id": "wamid.BR8", "timestamp": now_secs(0),
                          "type": "text", "text": {"body": "Bom dia"}});
    h.webhook(&delivery(
        "PN-ID",
        json!([{"profile": {"name": "Loja"}, "wa_id": "551133334444"}]),
        json!([landline]),
        json!([]),
    ))
    .await;
    assert_eq!(conversations(&owner).await.len(), 2);
}
