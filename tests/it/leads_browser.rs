//! Lead sources in Chromium: a customer fills the walk-in form on a phone and
//! the assignee sees the lead arrive in their open inbox; an owner sets up a
//! walk-in channel and works the Leads page.
use serde_json::json;

use crate::{
    common::{browser, Harness},
    inbox_browser::{sign_in, until},
};

#[tokio::test]
async fn a_walk_in_lead_from_a_phone_reaches_the_assignees_open_inbox_live() {
    let Some(inbox) = browser::start(1440, 900).await else {
        return;
    };
    let Some(phone) = browser::start(390, 844).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Loja Azul").await;
    let owner = h.login(biz.owner()).await;
    let walkin = owner
        .post(
            "/api/channels",
            json!({"kind": "walkin", "name": "Store Centro", "pool": {"mode": "round_robin",
                   "members": [{"member_id": biz.member_id, "weight": 1}]}}),
        )
        .await;
    assert_eq!(walkin.status, 201, "{}", walkin.body);
    let slug = walkin.body["slug"].as_str().unwrap().to_string();

    sign_in(&inbox, &h, biz.member(), "/inbox").await;
    inbox.el("conversation-list").await;

    // The customer scans the QR code: the form on a phone-sized screen.
    phone
        .client
        .goto(&h.url(&format!("/w/{slug}")))
        .await
        .unwrap();
    phone.el("walkin-form").await;
    phone.screenshot("walkin-form-phone").await;
    phone.fill_css("#name", "Carla Souza").await;
    phone.fill_css("#phone", "+55 11 98765-4321").await;
    phone.fill_css("#note", "Looking for the blue sofa").await;
    phone.click("walkin-submit").await;
    let assignee = phone.el("walkin-assignee").await.text().await.unwrap();
    assert_eq!(assignee, "member 2");
    phone.screenshot("walkin-thanks-phone").await;
    // Reloading the thank-you page (a customer pulling down to refresh)
    // opens a blank form and sends nothing twice.
    phone.client.refresh().await.unwrap();
    phone.el("walkin-form").await;
    let leads = owner.get("/api/leads?source=walkin").await.body["items"].clone();
    assert_eq!(leads.as_array().map(Vec::len), Some(1), "{leads}");
    let conversation = leads[0]["conversation_id"].as_str().unwrap().to_string();

    let row = format!("[data-testid=\"conversation-row\"][data-id=\"{conversation}\"]");
    until(
        &inbox,
        &row,
        "the walk-in lead in the assignee's open inbox",
    )
    .await;
    until(
        &inbox,
        "[data-testid=\"notifications-count\"]",
        "the unread notification badge",
    )
    .await;
    inbox.screenshot("walkin-lead-in-inbox").await;

    let _ = inbox.client.clone().close().await;
    let _ = phone.client.clone().close().await;
}

#[tokio::test]
async fn an_owner_adds_a_walk_in_channel_and_a_lead_and_finds_them_on_the_leads_page() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Loja Verde").await;
    sign_in(&b, &h, biz.owner(), "/channels").await;
    b.click("add-channel").await;
    b.click("add-channel-walkin").await;
    b.fill("channel-name", "Kiosk at the mall").await;
    b.click("channel-submit").await;
    until(
        &b,
        "[data-testid=\"custom-channel-card\"][data-kind=\"walkin\"] [data-testid=\"walkin-qr\"]",
        "the new walk-in card with its QR code",
    )
    .await;
    b.screenshot("channels-walkin-card").await;

    b.client.goto(&h.url("/leads")).await.unwrap();
    b.click("add-lead").await;
    b.fill("lead-name", "Davi Rocha").await;
    b.fill("lead-phone", "+5511955551234").await;
    b.fill("lead-note", "Called about financing").await;
    b.click("lead-submit").await;
    until(
        &b,
        "[data-testid=\"leads-table\"] [data-testid=\"lead-row\"]",
        "the new lead in the table",
    )
    .await;
    b.text("Davi Rocha").await;
    assert!(b.exists("leads-export").await, "owners may export");
    b.screenshot("leads-page").await;
    let _ = b.client.clone().close().await;
}
