//! The live inbox in Chromium: a customer in the simulator and a member in
//! the inbox, two browsers, one conversation, both sides live.
use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;

use crate::common::{
    browser::{self, Browser},
    Client, Harness, PASSWORD,
};

pub(crate) async fn sign_in(b: &Browser, h: &Harness, email: &str, path: &str) {
    b.client.goto(&h.url("/login")).await.unwrap();
    b.fill("login-email", email).await;
    b.fill("login-password", PASSWORD).await;
    b.click("login-submit").await;
    // The live connection's dot sits in the header at every width.
    b.el("ws-status").await;
    b.client.goto(&h.url(path)).await.unwrap();
}

/// Waits until `css` matches, failing with `what` after 20 s.
pub(crate) async fn until(b: &Browser, css: &str, what: &str) -> fantoccini::elements::Element {
    b.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{what}: {css} did not appear: {e}"))
}

async fn conversation_of(owner: &Client, phone: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let list = owner.get("/api/conversations").await;
        let found = list.body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["contact"]["phone"] == phone)
            .and_then(|c| c["id"].as_str().map(str::to_string));
        if let Some(id) = found {
            return id;
        }
        assert!(Instant::now() < deadline, "no conversation for {phone}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn active_row(b: &Browser) -> Option<String> {
    let rows = b
        .client
        .find_all(Locator::Css(
            "[data-testid=\"conversation-row\"][data-active=\"true\"]",
        ))
        .await
        .ok()?;
    match rows.first() {
        Some(r) => r.attr("data-id").await.ok().flatten(),
        None => None,
    }
}

async fn press(b: &Browser, key: &str) {
    b.css("body").await.send_keys(key).await.expect("key");
    tokio::time::sleep(Duration::from_millis(250)).await;
}

