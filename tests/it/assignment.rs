//! Assignment through a number's pool: in the write that creates the
//! conversation, fair under concurrency, explained, and continued after a restart.
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{wa::text, Biz, Client, Harness};

async fn set_pool(owner: &Client, number: &str, body: Value) {
    let r = owner
        .put(&format!("/api/whatsapp/numbers/{number}/pool"), body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn assigned(owner: &Client, number: &str) -> Vec<(String, u64)> {
    let pool = owner
        .get(&format!("/api/whatsapp/numbers/{number}/pool"))
        .await;
    pool.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["member_id"].as_str().unwrap().to_string(),
                m["assigned"]["all_time"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn weighted(biz: &Biz) -> Value {
    json!({"mode": "weighted", "members": [
        {"member_id": biz.member_id, "weight": 3},
        {"member_id": biz.other_member_id, "weight": 2},
        {"member_id": biz.lead_id, "weight": 1},
    ]})
}

#[tokio::test]
async fn a_3_2_1_pool_gets_exactly_300_200_100_of_600_leads_from_64_clients() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-POOL").await;
    set_pool(&owner, &number, weighted(&biz)).await;

    let h = &h;
    let clients: Vec<_> = (0..64)
        .map(|c| async move {
            for i in (c..600).step_by(64) {
                let body = text(
                    "PN-POOL",
                    &format!("55119{i:08}"),
                    &format!("Lead {i}"),
                    &format!("wamid.POOL{i}"),
                    "I want a car",
                );
                assert_eq!(h.webhook(&body).await.status, 200);
            }
        })
        .collect();
    futures_util::future::join_all(clients).await;

    let counts = assigned(&owner, &number).await;
    assert_eq!(
        counts,
        [
            (biz.member_id.to_string(), 300),
            (biz.other_member_id.to_string(), 200),
            (biz.lead_id.to_string(), 100)
        ]
    );
    let member = h.login(biz.member()).await;
    let mine = member.get("/api/conversations?view=mine&limit=200").await;
    let first = &mine.body["items"][0];
    assert_eq!(first["assignee_id"], biz.member_id.to_string());
    let shown = member
        .get(&format!(
            "/api/conversations/{}",
            first["id"].as_str().unwrap()
        ))
        .await;
    let why = &shown.body["assignment"];
    assert_eq!(why["mode"], "weighted");
    assert_eq!(why["outcome"], "assigned");
    assert!(why["position"].as_u64().unwrap() >= 1, "{why}");
    assert!(why["channel"].as_str().unwrap().starts_with("whatsapp:"));
}

#[tokio::test]
async fn the_sequence_continues_after_a_restart_and_skips_who_is_away() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-RR").await;
    set_pool(
        &owner,
        &number,
        json!({"mode": "round_robin", "members": [
            {"member_id": biz.member_id}, {"member_id": biz.other_member_id}]}),
    )
    .await;
    h.webhook(&text("PN-RR", "5511900000001", "A", "wamid.RR1", "hi"))
        .await;
    let Harness { server, dir, .. } = h;
    server.stop();
    let h = Harness::start_in(dir, |_| {});
    let owner = h.login(biz.owner()).await;
    h.webhook(&text("PN-RR", "5511900000002", "B", "wamid.RR2", "hi"))
        .await;
    assert_eq!(
        assigned(&owner, &number).await,
        [
            (biz.member_id.to_string(), 1),
            (biz.other_member_id.to_string(), 1)
        ],
        "the second lead goes to the second member, restart or not"
    );

    // Both away: the lead waits in Unassigned, and says why.
    for m in [biz.member_id, biz.other_member_id] {
        let r = owner
            .put(
                &format!("/api/members/{m}/availability"),
                json!({"available": false}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    h.webhook(&text("PN-RR", "5511900000003", "C", "wamid.RR3", "hi"))
        .await;
    let waiting = owner.get("/api/conversations?view=unassigned").await;
    let c = waiting.body["items"][0]["id"].as_str().unwrap().to_string();
    let why = owner.get(&format!("/api/conversations/{c}")).await;
    assert!(why.body["assignment"]["outcome"]
        .as_str()
        .unwrap()
        .starts_with("queued"));
    assert_eq!(
        why.body["assignment"]["skipped"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn a_pool_takes_only_members_of_the_business_with_sane_weights() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-BAD").await;
    for members in [
        json!([{"member_id": rival.member_id}]),
        json!([{"member_id": biz.member_id, "weight": 0}]),
        json!([{"member_id": biz.member_id, "weight": 101}]),
        json!([{"member_id": biz.member_id}, {"member_id": biz.member_id}]),
    ] {
        let r = owner
            .put(
                &format!("/api/whatsapp/numbers/{number}/pool"),
                json!({"mode": "weighted", "members": members}),
            )
            .await;
        assert_eq!(r.status, 422, "{members}: {}", r.body);
    }
    let lead = h.login(biz.lead()).await;
    let r = lead
        .put(
            &format!("/api/whatsapp/numbers/{number}/pool"),
            json!({"mode": "round_robin", "members": []}),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        owner
            .get(&format!("/api/whatsapp/numbers/{number}/pool"))
            .await
            .body["members"],
        json!([]),
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn leads_waiting_while_everyone_is_away_go_to_the_first_member_back_oldest_first() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-WAIT").await;
    set_pool(
        &owner,
        &number,
        json!({"mode": "round_robin", "members": [
            {"member_id": biz.member_id}, {"member_id": biz.other_member_id}]}),
    )
    .await;
    let away = |m| {
        let owner = &owner;
        async move {
            let r = owner
                .put(
                    &format!("/api/members/{m}/availability"),
                    json!({"available": false}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    };
    away(biz.member_id).await;
    away(biz.other_member_id).await;
    let member = h.login(biz.member()).await;
    let mut owner_ws = crate::realtime::open(&h, &owner, None).await.unwrap();
    let mut member_ws = crate::realtime::open(&h, &member, None).await.unwrap();
    for i in 0..10 {
        let body = text(
            "PN-WAIT",
            &format!("55119000001{i:02}"),
            &format!("Waiting {i}"),
            &format!("wamid.WAIT{i}"),
            "anyone there?",
        );
        assert_eq!(h.webhook(&body).await.status, 200);
    }
    let waiting = owner
        .get("/api/conversations?view=unassigned&limit=50")
        .await;
    assert_eq!(waiting.body["items"].as_array().unwrap().len(), 10);
    let flagged = crate::realtime::frames(&mut owner_ws, Duration::from_millis(500))
        .await
        .into_iter()
        .filter(|f| f["type"] == "conversation.new" && f["data"]["unassigned"] == true)
        .count();
    assert_eq!(flagged, 10, "owners hear of each waiting lead");

    // Ana comes back: in the same write, all ten are hers, live on her socket.
    let back = member
        .put(
            &format!("/api/members/{}/availability", biz.member_id),
            json!({"available": true}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.body);
    let arrived = crate::realtime::frames(&mut member_ws, Duration::from_secs(1))
        .await
        .into_iter()
        .filter(|f| {
            f["type"] == "conversation.updated"
                && f["data"]["assignee_id"] == biz.member_id.to_string()
        })
        .count();
    assert_eq!(arrived, 10, "within a second, on the member's socket");
    let mine = member.get("/api/conversations?view=mine&limit=50").await;
    let items = mine.body["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        10,
        "every waiting lead went to the member back"
    );
    assert!(
        owner.get("/api/conversations?view=unassigned").await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Oldest first: the order of hand-out follows the order of arrival.
    let mut by_arrival: Vec<(String, u64)> = Vec::new();
    for c in items {
        let shown = member
            .get(&format!("/api/conversations/{}", c["id"].as_str().unwrap()))
            .await;
        by_arrival.push((
            shown.body["contact"]["name"].as_str().unwrap().to_string(),
            shown.body["assignment"]["position"].as_u64().unwrap(),
        ));
        assert_eq!(
            shown.body["assignment"]["outcome"],
            "assigned from the waiting queue"
        );
    }
    by_arrival.sort_by_key(|(_, position)| *position);
    let names: Vec<&str> = by_arrival.iter().map(|(n, _)| n.as_str()).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("Waiting {i}")).collect();
    assert_eq!(names, expected);
}

/// The conversation of `phone` on `number` (the WhatsApp number's id).
async fn conversation_on(owner: &Client, phone: &str, number: &str) -> Value {
    owner
        .get("/api/conversations?view=all&limit=200")
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["phone"] == phone && c["number_id"] == number)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_returning_contact_keeps_their_assignee_unless_the_pool_says_otherwise() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let (a, b, c) = (
        h.register_number(&owner, "PN-A").await,
        h.register_number(&owner, "PN-B").await,
        h.register_number(&owner, "PN-C").await,
    );
    let only = |m| json!({"mode": "round_robin", "members": [{"member_id": m}]});
    set_pool(&owner, &a, only(biz.other_member_id)).await;
    let both = json!({"mode": "round_robin", "members": [
        {"member_id": biz.member_id}, {"member_id": biz.other_member_id}]});
    set_pool(&owner, &b, both.clone()).await;
    let mut not_sticky = both;
    not_sticky["sticky"] = json!(false);
    set_pool(&owner, &c, not_sticky).await;
    let shown = owner.get(&format!("/api/whatsapp/numbers/{c}/pool")).await;
    assert_eq!(shown.body["sticky"], false);

    h.webhook(&text("PN-A", "5511900000077", "Rui", "wamid.S1", "hi"))
        .await;
    h.webhook(&text(
        "PN-B",
        "5511900000077",
        "Rui",
        "wamid.S2",
        "hi again",
    ))
    .await;
    h.webhook(&text(
        "PN-C",
        "5511900000077",
        "Rui",
        "wamid.S3",
        "and again",
    ))
    .await;
    let other = biz.other_member_id.to_string();
    let on_b = conversation_on(&owner, "+5511900000077", &b).await;
    assert_eq!(
        on_b["assignee_id"], other,
        "sticky: Rui stays with who had him"
    );
    let why = owner
        .get(&format!(
            "/api/conversations/{}",
            on_b["id"].as_str().unwrap()
        ))
        .await;
    assert!(why.body["assignment"]["outcome"]
        .as_str()
        .unwrap()
        .contains("sticky"));
    let on_c = conversation_on(&owner, "+5511900000077", &c).await;
    assert_eq!(
        on_c["assignee_id"],
        biz.member_id.to_string(),
        "not sticky: the pool's next"
    );
}

#[tokio::test]
async fn a_reopened_conversation_of_someone_away_goes_back_through_the_pool_when_asked() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-RE").await;
    let pool = |reopen: bool| {
        json!({"mode": "round_robin", "reopen_reassign": reopen, "members": [
            {"member_id": biz.member_id}, {"member_id": biz.other_member_id}]})
    };
    set_pool(&owner, &number, pool(false)).await;
    let say = |wamid: &'static str| {
        let h = &h;
        async move {
            h.webhook(&text("PN-RE", "5511900000088", "Lia", wamid, "hello"))
                .await
        }
    };
    say("wamid.R1").await;
    let first = conversation_on(&owner, "+5511900000088", &number).await;
    let id = first["id"].as_str().unwrap().to_string();
    assert_eq!(first["assignee_id"], biz.member_id.to_string());
    let close = |owner: &Client| {
        let (owner, id) = (owner.clone(), id.clone());
        async move {
            let r = owner
                .patch(
                    &format!("/api/conversations/{id}"),
                    json!({"status": "closed"}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    };
    owner
        .put(
            &format!("/api/members/{}/availability", biz.member_id),
            json!({"available": false}),
        )
        .await;

    // Without the option, the conversation stays with its assignee.
    close(&owner).await;
    say("wamid.R2").await;
    let kept = conversation_on(&owner, "+5511900000088", &number).await;
    assert_eq!(
        (kept["status"].as_str(), kept["assignee_id"].as_str()),
        (Some("open"), Some(biz.member_id.to_string().as_str()))
    );

    // With it, a reopening while they are away hands it to who is here.
    set_pool(&owner, &number, pool(true)).await;
    close(&owner).await;
    say("wamid.R3").await;
    let moved = conversation_on(&owner, "+5511900000088", &number).await;
    assert_eq!(moved["assignee_id"], biz.other_member_id.to_string());
    let other = h.login(biz.other_member()).await;
    let told = other.get("/api/notifications").await;
    assert_eq!(told.body["unread"], 1, "{}", told.body);
}

#[tokio::test]
async fn a_notification_no_longer_links_a_conversation_its_member_has_lost() {
    let h = Harness::start();
    let biz = h.new_business("Links").await;
    let owner = h.login(biz.owner()).await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Carla Souza", "phone": "+5511987654321", "assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    let conversation = lead.body["conversation_id"].as_str().unwrap().to_string();
    let member = h.login(biz.member()).await;
    let linked = |c: &Client| {
        let c = c.clone();
        async move {
            let told = c.get("/api/notifications").await;
            told.body["items"][0]["conversation_id"].clone()
        }
    };
    assert_eq!(linked(&member).await, conversation.as_str());

    let moved = owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(linked(&member).await, Value::Null, "the member lost it");
    let other = h.login(biz.other_member()).await;
    assert_eq!(linked(&other).await, conversation.as_str());
    let refused = member
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(refused.status, 404);
}

/// Nobody's work is stranded with someone who left: their conversations go
/// back through the pool with their follow-ups, and the pool forgets them.
#[tokio::test]
async fn a_removed_members_conversations_and_follow_ups_go_back_through_the_pool() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-LEFT").await;
    set_pool(
        &owner,
        &number,
        json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1}]}),
    )
    .await;
    let body = text("PN-LEFT", "5511911112222", "Rita", "wamid.LEFT1", "Oi");
    assert_eq!(h.webhook(&body).await.status, 200);
    let c = owner.get("/api/conversations?view=all").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let member = h.login(biz.member()).await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339();
    let f = member
        .post(
            "/api/followups",
            json!({"conversation_id": c, "note": "Call Rita back", "scheduled_for": at}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.body);
    // The other member joins the pool, then the first one leaves the business.
    set_pool(
        &owner,
        &number,
        json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1},
                                                    {"member_id": biz.other_member_id, "weight": 1}]}),
    )
    .await;
    let gone = owner
        .delete(&format!("/api/members/{}", biz.member_id))
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);

    let now = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(
        now.body["assignee_id"],
        biz.other_member_id.to_string(),
        "{}",
        now.body
    );
    let other = h.login(biz.other_member()).await;
    let theirs = other.get("/api/followups?view=upcoming").await;
    assert_eq!(
        theirs.body["items"][0]["note"], "Call Rita back",
        "{}",
        theirs.body
    );
    let pool = owner
        .get(&format!("/api/whatsapp/numbers/{number}/pool"))
        .await;
    let members: Vec<&str> = pool.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member_id"].as_str().unwrap())
        .collect();
    assert_eq!(members, [biz.other_member_id.to_string()], "{}", pool.body);
}

/// A conversation closed while nobody had it is routed when the customer
/// writes again, like a new one.
#[tokio::test]
async fn a_closed_unassigned_conversation_goes_through_the_pool_when_it_reopens() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-REOPEN").await;
    set_pool(
        &owner,
        &number,
        json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1}]}),
    )
    .await;
    let first = text("PN-REOPEN", "5511933334444", "Rui", "wamid.RO1", "Oi");
    assert_eq!(h.webhook(&first).await.status, 200);
    let c = owner.get("/api/conversations?view=all").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let closed = owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": null, "status": "closed"}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let again = text("PN-REOPEN", "5511933334444", "Rui", "wamid.RO2", "Voltei");
    assert_eq!(h.webhook(&again).await.status, 200);
    let now = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(now.body["status"], "open");
    assert_eq!(
        now.body["assignee_id"],
        biz.member_id.to_string(),
        "{}",
        now.body
    );
}
