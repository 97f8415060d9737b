//! Support access in Chromium: an owner grants it from Settings, a platform
//! admin opens the business read-only from the admin panel, reads the inbox,
//! cannot change anything (neither through the page nor by calling the API
//! from it), and the owner sees the visit.
use std::time::Duration;

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::{
    common::{browser, browser::Browser, wa::text, Biz, Client, Harness, PASSWORD},
    inbox_browser::{sign_in, until},
};

/// A business whose WhatsApp number got one message from a customer
/// (phone, name, text): the business, its owner's client and the conversation.
pub(crate) async fn customer_writes_in(
    h: &Harness,
    business: &str,
    number: &str,
    (phone, name, body): (&str, &str, &str),
) -> (Biz, Client, String) {
    let biz = h.new_business(business).await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, number).await;
    let wamid = format!("wamid.{}", ulid::Ulid::new());
    let r = h.webhook(&text(number, phone, name, &wamid, body)).await;
    assert_eq!(r.status, 200);
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .expect("the customer's conversation")
        .to_string();
    (biz, owner, conversation)
}

/// A write the page itself would send: same cookies, same CSRF header.
async fn write_from_page(b: &Browser, method: &str, path: &str, body: Value) -> Value {
    let script = r#"
        const [method, path, body, done] = arguments;
        const csrf = (document.cookie.match(/(?:^|; )wf_csrf=([^;]*)/) || [])[1] || '';
        fetch(path, {method, headers: {'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf)}, body: JSON.stringify(body)})
          .then(async r => done({status: r.status, body: await r.json().catch(() => null)}));
    "#;
    b.client
        .execute_async(script, vec![json!(method), json!(path), body])
        .await
        .expect("fetch from the page")
}

#[tokio::test]
async fn an_owner_grants_support_access_and_an_admin_looks_read_only() {
    let Some(owner_tab) = browser::start(1280, 900).await else {
        return;
    };
    let Some(admin_tab) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, conversation) = customer_writes_in(
        &h,
        "Padaria Sol",
        "770001",
        ("5511987650001", "Marta", "Is the bread ready?"),
    )
    .await;

    // The owner grants a day of support access from Settings.
    sign_in(&owner_tab, &h, biz.owner(), "/settings").await;
    owner_tab.click("support-grant-24h").await;
    until(
        &owner_tab,
        "[data-testid=\"support-access-state\"][data-active=\"true\"]",
        "support access shown as granted",
    )
    .await;
    owner_tab.screenshot("support-granted").await;

    // The admin finds the business in the panel and opens it read-only.
    let admin_email = crate::audit::admin_account(&h).await;
    admin_tab.client.goto(&h.url("/login")).await.unwrap();
    admin_tab.fill("login-email", &admin_email).await;
    admin_tab.fill("login-password", PASSWORD).await;
    admin_tab.click("login-submit").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    admin_tab.client.goto(&h.url("/admin")).await.unwrap();
    let row = format!(
        "[data-testid=\"admin-business-row\"][data-business-id=\"{}\"]",
        biz.id
    );
    until(&admin_tab, &row, "the business in the admin panel").await;
    admin_tab.screenshot("admin-businesses").await;
    admin_tab
        .css(&format!("{row} [data-testid=\"admin-open-readonly\"]"))
        .await
        .click()
        .await
        .unwrap();
    until(
        &admin_tab,
        "[data-testid=\"support-banner\"]",
        "the support banner",
    )
    .await;

    // The inbox is readable, and the reply box is replaced by a read-only notice.
    admin_tab
        .client
        .goto(&h.url(&format!("/inbox/{conversation}")))
        .await
        .unwrap();
    until(
        &admin_tab,
        "[data-testid=\"support-read-only\"]",
        "the read-only notice",
    )
    .await;
    admin_tab.text("Is the bread ready?").await;
    assert!(
        !admin_tab.exists("composer-input").await,
        "no reply box while visiting"
    );
    admin_tab.screenshot("support-visit-inbox").await;

    // Writes from the page's own session are refused by the server.
    let c = format!("/api/conversations/{conversation}");
    for (method, path, body) in [
        ("PATCH", c.clone(), json!({"status": "closed"})),
        (
            "POST",
            format!("{c}/messages"),
            json!({"type": "text", "text": "hi"}),
        ),
        (
            "POST",
            format!("{c}/notes"),
            json!({"text": "support was here"}),
        ),
        (
            "POST",
            "/api/tokens".to_string(),
            json!({"name": "support"}),
        ),
    ] {
        let r = write_from_page(&admin_tab, method, &path, body).await;
        assert_eq!(r["status"], 403, "{path}: {r}");
        assert_eq!(
            r["body"]["error"]["code"], "support_read_only",
            "{path}: {r}"
        );
    }
    let still = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(still.body["status"], "open", "{}", still.body);
    let notes = owner.get(&format!("{c}/notes")).await;
    assert_eq!(notes.body["items"], json!([]), "{}", notes.body);
    let messages = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    assert_eq!(
        messages.body["items"].as_array().map(Vec::len),
        Some(1),
        "nothing was sent: {}",
        messages.body
    );

    // The owner sees the visit in Settings.
    owner_tab.client.refresh().await.unwrap();
    until(
        &owner_tab,
        "[data-testid=\"support-view-row\"]",
        "the support visit listed",
    )
    .await;
    let rows = owner_tab
        .client
        .find_all(Locator::Css("[data-testid=\"support-view-row\"]"))
        .await
        .unwrap();
    assert!(rows.len() >= 2, "the opening and the conversation read");
    owner_tab.screenshot("support-views").await;

    // Leaving returns the admin to the platform.
    admin_tab.click("support-exit").await;
    until(
        &admin_tab,
        "[data-testid=\"admin-businesses\"]",
        "back in the admin panel",
    )
    .await;
    assert!(!admin_tab.exists("support-banner").await);
}
