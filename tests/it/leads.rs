//! Manual leads: one contact per person across sources, assigned in the write
//! that creates them, refused whole when anything is wrong.
use serde_json::{json, Value};

use crate::common::{wa::text, Harness};

#[tokio::test]
async fn a_manual_lead_goes_through_the_default_pool_and_meets_its_whatsapp_self() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let pool = owner
        .put(
            "/api/leads/pool",
            json!({"mode": "weighted", "members": [
                {"member_id": biz.member_id, "weight": 2}, {"member_id": biz.other_member_id, "weight": 1}]}),
        )
        .await;
    assert_eq!(pool.status, 200, "{}", pool.body);

    let mut assignees = Vec::new();
    for (i, phone) in ["+55 11 98765-4321", "+55 (11) 98765-0002", "+5511987650003"]
        .iter()
        .enumerate()
    {
        let r = owner
            .post(
                "/api/leads",
                json!({"name": format!("Walk-in {i}"), "phone": phone, "note": "Wants the red one"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assignees.push(r.body["assignee_id"].as_str().unwrap().to_string());
    }
    let (m, x) = (biz.member_id.to_string(), biz.other_member_id.to_string());
    assert_eq!(assignees, [m.clone(), x, m], "2:1, interleaved");

    // The first lead writes on WhatsApp later: the same contact, not a new one.
    let leads = owner.get("/api/conversations?source=manual").await;
    let first = leads.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["phone"] == "+5511987654321")
        .cloned()
        .expect("stored in E.164");
    assert_eq!(first["contact"]["name"], "Walk-in 0");
    let conversation = first["id"].as_str().unwrap();
    let notes = owner
        .get(&format!("/api/conversations/{conversation}/notes"))
        .await;
    assert_eq!(notes.body["items"][0]["text"], "Wants the red one");
    let timeline = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    assert_eq!(timeline.body["items"][0]["type"], "system");
    assert_eq!(
        first["window"]["open"], false,
        "a manual lead opens no WhatsApp window"
    );

    h.register_number(&owner, "PN-L").await;
    h.webhook(&text(
        "PN-L",
        "5511987654321",
        "Walk-in 0",
        "wamid.L1",
        "Hi, it's me",
    ))
    .await;
    let all = owner.get("/api/conversations").await;
    let theirs: Vec<&serde_json::Value> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["contact"]["phone"] == "+5511987654321")
        .collect();
    assert_eq!(theirs.len(), 1, "one person, one timeline: {theirs:?}");
    assert_eq!(theirs[0]["id"], conversation);
    assert_eq!(theirs[0]["assignee_id"], first["assignee_id"], "kept");
    let timeline = owner
        .get(&format!("/api/conversations/{conversation}/messages"))
        .await;
    let kinds: Vec<&str> = timeline.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(kinds.contains(&"system") && kinds.contains(&"text"));
}

