//! Erasure in Chromium: an owner erases a contact from the inbox's contact
//! panel, typing ERASE to confirm, and its conversation is gone.
use std::time::Duration;

use serde_json::json;

use crate::{
    common::{browser, wa::delivery, Harness},
    inbox_browser::{sign_in, until},
    support_browser::customer_writes_in,
};

#[tokio::test]
async fn an_owner_erases_a_contact_from_the_inbox_and_it_is_gone() {
    let Some(tab) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, conversation) = customer_writes_in(
        &h,
        "Padaria Lua",
        "770002",
        ("5511987650002", "Rita", "Please forget me"),
    )
    .await;

    sign_in(&tab, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    until(&tab, "[data-testid=\"contact-erase\"]", "the erase button").await;
    tab.text("Please forget me").await;
    tab.click("contact-erase").await;
    tab.fill("erase-confirm-input", "ERASE").await;
    tab.screenshot("erase-dialog").await;
    tab.click("erase-confirm-button").await;

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let r = owner
            .get(&format!("/api/conversations/{conversation}"))
            .await;
        if r.status == 404 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still there: {}",
            r.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let list = owner.get("/api/conversations").await;
    assert_eq!(list.body["items"], json!([]), "{}", list.body);
    tab.screenshot("erased").await;
}

#[tokio::test]
async fn a_member_corrects_a_contacts_name_and_email_in_the_contact_panel() {
    let Some(tab) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, conversation) = customer_writes_in(
        &h,
        "Padaria Lua",
        "770003",
        ("5511987650003", "rita b", "Oi"),
    )
    .await;
    sign_in(&tab, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    until(&tab, "[data-testid=\"contact-edit\"]", "the edit button").await;
    tab.click("contact-edit").await;
    tab.set_value("contact-name-input", "Rita Barbosa").await;
    tab.fill("contact-email-input", "not an email").await;
    tab.click("contact-save").await;
    until(&tab, "[data-testid=\"contact-form\"] [role=\"alert\"], [data-testid=\"contact-form\"] [aria-invalid=\"true\"]", "the email's error").await;
    tab.screenshot("contact-edit-error").await;
    tab.set_value("contact-email-input", "rita@example.com")
        .await;
    tab.click("contact-save").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let shown = tab
            .el("contact-name")
            .await
            .text()
            .await
            .unwrap_or_default();
        if shown == "Rita Barbosa" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "shows {shown}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let email = tab.el("contact-email").await.text().await.unwrap();
    assert_eq!(email, "rita@example.com");
    tab.screenshot("contact-edited").await;
    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(c.body["contact"]["name"], "Rita Barbosa");
    assert_eq!(
        c.body["contact"]["phone"], "+5511987650003",
        "the phone stays"
    );
}

#[tokio::test]
async fn a_catalog_order_shows_its_items_prices_and_total() {
    let Some(tab) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, _owner, conversation) =
        customer_writes_in(&h, "Padaria Lua", "770004", ("5511987650004", "Rita", "Oi")).await;
    let order = delivery(
        "770004",
        json!([{"profile": {"name": "Rita"}, "wa_id": "5511987650004"}]),
        json!([{"from": "5511987650004", "id": "wamid.ORDER-1", "timestamp": "1764000100", "type": "order",
                "order": {"catalog_id": "CAT-1", "text": "Deliver Friday please", "product_items": [
                    {"product_retailer_id": "SKU-RED-SUV", "quantity": 2, "item_price": 1899.5, "currency": "BRL"},
                    {"product_retailer_id": "SKU-MAT", "quantity": "1", "item_price": "100", "currency": "BRL"}]}}]),
        json!([]),
    );
    assert_eq!(h.webhook(&order).await.status, 200);
    sign_in(&tab, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    let body = until(&tab, "[data-testid=\"order-body\"]", "the order").await;
    let text = body.text().await.unwrap();
    for part in [
        "2 × SKU-RED-SUV",
        "1 × SKU-MAT",
        "Total",
        "3,899.00",
        "Deliver Friday please",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    tab.screenshot("inbox-order").await;
}
