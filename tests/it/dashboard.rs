//! The dashboard over a seeded business: every figure is the one the seeded
//! events imply, and each role sees exactly its scope (owner the business, a
//! lead their team, a member their own row).
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{wa::text, Client, Harness};

fn row<'a>(d: &'a Value, member: &str) -> &'a Value {
    d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member_id"] == member)
        .unwrap_or_else(|| panic!("no row for {member} in {d}"))
}

fn today(d: &Value) -> &Value {
    d["leads_by_day"].as_array().unwrap().last().unwrap()
}

async fn dashboard(c: &Client) -> Value {
    let r = c.get("/api/dashboard").await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn the_dashboard_counts_the_seeded_funnel_within_each_roles_scope() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    let lead = h.login(biz.lead()).await;
    let (m, o) = (biz.member_id.to_string(), biz.other_member_id.to_string());
    h.register_number(&owner, "DASH-PN").await;

    // Four WhatsApp conversations: two for the member, one for the other
    // member, one nobody took (the number has no pool).
    let mut ids = Vec::new();
    for (i, who) in [("1", "Ana"), ("2", "Bia"), ("3", "Caio"), ("4", "Edu")] {
        let mut body = text(
            "DASH-PN",
            &format!("551190000090{i}"),
            who,
            &format!("wamid.D{i}"),
            "hi",
        );
        // Sent just now, so the reply window is open.
        body["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] =
            json!(chrono::Utc::now().timestamp().to_string());
        h.webhook(&body).await;
    }
    for c in owner.get("/api/conversations?view=all").await.body["items"]
        .as_array()
        .unwrap()
    {
        ids.push((
            c["contact"]["name"].as_str().unwrap().to_string(),
            c["id"].as_str().unwrap().to_string(),
        ));
    }
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).unwrap().1.clone();
    for (name, to) in [("Ana", &m), ("Bia", &m), ("Caio", &o)] {
        let r = owner
            .patch(
                &format!("/api/conversations/{}", id(name)),
                json!({"assignee_id": to}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // A manual lead (whoever adds it takes it), and a returning person's second lead.
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Duda", "email": "duda@example.com"}),
        )
        .await;
    assert!(r.status == 201, "{}", r.body);
    let r = owner
        .post(
            "/api/leads",
            json!({"name": "Ana", "phone": "+5511900000901", "note": "came back"}),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "the returning person joins her timeline: {}",
        r.body
    );

    // The member answers Ana, closes Bia as won; one follow-up of theirs runs late.
    let r = member
        .post(
            &format!("/api/conversations/{}/messages", id("Ana")),
            json!({"type": "text", "text": "Hello Ana"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let r = member
        .patch(
            &format!("/api/conversations/{}", id("Bia")),
            json!({"status": "closed", "labels": ["Won"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The label taken off by mistake and put back: still one sale.
    for labels in [json!([]), json!(["Won"])] {
        let r = member
            .patch(
                &format!("/api/conversations/{}", id("Bia")),
                json!({ "labels": labels }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let due = (chrono::Utc::now() + chrono::Duration::milliseconds(300)).to_rfc3339();
    member
        .post(
            "/api/followups",
            json!({"conversation_id": id("Ana"), "note": "Quote", "scheduled_for": due}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let d = dashboard(&owner).await;
    assert_eq!(d["scope"], "business");
    assert_eq!(
        d["leads_by_day"].as_array().unwrap().len(),
        30,
        "the last 30 days by default"
    );
    assert_eq!(d["totals"]["leads"], 6, "{}", d["totals"]);
    assert_eq!(today(&d)["total"], 6);
    assert_eq!(today(&d)["by_source"], json!({"whatsapp": 4, "manual": 2}));
    assert_eq!(d["totals"]["won"], 1);
    assert_eq!(d["totals"]["closed"], 1);
    let rate = d["totals"]["conversion_rate"].as_f64().unwrap();
    assert!((rate - 1.0 / 6.0).abs() < 1e-9, "{rate}");
    assert_eq!(d["unassigned_backlog"], 1, "Edu waits");
    assert_eq!(row(&d, &biz.owner_id.to_string())["assigned"], 1, "Duda");
    let mine = row(&d, &m);
    assert_eq!(
        (
            mine["assigned"].as_u64(),
            mine["open"].as_u64(),
            mine["closed"].as_u64(),
            mine["overdue_followups"].as_u64()
        ),
        (Some(2), Some(1), Some(1), Some(1)),
        "{mine}"
    );
    assert_eq!(mine["first_response"]["count"], 1);
    assert!(mine["first_response"]["median_secs"].as_f64().unwrap() < 60.0);
    let theirs = row(&d, &o);
    assert_eq!(
        (theirs["assigned"].as_u64(), theirs["open"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(theirs["first_response"]["median_secs"], Value::Null);
    let by_source = d["first_response_by_source"].as_array().unwrap();
    assert_eq!(by_source.len(), 1);
    assert_eq!(by_source[0]["source"], "whatsapp");

    let d = dashboard(&member).await;
    assert_eq!(d["scope"], "own");
    assert_eq!(
        d["members"].as_array().unwrap().len(),
        1,
        "only their own row"
    );
    assert_eq!(
        d["totals"]["leads"], 3,
        "Ana twice and Bia: {}",
        d["totals"]
    );
    assert_eq!(
        d["unassigned_backlog"],
        Value::Null,
        "the queue is not theirs to see"
    );
    let d = dashboard(&other).await;
    assert_eq!(d["totals"]["leads"], 1);
    assert_eq!(row(&d, &o)["assigned"], 1);
    let d = dashboard(&lead).await;
    assert_eq!(d["scope"], "team");
    assert!(
        d["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["member_id"] != o.as_str()),
        "another team"
    );
    assert_eq!(row(&d, &m)["closed"], 1);
    assert_eq!(d["totals"]["leads"], 4, "the team's three and Edu, waiting");
}

#[tokio::test]
async fn a_bad_range_is_refused_with_the_field_named() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    for (query, field) in [
        ("from=2026-11-20&to=2026-11-01", "from"),
        ("from=2024-01-01&to=2026-11-01", "from"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("tz_offset_minutes=5000", "tz_offset_minutes"),
    ] {
        let r = owner.get(&format!("/api/dashboard?{query}")).await;
        assert_eq!(r.status, 422, "{query}: {}", r.body);
        assert_eq!(r.body["error"]["details"][0]["field"], field, "{query}");
    }
    let r = owner
        .get("/api/dashboard?from=2026-01-01&to=2026-01-07&tz_offset_minutes=-180&_=1764000000")
        .await;
    assert_eq!(r.status, 200, "a cache-buster is let be: {}", r.body);
    let days: Vec<&str> = r.body["leads_by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["day"].as_str().unwrap())
        .collect();
    assert_eq!(days.first(), Some(&"2026-01-01"));
    assert_eq!(days.len(), 7);
}
