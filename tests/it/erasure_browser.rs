//! Erasure in Chromium: an owner erases a contact from the inbox's contact
//! panel, typing ERASE to confirm, and its conversation is gone.
use std::time::Duration;

use serde_json::json;

use crate::{
    common::{browser, wa::text, Harness},
    inbox_browser::{sign_in, until},
};

#[tokio::test]
async fn an_owner_erases_a_contact_from_the_inbox_and_it_is_gone() {
    let Some(tab) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Padaria Lua").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "770002").await;
    let r = h
        .webhook(&text(
            "770002",
            "5511987650002",
            "Rita",
            "wamid.ER1",
            "Please forget me",
        ))
        .await;
    assert_eq!(r.status, 200);
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .expect("the customer's conversation")
        .to_string();

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
