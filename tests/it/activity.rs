//! A conversation's activity: who closed, reopened or passed it on, in the
//! order it happened, beside the messages and never among them.
use serde_json::json;

use crate::common::{wa::text, Harness};

#[tokio::test]
async fn closing_reassigning_and_a_customers_reopening_are_told_in_order() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    h.register_number(&owner, "ACT-1").await;
    h.webhook(&text("ACT-1", "5511900000901", "Carla", "wamid.A1", "Oi"))
        .await;
    let c = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/conversations/{c}");
    owner
        .patch(&path, json!({"assignee_id": biz.member_id}))
        .await;
    let r = member.patch(&path, json!({"status": "closed"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    h.webhook(&text(
        "ACT-1",
        "5511900000901",
        "Carla",
        "wamid.A2",
        "Mais uma coisa",
    ))
    .await;

    let activity = member.get(&format!("{path}/activity")).await;
    assert_eq!(activity.status, 200, "{}", activity.body);
    let told: Vec<(String, serde_json::Value)> = activity.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap().to_string(),
                a["actor_id"].clone(),
            )
        })
        .collect();
    assert_eq!(
        told,
        [
            ("assigned".to_string(), json!(biz.owner_id)),
            ("closed".to_string(), json!(biz.member_id)),
            ("reopened".to_string(), json!(null)),
        ],
        "{}",
        activity.body
    );
    assert_eq!(
        activity.body["items"][0]["assignee_id"],
        json!(biz.member_id)
    );
    // The messages are the customer's two, nothing else.
    let messages = member.get(&format!("{path}/messages")).await;
    assert_eq!(messages.body["items"].as_array().unwrap().len(), 2);
    // Another team's member cannot read it.
    let other = h.login(biz.other_member()).await;
    assert_eq!(other.get(&format!("{path}/activity")).await.status, 404);
}

#[tokio::test]
async fn the_thread_shows_who_assigned_and_closed_it_between_the_messages() {
    use crate::{
        common::browser,
        inbox_browser::{sign_in, until},
    };
    let Some(tab) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "ACT-2").await;
    h.webhook(&text("ACT-2", "5511900000902", "Carla", "wamid.B1", "Oi"))
        .await;
    let c = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/conversations/{c}");
    owner
        .patch(&path, json!({"assignee_id": biz.member_id}))
        .await;
    sign_in(&tab, &h, biz.member(), &format!("/inbox/{c}")).await;
    let line = until(
        &tab,
        "[data-testid=\"activity-line\"][data-kind=\"assigned\"]",
        "the assignment",
    )
    .await;
    assert!(
        line.text()
            .await
            .unwrap()
            .starts_with("owner 0 assigned it to you"),
        "{}",
        line.text().await.unwrap()
    );
    tab.click("thread-close").await;
    let closed = until(
        &tab,
        "[data-testid=\"activity-line\"][data-kind=\"closed\"]",
        "the closing",
    )
    .await;
    assert!(closed
        .text()
        .await
        .unwrap()
        .starts_with("You closed the conversation"));
    tab.screenshot("thread-activity").await;
}
