//! The composer in Chromium: an unsent reply survives a reload, and when the
//! conversation is taken away the member is offered what they typed.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    common::{browser, wa::delivery, Harness},
    inbox_browser::{sign_in, until},
    support_browser::customer_writes_in,
};

/// Rita writes from `wa_id` to `number` just now, so the reply window is open.
async fn rita_writes_now(h: &Harness, number: &str, wa_id: &str, body: &str) {
    let now = chrono::Utc::now().timestamp().to_string();
    let fresh = delivery(
        number,
        json!([{"profile": {"name": "Rita"}, "wa_id": wa_id}]),
        json!([{"from": wa_id, "id": format!("wamid.NOW-{wa_id}"), "timestamp": now, "type": "text",
                "text": {"body": body}}]),
        json!([]),
    );
    assert_eq!(h.webhook(&fresh).await.status, 200);
}

#[tokio::test]
async fn an_unsent_reply_survives_a_reload_and_is_offered_when_the_conversation_is_taken_away() {
    let Some(tab) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, conversation) = customer_writes_in(
        &h,
        "Padaria Lua",
        "770010",
        ("5511987650010", "Rita", "Vocês entregam?"),
    )
    .await;
    // A message just now opens the 24-hour window, so the composer is there.
    rita_writes_now(&h, "770010", "5511987650010", "Até que horas?").await;
    let path = format!("/api/conversations/{conversation}");
    let assign = |to: String| json!({"assignee_id": to});
    assert_eq!(
        owner
            .patch(&path, assign(biz.member_id.to_string()))
            .await
            .status,
        200
    );
    sign_in(&tab, &h, biz.member(), &format!("/inbox/{conversation}")).await;
    let draft = "Entregamos sim, no bairro todo até";
    tab.fill("composer-input", draft).await;
    tab.client.refresh().await.expect("reload");
    let input = until(&tab, "[data-testid=\"composer-input\"]", "the composer").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let value = input.prop("value").await.unwrap().unwrap_or_default();
        if value == draft {
            break;
        }
        assert!(Instant::now() < deadline, "after a reload: {value:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    assert_eq!(
        owner
            .patch(&path, assign(biz.other_member_id.to_string()))
            .await
            .status,
        200
    );
    let notice = until(
        &tab,
        "[data-testid=\"toast\"][data-kind=\"removed-draft\"]",
        "the notice",
    )
    .await;
    let text = notice.text().await.unwrap();
    assert!(text.contains(draft), "{text}");
    tab.screenshot("composer-draft-offered").await;
}

#[tokio::test]
async fn the_inbox_badge_counts_what_waits_on_you_not_colleagues_conversations() {
    let Some(tab) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, first) =
        customer_writes_in(&h, "Padaria Lua", "770011", ("5511987650011", "Rita", "Oi")).await;
    h.webhook(&crate::common::wa::text(
        "770011",
        "5511987650012",
        "Caio",
        "wamid.CAIO-1",
        "Olá",
    ))
    .await;
    // Rita's conversation is the member's; Caio's waits in Unassigned.
    let r = owner
        .patch(
            &format!("/api/conversations/{first}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(r.status, 200);
    sign_in(&tab, &h, biz.owner(), "/inbox").await;
    let badge = until(&tab, "[data-testid=\"nav-unread\"]", "the badge").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        badge.text().await.unwrap(),
        "1",
        "the owner: Caio's message, not the member's Rita"
    );
    tab.screenshot("inbox-badge-owner").await;
}

#[tokio::test]
async fn web_addresses_in_a_message_are_links_that_open_in_a_new_tab() {
    let Some(tab) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, _owner, conversation) = customer_writes_in(
        &h,
        "Padaria Lua",
        "770012",
        (
            "5511987650013",
            "Rita",
            "Vi aqui: https://example.com/bolo?sabor=1. E www.example.org também <b>",
        ),
    )
    .await;
    sign_in(&tab, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    let link = until(
        &tab,
        "a[href=\"https://example.com/bolo?sabor=1\"]",
        "the link",
    )
    .await;
    assert_eq!(
        link.attr("target").await.unwrap().as_deref(),
        Some("_blank")
    );
    assert_eq!(
        link.attr("rel").await.unwrap().as_deref(),
        Some("noopener noreferrer nofollow")
    );
    until(&tab, "a[href=\"https://www.example.org\"]", "the www link").await;
    tab.text("também <b>").await;
}

#[tokio::test]
async fn a_reply_meta_refuses_is_marked_not_sent_in_the_list_too() {
    let Some(tab) = browser::start(1366, 900).await else {
        return;
    };
    let graph = crate::common::fake_graph::FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Padaria Lua").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "770020").await;
    rita_writes_now(&h, "770020", "5511987650020", "Tem pão de queijo?").await;
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    graph.fail_next(400, 131047, "Re-engagement message");
    sign_in(&tab, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    tab.fill("composer-input", "Temos sim!").await;
    tab.click("composer-send").await;
    let flag = until(&tab, "[data-testid=\"row-not-sent\"]", "the row's flag").await;
    assert!(flag.text().await.unwrap().contains("Not sent"));
    until(
        &tab,
        "[data-testid=\"message-error\"]",
        "the bubble's reason",
    )
    .await;
    assert!(
        !tab.exists("message-retry").await,
        "sending again cannot pass a closed window"
    );
    tab.screenshot("inbox-row-not-sent").await;
}