#[tokio::test]
async fn a_customer_in_the_simulator_and_a_member_in_the_inbox_talk_live() {
    let Some(member_tab) = browser::start(1440, 900).await else {
        return;
    };
    let Some(phone_tab) = browser::start(1280, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    let number = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await;
    assert_eq!(number.status, 201);

    sign_in(&member_tab, &h, biz.member(), "/inbox").await;
    member_tab.el("conversation-list").await;
    sign_in(&phone_tab, &h, biz.owner(), "/simulator").await;

    // The customer says hi from the simulated phone.
    phone_tab.fill("sim-new-phone", "5511987650001").await;
    phone_tab.fill("sim-new-name", "Carla Mendes").await;
    phone_tab.click("sim-new-start").await;
    phone_tab.fill("sim-input", "hi").await;
    phone_tab.click("sim-send").await;
    until(
        &phone_tab,
        "[data-testid=\"sim-message\"][data-from=\"customer\"]",
        "the customer's own message on the phone",
    )
    .await;
    let conversation = conversation_of(&owner, "+5511987650001").await;

    // Assigned to the member, it appears in their open inbox without a reload.
    let assigned = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(assigned.status, 200);
    let row = format!("[data-testid=\"conversation-row\"][data-id=\"{conversation}\"]");
    until(&member_tab, &row, "the assigned conversation, live").await;
    member_tab.screenshot("inbox-new-conversation").await;
    member_tab.css(&row).await.click().await.unwrap();
    until(
        &member_tab,
        &format!("[data-testid=\"thread\"][data-conversation-id=\"{conversation}\"]"),
        "the thread",
    )
    .await;
    until(
        &member_tab,
        "[data-testid=\"message\"][data-direction=\"in\"]",
        "the customer's hi in the thread",
    )
    .await;

    // The member answers with Enter; the phone shows it, the inbox shows read ticks.
    let composer = member_tab.el("composer-input").await;
    composer
        .send_keys("Hello Carla! How can I help? ")
        .await
        .unwrap();
    // ChromeDriver types only the Basic Multilingual Plane: the emoji is
    // inserted as a paste or an emoji picker would.
    member_tab
        .client
        .execute(
            "document.execCommand('insertText', false, arguments[0])",
            vec![json!("🚗")],
        )
        .await
        .unwrap();
    composer.send_keys("\u{E007}").await.unwrap();
    until(
        &phone_tab,
        "[data-testid=\"sim-message\"][data-from=\"business\"]",
        "the member's reply on the customer's phone",
    )
    .await;
    let on_phone = phone_tab
        .css("[data-testid=\"sim-message\"][data-from=\"business\"]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        on_phone.contains("Hello Carla! How can I help? 🚗"),
        "{on_phone}"
    );
    until(
        &member_tab,
        "[data-testid=\"message\"][data-direction=\"out\"][data-status=\"read\"] [data-testid=\"message-ticks\"]",
        "read ticks on the member's reply",
    )
    .await;
    member_tab.screenshot("inbox-read-ticks").await;
    phone_tab.screenshot("simulator-phone").await;

    // The customer writes again: it appears live in the open thread.
    phone_tab.fill("sim-input", "Saturday morning?").await;
    phone_tab.click("sim-send").await;
    member_tab.text("Saturday morning?").await;

    let _ = member_tab.client.clone().close().await;
    let _ = phone_tab.client.clone().close().await;
}

#[tokio::test]
async fn the_inbox_is_driven_from_the_keyboard_and_has_a_dark_mode() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    let number = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await;
    let number = number.body["id"].as_str().unwrap().to_string();
    for (wa_id, name) in [
        ("5511900000001", "Ana Cliente"),
        ("5511900000002", "Bia Cliente"),
        ("5511900000003", "Caio Cliente"),
    ] {
        let said = owner
            .post(
                &format!("/api/simulator/{number}/chats/{wa_id}/messages"),
                json!({"type": "text", "text": format!("Hi, I am {name}"), "name": name}),
            )
            .await;
        assert_eq!(said.status, 202);
    }
    sign_in(&b, &h, biz.owner(), "/inbox").await;
    b.click("view-all").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b
        .client
        .find_all(Locator::Css("[data-testid=\"conversation-row\"]"))
        .await
        .unwrap()
        .len()
        < 3
    {
        assert!(Instant::now() < deadline, "three rows expected");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    press(&b, "j").await;
    let first = active_row(&b)
        .await
        .expect("j selects the first conversation");
    press(&b, "j").await;
    let second = active_row(&b).await.expect("j moves down");
    assert_ne!(first, second);
    press(&b, "k").await;
    assert_eq!(active_row(&b).await, Some(first.clone()), "k moves back up");
    until(
        &b,
        &format!("[data-testid=\"thread\"][data-conversation-id=\"{first}\"]"),
        "j/k open the conversation",
    )
    .await;

    press(&b, "/").await;
    let focused = b
        .client
        .active_element()
        .await
        .unwrap()
        .attr("data-testid")
        .await
        .unwrap();
    assert_eq!(
        focused.as_deref(),
        Some("list-filter"),
        "/ focuses the filter"
    );

    b.css("body").await.send_keys("\u{E00C}").await.unwrap();
    b.click("theme-toggle").await;
    let class = b
        .css("html")
        .await
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(class.contains("dark"), "{class}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.screenshot("inbox-dark").await;
    let _ = b.client.clone().close().await;
}

/// Scrolls the list's scroll container to its end; answers the rows in the DOM.
const SCROLL_LIST_TO_END: &str = r#"
    const row = document.querySelector('[data-testid="conversation-row"]');
    let el = row;
    while (el && !(el.scrollHeight > el.clientHeight && /auto|scroll/.test(getComputedStyle(el).overflowY))) {
        el = el.parentElement;
    }
    if (el) { el.scrollTop = el.scrollHeight; }
    return document.querySelectorAll('[data-testid="conversation-row"]').length;
"#;

/// The id of the last conversation of the owner's "all" view, paged through
/// the API as the UI pages it.
async fn last_in_view_all(owner: &Client) -> String {
    let mut cursor: Option<String> = None;
    let mut last = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/conversations?view=all&limit=200&cursor={c}"),
            None => "/api/conversations?view=all&limit=200".to_string(),
        };
        let page = owner.get(&url).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if let Some(row) = page.body["items"].as_array().and_then(|r| r.last()) {
            last = row["id"].as_str().map(str::to_string);
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    last.expect("the view lists conversations")
}

#[tokio::test]
async fn thousands_of_conversations_scroll_in_a_virtualised_list() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-MANY").await;
    const N: usize = 3_000;
    for chunk in (0..N).collect::<Vec<_>>().chunks(100) {
        let sends = chunk.iter().map(|i| {
            let body = crate::common::wa::text(
                "PN-MANY",
                &format!("55119{:08}", i),
                &format!("Lead {i}"),
                &format!("wamid.MANY{i}"),
                "hello",
            );
            let h = &h;
            async move { h.webhook(&body).await.status }
        });
        for status in futures_util::future::join_all(sends).await {
            assert_eq!(status, 200);
        }
    }
    // Conversations committed in the same millisecond tie on activity and
    // order by id, so "Lead 0" need not be last: the API says which one is.
    let oldest_id = last_in_view_all(&owner).await;
    sign_in(&b, &h, biz.owner(), "/inbox").await;
    b.click("view-all").await;
    b.el("conversation-row").await;
    let oldest = format!("[data-testid=\"conversation-row\"][data-id=\"{oldest_id}\"]");
    let started = Instant::now();
    let mut most_in_dom = 0;
    let mut reached_end = false;
    // Sixty pages of 50; generous, because the suite's bulk import test may
    // hold both cores meanwhile.
    while started.elapsed() < Duration::from_secs(180) {
        let rows = b
            .client
            .execute(SCROLL_LIST_TO_END, vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
        most_in_dom = most_in_dom.max(rows);
        if !b
            .client
            .find_all(Locator::Css(&oldest))
            .await
            .unwrap()
            .is_empty()
        {
            reached_end = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(
        reached_end,
        "infinite scroll did not reach the oldest of {N} conversations"
    );
    assert!(
        most_in_dom < 150,
        "a virtualised list keeps few rows in the DOM, found {most_in_dom}"
    );
    println!(
        "scrolled through {N} conversations in {:.1} s, at most {most_in_dom} rows in the DOM",
        started.elapsed().as_secs_f64()
    );
    b.screenshot("inbox-3000").await;
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn an_owner_without_a_sandbox_number_adds_one_from_the_simulator() {
    let Some(b) = browser::start(390, 844).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    sign_in(&b, &h, biz.owner(), "/simulator").await;
    b.click("sim-add-sandbox").await;
    b.el("sim-number").await;
    b.fill("sim-new-phone", "5511987650009").await;
    b.click("sim-new-start").await;
    b.fill("sim-input", "Olá!").await;
    b.click("sim-send").await;
    until(
        &b,
        "[data-testid=\"sim-message\"][data-from=\"customer\"]",
        "the message on the phone",
    )
    .await;
    b.screenshot("simulator-phone-width").await;
    let owner = h.login(biz.owner()).await;
    let numbers = owner.get("/api/whatsapp/numbers").await;
    assert_eq!(numbers.body["items"][0]["sandbox"], true);
    let _ = b.client.clone().close().await;
}

/// Clicks through JavaScript: a sticky header must not take the click.
async fn js_click(b: &Browser, css: &str) {
    let script = format!("document.querySelector('{css}').scrollIntoView({{block: 'center'}}); document.querySelector('{css}').click();");
    b.client.execute(&script, vec![]).await.unwrap();
}

#[tokio::test]
async fn an_owner_sets_a_weighted_pool_and_previews_who_gets_the_next_leads() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    let number = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    sign_in(&b, &h, biz.owner(), "/channels").await;
    until(
        &b,
        &format!("[data-testid=\"channel-card\"][data-number-id=\"{number}\"]"),
        "the sandbox number's card",
    )
    .await;
    // The button is disabled until the pool has loaded; a click before does nothing.
    until(
        &b,
        "[data-testid=\"pool-edit\"]:not([disabled])",
        "the pool's edit button, enabled",
    )
    .await;
    js_click(&b, "[data-testid=\"pool-edit\"]").await;
    for m in [biz.member_id, biz.other_member_id] {
        b.el("pool-member-add")
            .await
            .select_by_value(&m.to_string())
            .await
            .unwrap();
    }
    js_click(&b, "[data-testid=\"pool-mode\"] input[value=\"weighted\"]").await;
    let weights = b
        .client
        .find_all(Locator::Css("[data-testid=\"pool-weight\"]"))
        .await
        .unwrap();
    assert_eq!(weights.len(), 2);
    weights[0].clear().await.unwrap();
    weights[0].send_keys("2").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let preview = b
        .client
        .find_all(Locator::Css("[data-testid=\"pool-preview-item\"]"))
        .await
        .unwrap();
    assert_eq!(preview.len(), 12);
    let mut firsts = Vec::new();
    for item in preview.iter().take(3) {
        firsts.push(
            item.attr("data-member-id")
                .await
                .unwrap()
                .unwrap_or_default(),
        );
    }
    let (m, x) = (biz.member_id.to_string(), biz.other_member_id.to_string());
    assert_eq!(firsts, [m.clone(), x.clone(), m.clone()], "2:1 interleaves");
    b.screenshot("channels-pool").await;
    js_click(&b, "[data-testid=\"pool-save\"]").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pool = owner
            .get(&format!("/api/whatsapp/numbers/{number}/pool"))
            .await;
        if pool.body["mode"] == "weighted" {
            assert_eq!(pool.body["members"][0]["member_id"], m.as_str());
            assert_eq!(pool.body["members"][0]["weight"], 2);
            assert_eq!(pool.body["members"][1]["weight"], 1);
            break;
        }
        assert!(Instant::now() < deadline, "the pool was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn an_imported_group_chat_says_who_wrote_each_line() {
    let Some(b) = browser::start(1280, 800).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    // The customer and her husband wrote to the shop in one group.
    let chat = "12/30/23, 9:41 PM - Maria Silva: Is the sofa still available?\n\
                12/30/23, 9:42 PM - Loja Azul: Yes! Blue or grey?\n\
                12/30/23, 9:43 PM - João Silva: Grey, and can you deliver Saturday?\n";
    let done = crate::imports::run(
        &owner,
        "chat.txt",
        chat.as_bytes(),
        "chat",
        json!({"business_participant": "Loja Azul"}),
    )
    .await;
    assert_eq!(done["rows_done"], 3, "{done}");
    let conversation = done["conversation_id"].as_str().unwrap();
    sign_in(&b, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    until(&b, "[data-testid=\"message-author\"]", "the writers' names").await;
    let names = b
        .client
        .find_all(Locator::Css("[data-testid=\"message-author\"]"))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for n in names {
        texts.push(n.text().await.unwrap());
    }
    assert_eq!(texts, ["Maria Silva", "João Silva"]);
    b.screenshot("inbox-imported-group").await;
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn a_message_held_by_a_dead_token_says_why_until_the_token_is_replaced() {
    let Some(b) = browser::start(1280, 800).await else {
        return;
    };
    let graph = crate::common::fake_graph::FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-HELD").await;
    let mut said = crate::common::wa::text("PN-HELD", "5511900000099", "Dora", "wamid.H1", "Oi!");
    said["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
        json!(chrono::Utc::now().timestamp().to_string());
    assert_eq!(h.webhook(&said).await.status, 200);
    let conversation = conversation_of(&owner, "+5511900000099").await;
    graph.fail_next(
        401,
        190,
        "Error validating access token: Session has expired",
    );
    let sent = owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"type": "text", "text": "Olá Dora, tudo bem?"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);

    sign_in(&b, &h, biz.owner(), &format!("/inbox/{conversation}")).await;
    let waiting = until(
        &b,
        "[data-testid=\"message-waiting\"]",
        "the held message's reason",
    )
    .await;
    let why = waiting.text().await.unwrap();
    assert!(why.contains("access token"), "{why}");
    b.screenshot("inbox-held-by-dead-token").await;

    let fixed = owner
        .patch(
            &format!("/api/whatsapp/numbers/{number}"),
            json!({"access_token": "EAAG-new-token"}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.exists("message-waiting").await {
        assert!(
            Instant::now() < deadline,
            "the reason stayed after the send"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
