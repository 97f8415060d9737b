//! Each WhatsApp number has its own line out: its rate, its backlog and a
//! slow Graph on it never hold up another number's messages.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{fake_graph::FakeGraph, wa::text, Client, Harness};

struct Lines {
    _h: Harness,
    graph: FakeGraph,
    owner: Client,
}

/// A business with numbers `PN-A` and `PN-B`, sending at `rate` per second each.
async fn two_numbers(rate: u32) -> Lines {
    let graph = FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| {
        c.meta.graph_url = url;
        c.outbound.rate_per_second = rate;
    });
    let biz = h.new_business("Two lines").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "PN-A").await;
    h.register_number(&owner, "PN-B").await;
    Lines {
        _h: h,
        graph,
        owner,
    }
}

/// Customers who just wrote to `number`; answers their conversations' ids.
async fn customers(l: &Lines, number: &str, first_phone: u64, n: u64) -> Vec<String> {
    let phones: Vec<String> = (first_phone..first_phone + n)
        .map(|p| p.to_string())
        .collect();
    for (i, phone) in phones.iter().enumerate() {
        let mut body = text(
            number,
            phone,
            "Cliente",
            &format!("wamid.{number}{i}"),
            "Oi",
        );
        body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
            json!(chrono::Utc::now().timestamp().to_string());
        assert_eq!(l._h.webhook(&body).await.status, 200);
    }
    let mut by_phone = std::collections::HashMap::new();
    let mut cursor = String::new();
    loop {
        let page = l
            .owner
            .get(&format!("/api/conversations?view=all&cursor={cursor}"))
            .await;
        for c in page.body["items"].as_array().unwrap() {
            let phone = c["contact"]["phone"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches('+');
            by_phone.insert(phone.to_string(), c["id"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    phones
        .iter()
        .map(|p| {
            by_phone
                .get(p)
                .cloned()
                .expect("the customer's conversation")
        })
        .collect()
}

async fn say(l: &Lines, conversation: &str, text: &str) {
    let r = l
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"type": "text", "text": text}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
}

/// How long a message written now in `conversation` takes to reach Meta.
async fn time_to_send(l: &Lines, conversation: &str) -> Duration {
    let queued = Instant::now();
    say(l, conversation, "on time?").await;
    let deadline = queued + Duration::from_secs(15);
    loop {
        let seen = l
            .graph
            .requests()
            .into_iter()
            .find(|r| r.body["text"]["body"] == "on time?");
        if let Some(r) = seen {
            return r.at.duration_since(queued);
        }
        assert!(Instant::now() < deadline, "the message never went out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_backlog_on_one_number_does_not_delay_another() {
    let l = two_numbers(2).await;
    let a = customers(&l, "PN-A", 5511900001000, 1).await;
    let b = customers(&l, "PN-B", 5511900002000, 1).await;
    // 300 messages waiting on A at 2 a second: two and a half minutes of backlog.
    for i in 0..300 {
        say(&l, &a[0], &format!("A{i}")).await;
    }
    let waited = time_to_send(&l, &b[0]).await;
    assert!(
        waited < Duration::from_secs(3),
        "B waited {waited:?} behind A's backlog"
    );
}

#[tokio::test]
async fn a_slow_graph_on_one_number_does_not_stall_another() {
    let l = two_numbers(80).await;
    l.graph.slow_sends_from("PN-A", 6_000);
    let on_a = customers(&l, "PN-A", 5511900003000, 70).await;
    let b = customers(&l, "PN-B", 5511900004000, 1).await;
    for (i, c) in on_a.iter().enumerate() {
        say(&l, c, &format!("slow {i}")).await;
    }
    // Let the sender take A's messages in before B's arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waited = time_to_send(&l, &b[0]).await;
    assert!(
        waited < Duration::from_secs(2),
        "B waited {waited:?} for A's slow sends"
    );
}

#[tokio::test]
async fn a_number_never_sends_more_than_its_rate_in_any_second() {
    let l = two_numbers(5).await;
    let on_a = customers(&l, "PN-A", 5511900005000, 20).await;
    for (i, c) in on_a.iter().enumerate() {
        say(&l, c, &format!("burst {i}")).await;
    }
    let sends = l.graph.wait_for(20).await;
    assert_eq!(sends.len(), 20);
    let at: Vec<Instant> = sends.iter().map(|r| r.at).collect();
    for (i, start) in at.iter().enumerate() {
        let within = at[i..]
            .iter()
            .take_while(|t| t.duration_since(*start) < Duration::from_millis(950))
            .count();
        assert!(
            within <= 5,
            "{within} sends within one second at a rate of 5"
        );
    }
}

#[tokio::test]
async fn metas_retry_after_is_waited_out() {
    let l = two_numbers(80).await;
    let a = customers(&l, "PN-A", 5511900006000, 1).await;
    l.graph.throttle_next(3);
    say(&l, &a[0], "patience").await;
    let sends = l.graph.wait_for(2).await;
    assert_eq!(sends.len(), 2, "throttled, then sent again");
    let gap = sends[1].at.duration_since(sends[0].at);
    assert!(gap >= Duration::from_secs(3), "retried after {gap:?}");
}
