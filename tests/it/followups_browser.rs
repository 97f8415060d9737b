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