#[tokio::test]
async fn without_a_pool_the_lead_is_the_creators_and_bad_leads_store_nothing() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    let r = member
        .post(
            "/api/leads",
            json!({"name": "Bia", "email": "Bia@Example.com"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mine = member.get("/api/conversations?view=mine").await;
    assert_eq!(mine.body["items"][0]["contact"]["email"], "bia@example.com");

    for (body, field) in [
        (json!({"name": "No way to reach"}), "phone"),
        (json!({"phone": "not a number"}), "phone"),
        (json!({"phone": "98765-4321"}), "phone"),
        (json!({"email": "nobody@"}), "email"),
        (
            json!({"phone": "+5511987654321", "name": "x".repeat(121)}),
            "name",
        ),
    ] {
        let r = member.post("/api/leads", body.clone()).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        let fields: Vec<&str> = r.body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, [field], "{body}");
    }
    let r = member
        .post(
            "/api/leads",
            json!({"phone": "+5511987654321", "assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(r.status, 403, "a member hands no lead to others");
    assert_eq!(
        member.get("/api/conversations?view=mine").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn the_assignee_is_notified_and_only_they_see_it() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    owner
        .put(
            "/api/leads/pool",
            json!({"mode": "round_robin", "members": [{"member_id": biz.member_id}]}),
        )
        .await;
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Nina Alves", "phone": "+5511955554444"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mine = member.get("/api/notifications").await;
    assert_eq!(mine.body["unread"], 1, "{}", mine.body);
    let n = &mine.body["items"][0];
    assert_eq!(n["kind"], "assigned");
    assert_eq!(n["text"], "Nina Alves (manual) was assigned to you");
    assert_eq!(n["conversation_id"], r.body["conversation_id"]);
    assert_eq!(
        other.get("/api/notifications").await.body["items"],
        json!([])
    );
    assert_eq!(owner.get("/api/notifications").await.body["unread"], 0);

    // Handing it to someone else tells them; taking it yourself tells nobody.
    let c = r.body["conversation_id"].as_str().unwrap();
    owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    assert_eq!(other.get("/api/notifications").await.body["unread"], 1);
    // The first assignee's "assigned to you" is moot now: read, and no link.
    let moot = member.get("/api/notifications").await;
    assert_eq!(moot.body["unread"], 0, "{}", moot.body);
    assert_eq!(moot.body["items"][0]["read"], true);
    assert_eq!(moot.body["items"][0]["conversation_id"], Value::Null);
    owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": biz.owner_id}),
        )
        .await;
    assert_eq!(owner.get("/api/notifications").await.body["unread"], 0);
    assert_eq!(other.get("/api/notifications").await.body["unread"], 0);

    let r = member.post("/api/notifications/read", json!({})).await;
    assert_eq!(r.status, 204);
    let after = member.get("/api/notifications").await;
    assert_eq!(
        (
            after.body["unread"].as_u64(),
            after.body["items"][0]["read"].as_bool()
        ),
        (Some(0), Some(true))
    );
}

/// `POST /api/channels` answers with a bare id; that id names the channel
/// wherever one is asked for, as does its `channel:<id>` form.
#[tokio::test]
async fn a_channel_is_named_by_the_id_its_api_returned() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let made = owner
        .post(
            "/api/channels",
            json!({"kind": "walkin", "name": "Door", "pool": {"mode": "round_robin",
                   "members": [{"member_id": biz.other_member_id, "weight": 1}]}}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let channel = made.body["id"].as_str().unwrap().to_string();

    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Door lead", "phone": "+5511987000006", "channel_id": channel}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    assert_eq!(
        lead.body["assignee_id"],
        biz.other_member_id.to_string(),
        "the channel's pool took it"
    );
    let unknown = owner
        .post(
            "/api/leads",
            json!({"phone": "+5511987000007", "channel_id": "01M8GXW5032XMQPPQCBAXTQZZZ"}),
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    let csv = b"name,phone\nAna,+5511987000008\n";
    let up = crate::imports::upload(&owner, "leads.csv", csv, &[("kind", "csv")]).await;
    assert_eq!(up.status, 202, "{}", up.body);
    let import = up.body["id"].as_str().unwrap().to_string();
    for pool in [channel.clone(), format!("channel:{channel}")] {
        let r = owner
            .put(
                &format!("/api/imports/{import}/mapping"),
                json!({"columns": {"name": "name", "phone": "phone"}, "duplicates": "skip",
                       "assign": {"pool_channel_id": pool}}),
            )
            .await;
        assert_eq!(r.status, 200, "{pool}: {}", r.body);
    }

    let invite = owner
        .post(
            "/api/invites",
            json!({"email": "new@acme.test", "role": "member",
                   "pools": [{"channel_id": channel, "weight": 2}]}),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.body);
    let stranger = h.new_business("Other").await;
    let theirs = h.login(stranger.owner()).await;
    let r = theirs
        .post(
            "/api/leads",
            json!({"phone": "+5511987000009", "channel_id": channel}),
        )
        .await;
    assert_eq!(
        r.status, 422,
        "another business's channel is no channel: {}",
        r.body
    );
}

#[tokio::test]
async fn a_lead_is_answered_from_the_business_number_and_waits_unread_for_its_assignee() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-LEAD").await;
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Renata", "phone": "+5511987650909", "assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.body["conversation_id"].as_str().unwrap().to_string();
    let member = h.login(biz.member()).await;
    let theirs = member.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(theirs.body["number_id"], number.as_str(), "{}", theirs.body);
    assert_eq!(theirs.body["unread_count"], 1, "news to the assignee");
    let mine = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(mine.body["unread_count"], 0, "not to who added it");
    // Outside the 24-hour window only a template may go; the number is there.
    let sent = member
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "Oi Renata!"}),
        )
        .await;
    assert_eq!(sent.status, 422, "{}", sent.body);
    assert_eq!(sent.body["error"]["code"], "window_closed", "{}", sent.body);
}

#[tokio::test]
async fn a_member_sees_who_wrote_a_note_even_the_owner_outside_their_directory() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Renata", "phone": "+5511987650808", "assignee_id": biz.member_id}),
        )
        .await;
    let c = r.body["conversation_id"].as_str().unwrap().to_string();
    let said = owner
        .post(
            &format!("/api/conversations/{c}/notes"),
            json!({"text": "VIP: call before noon"}),
        )
        .await;
    assert_eq!(said.status, 201, "{}", said.body);
    let owner_name = owner.get("/api/auth/me").await.body["user"]["name"].clone();
    assert!(owner_name.is_string());
    let member = h.login(biz.member()).await;
    let notes = member.get(&format!("/api/conversations/{c}/notes")).await;
    assert_eq!(
        notes.body["items"][0]["author_name"], owner_name,
        "{}",
        notes.body
    );
}

