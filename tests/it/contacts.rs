//! Correcting a contact: whoever may open one of its conversations fixes a
//! typo in the name, adds an email or fixes a lead's phone; a WhatsApp
//! customer's own number and another contact's email or phone stay as they are.
use serde_json::json;

use crate::common::{wa::text, Harness};

#[tokio::test]
async fn a_member_corrects_a_leads_name_email_and_phone_and_the_inbox_shows_it() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Jon Smiht", "phone": "+55 11 91111-2222"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    let conversation = lead.body["conversation_id"].as_str().unwrap().to_string();
    let contact = lead.body["contact_id"].as_str().unwrap().to_string();
    let path = format!("/api/contacts/{contact}");

    let r = owner
        .patch(
            &path,
            json!({"name": "  Jon Smith ", "email": "Jon@Example.COM", "phone": "+55 11 93333-4444"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body,
        json!({"id": contact, "name": "Jon Smith", "email": "jon@example.com", "phone": "+5511933334444"})
    );
    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(c.body["contact"]["name"], "Jon Smith");
    assert_eq!(c.body["contact"]["email"], "jon@example.com");

    // The new phone finds the same person; the old one is free again.
    let again = owner
        .post("/api/leads", json!({"phone": "+5511933334444"}))
        .await;
    assert_eq!(again.body["contact_id"], contact.as_str());
    let other = owner
        .post(
            "/api/leads",
            json!({"name": "Ana", "phone": "+5511911112222", "email": "ana@example.com"}),
        )
        .await;
    assert_ne!(other.body["contact_id"], contact.as_str());

    // Another contact's email: refused, nothing changed.
    let r = owner
        .patch(
            &path,
            json!({"name": "Changed", "email": "ana@example.com"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.body["error"]["code"], "conflict");
    let r = owner.patch(&path, json!({"email": "not-an-address"})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(c.body["contact"]["name"], "Jon Smith");
    assert_eq!(c.body["contact"]["email"], "jon@example.com");

    // null clears the email; a field left out stays.
    let r = owner.patch(&path, json!({"email": null})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["email"], json!(null));
    assert_eq!(r.body["phone"], "+5511933334444");

    // A member who cannot open the conversation cannot see the contact either.
    let stranger = h.login(biz.other_member()).await;
    let assigned_to = c.body["assignee_id"].clone();
    if assigned_to != json!(biz.other_member_id) {
        let r = stranger.patch(&path, json!({"name": "Nope"})).await;
        assert_eq!(r.status, 404, "{}", r.body);
    }
}

#[tokio::test]
async fn a_whatsapp_customers_own_number_cannot_be_edited_but_their_name_can() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-1").await;
    h.webhook(&text("PN-1", "5511955556666", "carla", "wamid.C1", "Oi"))
        .await;
    let list = owner.get("/api/conversations").await;
    let contact = list.body["items"][0]["contact"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/contacts/{contact}");
    let r = owner.patch(&path, json!({"phone": "+5511977778888"})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        r.body["error"]["details"][0]["field"], "phone",
        "{}",
        r.body
    );
    let r = owner
        .patch(
            &path,
            json!({"name": "Carla Souza", "phone": "+5511955556666"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["name"], "Carla Souza");
    // Her next message keeps the corrected name.
    h.webhook(&text(
        "PN-1",
        "5511955556666",
        "carla",
        "wamid.C2",
        "Tudo bem?",
    ))
    .await;
    let list = owner.get("/api/conversations").await;
    assert_eq!(list.body["items"][0]["contact"]["name"], "Carla Souza");
    let r = owner.patch(&path, json!({"surname": "x"})).await;
    assert_eq!(r.status, 422, "unknown fields are refused: {}", r.body);
}
