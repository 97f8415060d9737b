//! Follow-ups: seen exactly as conversations are, in views by due time, and
//! reminded once at their time, a restart in between or not.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{wa::text, Harness};

fn at(ms_from_now: i64) -> String {
    let t = chrono::Utc::now() + chrono::Duration::milliseconds(ms_from_now);
    t.to_rfc3339()
}

#[tokio::test]
async fn follow_ups_follow_the_conversation_scope_and_the_views() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let (member, other, lead) = (
        h.login(biz.member()).await,
        h.login(biz.other_member()).await,
        h.login(biz.lead()).await,
    );
    h.register_number(&owner, "FU-PN").await;
    h.webhook(&text("FU-PN", "5511900000301", "Carla", "wamid.FU1", "hi"))
        .await;
    let c = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;

    let r = member
        .post(
            "/api/followups",
            json!({"conversation_id": c, "note": "Send the quote", "scheduled_for": at(3_600_000)}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["assignee_id"],
        biz.member_id.to_string(),
        "the creator by default"
    );
    let id = r.body["id"].as_str().unwrap().to_string();
    let seen = |list: &serde_json::Value| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id.as_str())
    };
    assert!(seen(&member.get("/api/followups?view=upcoming").await.body));
    assert!(
        seen(&lead.get("/api/followups?view=upcoming").await.body),
        "the member's team lead"
    );
    assert!(seen(&owner.get("/api/followups?view=upcoming").await.body));
    assert!(
        !seen(&other.get("/api/followups?view=upcoming").await.body),
        "another team's member"
    );
    assert_eq!(
        other
            .patch(&format!("/api/followups/{id}"), json!({"done": true}))
            .await
            .status,
        404
    );
    assert_eq!(
        other
            .get(&format!("/api/conversations/{c}/followups"))
            .await
            .status,
        404
    );
    let r = member
        .post("/api/followups", json!({"conversation_id": c, "note": "x", "scheduled_for": at(1000), "assignee_id": biz.other_member_id}))
        .await;
    assert_eq!(r.status, 403, "a member gives follow-ups to nobody else");
    let r = member
        .post(
            "/api/followups",
            json!({"conversation_id": c, "note": "", "scheduled_for": "tomorrow"}),
        )
        .await;
    assert_eq!(r.status, 422);
    for absurd in [
        "0000-01-01T00:00:00Z",
        "1969-07-20T20:17:00Z",
        "9999-12-31T23:59:59Z",
    ] {
        let r = member
            .post(
                "/api/followups",
                json!({"conversation_id": c, "note": "x", "scheduled_for": absurd}),
            )
            .await;
        assert_eq!(r.status, 422, "{absurd}: {}", r.body);
        assert_eq!(r.body["error"]["details"][0]["field"], "scheduled_for");
        let r = member
            .patch(
                &format!("/api/followups/{id}"),
                json!({"scheduled_for": absurd}),
            )
            .await;
        assert_eq!(r.status, 422, "{absurd}: {}", r.body);
    }

    // Views move with the clock and with what people do.
    let r = member
        .patch(
            &format!("/api/followups/{id}"),
            json!({"scheduled_for": at(-60_000)}),
        )
        .await;
    assert_eq!(r.body["overdue"], true);
    assert!(seen(&member.get("/api/followups?view=overdue").await.body));
    member
        .patch(
            &format!("/api/followups/{id}"),
            json!({"snooze_minutes": 30}),
        )
        .await;
    assert!(seen(&member.get("/api/followups?view=upcoming").await.body));
    let r = member
        .patch(&format!("/api/followups/{id}"), json!({"done": true}))
        .await;
    assert_eq!(r.body["done"], true);
    assert!(seen(&member.get("/api/followups?view=done").await.body));
    assert!(!seen(
        &member.get("/api/followups?view=upcoming").await.body
    ));
    let on_conversation = member
        .get(&format!("/api/conversations/{c}/followups"))
        .await;
    assert_eq!(on_conversation.body["items"][0]["note"], "Send the quote");
    assert_eq!(
        member.delete(&format!("/api/followups/{id}")).await.status,
        204
    );
    assert!(!seen(&owner.get("/api/followups?view=done").await.body));
}