/// A lead answered from the business's WhatsApp number still belongs to the
/// channel it came in on: listed under it, queued for its pool, not the number's.
#[tokio::test]
async fn a_walk_in_lead_keeps_its_channel_and_pool_though_answered_from_the_number() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-WALK").await;
    let whatsapp_pool = owner
        .put(
            &format!("/api/whatsapp/numbers/{number}/pool"),
            json!({"mode": "round_robin", "members": [{"member_id": biz.owner_id, "weight": 1}]}),
        )
        .await;
    assert_eq!(whatsapp_pool.status, 200, "{}", whatsapp_pool.body);
    let walkin = owner
        .post(
            "/api/channels",
            json!({"kind": "walkin", "name": "Loja Centro", "pool": {"mode": "round_robin", "members": []}}),
        )
        .await;
    assert_eq!(walkin.status, 201, "{}", walkin.body);
    let (channel, slug) = (
        walkin.body["id"].as_str().unwrap().to_string(),
        walkin.body["slug"].as_str().unwrap().to_string(),
    );
    let res = reqwest::Client::new()
        .post(h.url(&format!("/w/{slug}")))
        .header("Accept", "application/json")
        .form(&[("name", "Rui"), ("phone", "+351 912 345 678")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let lead: Value = res.json().await.unwrap();
    assert_eq!(
        lead["assignee_id"],
        Value::Null,
        "its pool is empty: it waits"
    );
    let c = lead["conversation_id"].as_str().unwrap().to_string();

    let listed = owner.get("/api/leads").await.body["items"][0].clone();
    assert_eq!(listed["channel"]["kind"], "walkin", "{listed}");
    assert_eq!(listed["channel"]["name"], "Loja Centro");
    let filtered = owner
        .get(&format!("/api/leads?channel=walkin:{channel}"))
        .await;
    assert_eq!(
        filtered.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        filtered.body
    );

    // The number's pool changing hands nothing of it; its own pool does.
    owner
        .put(
            &format!("/api/whatsapp/numbers/{number}/pool"),
            json!({"mode": "weighted", "members": [{"member_id": biz.owner_id, "weight": 2}]}),
        )
        .await;
    let waiting = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(waiting.body["assignee_id"], Value::Null, "{}", waiting.body);
    let filled = owner
        .put(
            &format!("/api/channels/{channel}/pool"),
            json!({"mode": "round_robin", "members": [{"member_id": biz.member_id, "weight": 1}]}),
        )
        .await;
    assert_eq!(filled.status, 200, "{}", filled.body);
    let handed = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(
        handed.body["assignee_id"],
        biz.member_id.to_string(),
        "{}",
        handed.body
    );

    // A person moving it is what its explanation says now; its channel stays.
    owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": biz.owner_id}),
        )
        .await;
    let moved = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(
        moved.body["assignment"]["outcome"], "assigned by a person",
        "{}",
        moved.body
    );
    assert_eq!(
        moved.body["assignment"]["member_id"],
        biz.owner_id.to_string()
    );
    let listed = owner.get("/api/leads").await.body["items"][0].clone();
    assert_eq!(listed["channel"]["kind"], "walkin", "{listed}");
}

/// Marking read reaches every notification, however many came before.
#[tokio::test]
async fn notifications_past_the_latest_five_hundred_are_marked_read_too() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    owner
        .put(
            "/api/leads/pool",
            json!({"mode": "round_robin", "members": [{"member_id": biz.member_id}]}),
        )
        .await;
    for i in 0..510 {
        let r = owner
            .post(
                "/api/leads",
                json!({"name": format!("Lead {i}"), "phone": format!("+55119{i:08}")}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let all = |c: &crate::common::Client| {
        let c = c.clone();
        async move {
            let mut items = Vec::new();
            let mut cursor = String::new();
            loop {
                let r = c
                    .get(&format!("/api/notifications?limit=100&cursor={cursor}"))
                    .await;
                items.extend(r.body["items"].as_array().unwrap().iter().cloned());
                match r.body["next_cursor"].as_str() {
                    Some(n) => cursor = n.to_string(),
                    None => return items,
                }
            }
        }
    };
    let before = all(&member).await;
    assert_eq!(before.len(), 510);
    let oldest = before.last().unwrap()["id"].as_str().unwrap().to_string();
    let one = member
        .post("/api/notifications/read", json!({"ids": [oldest]}))
        .await;
    assert_eq!(one.status, 204);
    assert_eq!(
        all(&member).await.last().unwrap()["read"],
        true,
        "the oldest, by id"
    );
    member.post("/api/notifications/read", json!({})).await;
    let unread = all(&member)
        .await
        .iter()
        .filter(|n| n["read"] == false)
        .count();
    assert_eq!(unread, 0);
}
