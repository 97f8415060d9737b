//! Reading the log: pages of 50 newest first, the actor, action and time
//! filters, and a 400 for every malformed parameter.
use serde_json::Value;
use wafunnel::{
    audit::{Action, Note, Who},
    store::ids::UserId,
    time::now_ms,
};

use super::{actions, items, seed, user_id};
use crate::common::Harness;

#[tokio::test]
async fn pages_of_fifty_newest_first_follow_the_cursor_to_the_end() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let note = Note::new(Action::FlowPublished, None, Who::System, "seeded");
    seed(
        &h,
        Some(biz.id),
        (1..=120).map(|i| (note.clone(), i * 1_000)).collect(),
    )
    .await;

    let (mut seen, mut cursor, mut pages) = (Vec::<Value>::new(), String::new(), Vec::new());
    loop {
        let r = owner.get(&format!("/api/audit?cursor={cursor}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page = r.body["items"].as_array().unwrap().clone();
        pages.push(page.len());
        seen.extend(page);
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, [50, 50, 21], "120 seeded and the owner's sign-in");
    let times: Vec<&str> = seen
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let ids: std::collections::HashSet<&str> =
        seen.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 121, "no entry twice");
}

#[tokio::test]
async fn filters_by_actor_action_and_time() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let ana = Who::User {
        id: UserId::new(),
        email: "ana@acme.test".into(),
    };
    let ana_id = match &ana {
        Who::User { id, .. } => id.to_string(),
        _ => unreachable!(),
    };
    let hour = 3_600_000;
    seed(
        &h,
        Some(biz.id),
        vec![
            (
                Note::new(Action::FlowPublished, None, ana.clone(), "a1"),
                3 * hour,
            ),
            (
                Note::new(Action::ApiTokenCreated, None, ana.clone(), "a2"),
                2 * hour,
            ),
            (
                Note::new(Action::FlowPublished, None, Who::System, "s1"),
                hour,
            ),
        ],
    )
    .await;

    let summaries = |v: Vec<Value>| {
        v.iter()
            .map(|e| e["summary"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        summaries(items(&owner, &format!("/api/audit?actor={ana_id}")).await),
        ["a2", "a1"]
    );
    assert_eq!(
        summaries(items(&owner, "/api/audit?actor=system").await),
        ["s1"]
    );
    assert_eq!(
        summaries(items(&owner, "/api/audit?action=flow_published").await),
        ["s1", "a1"]
    );
    assert_eq!(
        summaries(
            items(
                &owner,
                &format!("/api/audit?actor={ana_id}&action=flow_published")
            )
            .await
        ),
        ["a1"]
    );
    let me = user_id(&owner).await;
    assert_eq!(
        actions(&items(&owner, &format!("/api/audit?actor={}", biz.owner())).await),
        ["login_succeeded"]
    );
    assert_eq!(
        actions(&items(&owner, &format!("/api/audit?actor={me}")).await),
        ["login_succeeded"]
    );
    assert!(items(&owner, "/api/audit?actor=ghost@acme.test")
        .await
        .is_empty());

    let at = |ago: i64| {
        chrono::DateTime::from_timestamp_millis(now_ms() - ago)
            .unwrap()
            .to_rfc3339()
            .replace('+', "%2B")
    };
    let window = format!(
        "/api/audit?from={}&to={}",
        at(150 * 60_000),
        at(30 * 60_000)
    );
    assert_eq!(summaries(items(&owner, &window).await), ["s1", "a2"]);
    let since = format!("/api/audit?from={}&action=flow_published", at(90 * 60_000));
    assert_eq!(summaries(items(&owner, &since).await), ["s1"]);
}

#[tokio::test]
async fn bad_parameters_are_400s_never_panics() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    for q in [
        "cursor=not-a-cursor",
        "cursor=%FF%FE",
        "from=yesterday",
        "to=2024-13-45",
        "from=2024-06-02&to=2024-06-01",
        "action=login_succeded",
        "action=DROP%20TABLE",
        "actor=someone",
    ] {
        let r = owner.get(&format!("/api/audit?{q}")).await;
        assert_eq!(
            (r.status, r.code()),
            (400, "bad_request"),
            "{q}: {}",
            r.body
        );
        assert!(r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        owner
            .get("/api/audit?from=2024-06-01&to=2024-06-02T00:00:00Z")
            .await
            .status,
        200
    );
}