#[tokio::test]
async fn a_reminder_comes_once_at_its_time_across_a_restart() {
    let sink = crate::common::smtp_sink::SmtpSink::start().await;
    let smtp = sink.url.clone();
    let h = Harness::start_with(move |c| c.smtp.url = smtp);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "FU-RS").await;
    h.webhook(&text("FU-RS", "5511900000302", "Rui", "wamid.FU2", "hi"))
        .await;
    let c = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A follow-up goes to someone who can open its conversation.
    let assigned = owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    let r = owner
        .post("/api/followups", json!({"conversation_id": c, "note": "Call back", "scheduled_for": at(2000), "assignee_id": biz.member_id}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Rescheduled once: only the latest time reminds.
    let id = r.body["id"].as_str().unwrap();
    owner
        .patch(
            &format!("/api/followups/{id}"),
            json!({"scheduled_for": at(2500)}),
        )
        .await;
    let (server, dir) = (h.server, h.dir);
    server.stop();
    let smtp = sink.url.clone();
    let h = Harness::start_in(dir, move |c| c.smtp.url = smtp);
    let member = h.login(biz.member()).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let reminders = || async {
        member.get("/api/notifications").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "followup")
            .count()
    };
    while reminders().await == 0 {
        assert!(Instant::now() < deadline, "no reminder came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let n = &member.get("/api/notifications").await.body["items"][0];
    assert_eq!(n["text"], "Follow up with Rui: Call back");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(reminders().await, 1, "once");
    let mails: Vec<String> = sink
        .all()
        .into_iter()
        .filter(|m| m.contains("Subject: Follow up with Rui"))
        .collect();
    assert_eq!(mails.len(), 1, "one email, seen by the SMTP server");
    assert!(
        mails[0].contains(&format!("To: {}", biz.member())),
        "{}",
        mails[0]
    );
}

/// One lead with a follow-up "call {i}" due `hours_ahead[i]` hours from now; their ids.
pub async fn calls_due_in(owner: &crate::common::Client, hours_ahead: &[i64]) -> Vec<String> {
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Carla", "phone": "+5511900000302"}),
        )
        .await;
    let c = lead.body["conversation_id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (i, hours) in hours_ahead.iter().enumerate() {
        let r = owner
            .post(
                "/api/followups",
                json!({"conversation_id": c, "note": format!("call {i}"),
                       "scheduled_for": at(3_600_000 * hours)}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_string());
    }
    ids
}

#[tokio::test]
async fn a_long_list_of_follow_ups_pages_by_cursor_in_due_order() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let ids = calls_due_in(&owner, &[5, 4, 3, 2, 1]).await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for page in 0.. {
        let r = owner
            .get(&format!(
                "/api/followups?view=upcoming&limit=2&cursor={cursor}"
            ))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        for f in r.body["items"].as_array().unwrap() {
            seen.push(f["note"].as_str().unwrap().to_string());
        }
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => {
                assert_eq!(page, 2, "three pages of 2, 2 and 1");
                break;
            }
        }
    }
    assert_eq!(seen, ["call 4", "call 3", "call 2", "call 1", "call 0"]);

    for id in &ids[..3] {
        let r = owner
            .patch(&format!("/api/followups/{id}"), json!({"done": true}))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let first = owner.get("/api/followups?view=done&limit=2").await;
    let next = first.body["next_cursor"].as_str().unwrap().to_string();
    let rest = owner
        .get(&format!("/api/followups?view=done&limit=2&cursor={next}"))
        .await;
    assert_eq!(
        rest.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        rest.body
    );
    assert_eq!(rest.body["next_cursor"], serde_json::Value::Null);
    let bad = owner.get("/api/followups?cursor=nonsense").await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}
