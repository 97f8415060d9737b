//! The Follow-ups page in Chromium: a long view shows its first page and the
//! rest on request, in due order.
use std::time::{Duration, Instant};

use crate::{
    common::{browser, Harness},
    followups::calls_due_in,
    inbox_browser::{sign_in, until},
};

#[tokio::test]
async fn a_view_of_more_than_a_hundred_follow_ups_shows_the_rest_on_request() {
    let Some(b) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let hours: Vec<i64> = (1..=105).collect();
    calls_due_in(&owner, &hours).await;
    sign_in(&b, &h, biz.owner(), "/followups").await;
    b.click("followups-tab-upcoming").await;
    until(
        &b,
        "[data-testid=\"followups-load-more\"]",
        "the rest of the view",
    )
    .await;
    let rows = "return document.querySelectorAll('[data-testid=followups-list] > li').length";
    assert_eq!(b.client.execute(rows, vec![]).await.unwrap(), 100);
    b.client
        .execute("window.scrollTo(0, document.body.scrollHeight)", vec![])
        .await
        .unwrap();
    b.screenshot("followups-show-more").await;
    b.click("followups-load-more").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.client.execute(rows, vec![]).await.unwrap() != 105 {
        assert!(Instant::now() < deadline, "the last five never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !b.exists("followups-load-more").await,
        "nothing more to show"
    );
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn a_follow_up_is_edited_in_place_on_the_follow_ups_page() {
    let Some(b) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let id = calls_due_in(&owner, &[3]).await.remove(0);
    sign_in(&b, &h, biz.owner(), "/followups").await;
    b.click("followups-tab-upcoming").await;
    until(&b, "[data-testid=\"followup-menu\"]", "the follow-up").await;
    b.click("followup-menu").await;
    b.click("followup-edit").await;
    b.set_value("followup-note", "Call back about the blue sofa")
        .await;
    // A datetime-local input takes a value as the date picker sets it.
    b.client
        .execute(
            r#"const i = document.querySelector('[data-testid="followup-when"]');
               Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(i, '2031-05-06T10:30');
               i.dispatchEvent(new Event('input', {bubbles: true}));"#,
            vec![],
        )
        .await
        .expect("set the time");
    b.screenshot("followup-edit-form").await;
    b.click("followup-submit").await;
    until(
        &b,
        "[data-testid=\"followup-row\"] [data-testid=\"followup-link\"]",
        "the edited row",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let saved = loop {
        let list = owner.get("/api/followups?view=upcoming").await;
        let f = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id.as_str())
            .cloned()
            .expect("still there");
        if f["note"] == "Call back about the blue sofa" {
            break f;
        }
        assert!(Instant::now() < deadline, "never saved: {f}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let due = saved["scheduled_for"].as_str().unwrap();
    assert!(due.starts_with("2031-05-06T"), "the new time: {due}");
    let row = b.css("[data-testid=\"followup-row\"]").await;
    assert!(row
        .text()
        .await
        .unwrap()
        .contains("Call back about the blue sofa"));
    b.screenshot("followup-edited").await;
    let _ = b.client.clone().close().await;
}
