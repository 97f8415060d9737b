//! Browser push: a device subscribes with its browser's keys, reminders reach
//! it encrypted so only that browser can read them, a push service that says
//! the device is gone makes us forget it, and every member picks how they are
//! reminded.
use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{push_sink::PushSink, smtp_sink::SmtpSink, wa::text, Client, Harness};

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn at(ms_from_now: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::milliseconds(ms_from_now)).to_rfc3339()
}

#[tokio::test]
async fn a_subscribed_device_gets_the_test_push_encrypted_for_it_and_signed_by_our_key() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    let sink = PushSink::start();

    let key = member.get("/api/push/key").await;
    assert_eq!(key.status, 200);
    let public_key = key.body["public_key"].as_str().unwrap().to_string();
    assert_eq!(public_key.len(), 87, "65 bytes, base64url: {public_key}");

    let mut bad = sink.subscription();
    bad["keys"]["p256dh"] = json!("AAAA");
    let r = member.post("/api/push/subscriptions", bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.body["error"]["details"][0]["field"], "keys.p256dh");
    let mut bad = sink.subscription();
    bad["endpoint"] = json!("javascript:alert(1)");
    assert_eq!(
        member.post("/api/push/subscriptions", bad).await.status,
        422
    );

    let r = member
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let device = r.body["id"].as_str().unwrap().to_string();
    let mine = member.get("/api/push/subscriptions").await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine.body["items"][0]["endpoint_host"], "127.0.0.1");
    let theirs = other.get("/api/push/subscriptions").await;
    assert!(theirs.body["items"].as_array().unwrap().is_empty());
    assert_eq!(
        other
            .delete(&format!("/api/push/subscriptions/{device}"))
            .await
            .status,
        404,
        "nobody removes another member's device"
    );

    let r = member.post("/api/push/test", json!({})).await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["devices"], 1);
    wait_for("the test push", || !sink.received().is_empty()).await;
    assert!(sink.rejected().is_empty(), "{:?}", sink.rejected());
    let got = &sink.received()[0];
    assert_eq!(got["title"], "wafunnel");
    assert_eq!(got["url"], "/profile");
    assert_eq!(
        sink.vapid_key(),
        public_key,
        "signed with the advertised key"
    );

    // Subscribing the same browser again replaces, never duplicates.
    member
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    let mine = member.get("/api/push/subscriptions").await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 1);
    let device = mine.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        member
            .delete(&format!("/api/push/subscriptions/{device}"))
            .await
            .status,
        204
    );
    let r = member.post("/api/push/test", json!({})).await;
    assert_eq!(r.body["devices"], 0);
}

#[tokio::test]
async fn a_push_service_that_says_the_device_is_gone_makes_us_forget_it() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let member = h.login(biz.member()).await;
    let sink = PushSink::start();
    member
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    sink.answer(410);
    member.post("/api/push/test", json!({})).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let mine = member.get("/api/push/subscriptions").await;
        if mine.body["items"].as_array().unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the gone device was kept");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sink.received().len(), 1, "it was tried once");
}

async fn conversation(h: &Harness, owner: &Client, pn: &str, wa: &str, name: &str) -> String {
    h.webhook(&text(pn, wa, name, &format!("wamid.{wa}"), "hi"))
        .await;
    let list = owner.get("/api/conversations").await;
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["name"] == name)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn follow_ups_due_together_make_one_reminder_by_the_channels_the_member_chose() {
    let smtp = SmtpSink::start().await;
    let url = smtp.url.clone();
    let h = Harness::start_with(move |c| c.smtp.url = url);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let sink = PushSink::start();
    member
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    let prefs = member.get("/api/profile/reminders").await;
    assert_eq!(
        prefs.body,
        json!({"in_app": true, "email": true, "push": true})
    );
    let r = member
        .put("/api/profile/reminders", json!({"email": false}))
        .await;
    assert_eq!(
        r.body,
        json!({"in_app": true, "email": false, "push": true})
    );

    h.register_number(&owner, "GRP-PN").await;
    let carla = conversation(&h, &owner, "GRP-PN", "5511900000811", "Carla").await;
    let rui = conversation(&h, &owner, "GRP-PN", "5511900000812", "Rui").await;
    for c in [&carla, &rui] {
        owner
            .patch(
                &format!("/api/conversations/{c}"),
                json!({"assignee_id": biz.member_id}),
            )
            .await;
    }
    let due = at(1500);
    for (c, note) in [(&carla, "Send the quote"), (&rui, "Call back")] {
        let r = member
            .post(
                "/api/followups",
                json!({"conversation_id": c, "note": note, "scheduled_for": due}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The two assignments buzzed already; the reminders are what counts here.
    let reminders = || -> Vec<serde_json::Value> {
        sink.received()
            .into_iter()
            .filter(|p| p["tag"].as_str().is_some_and(|t| t.starts_with("followup")))
            .collect()
    };
    wait_for("the grouped push", || !reminders().is_empty()).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pushes = reminders();
    assert_eq!(pushes.len(), 1, "one push for both: {pushes:?}");
    assert_eq!(pushes[0]["title"], "2 follow-ups are due");
    let body = pushes[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Carla: Send the quote") && body.contains("Rui: Call back"),
        "{body}"
    );
    assert_eq!(pushes[0]["url"], "/followups");
    let reminders: Vec<_> = member.get("/api/notifications").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "followup")
        .cloned()
        .collect();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
    assert!(
        smtp.all().iter().all(|m| !m.contains("follow-ups are due")),
        "email was turned off"
    );
}

/// The acceptance check: a follow-up due in 3 seconds, the server killed
/// (SIGKILL) and started again in between, reminds exactly once on each
/// channel: one email at the SMTP server, one push the device decrypts, one
/// in-app notification.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_follow_up_due_across_a_kill_9_reminds_once_by_email_push_and_in_app() {
    let smtp = SmtpSink::start().await;
    let sink = PushSink::start();
    let dir = tempfile::tempdir().unwrap();
    let env = [("WAFUNNEL_SMTP_URL", smtp.url.as_str())];
    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &env);
    let owner = Client::new(&url);
    let setup = owner
        .post("/api/setup", json!({"business_name": "Remind", "name": "Olga", "email": "o@remind.test", "password": "long-password"}))
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    owner
        .post(
            "/api/auth/login",
            json!({"email": "o@remind.test", "password": "long-password"}),
        )
        .await;
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Carla", "phone": "+5511900000901"}),
        )
        .await;
    assert_eq!(lead.status, 201, "{}", lead.body);
    let conversation = lead.body["conversation_id"].as_str().unwrap().to_string();
    let r = owner
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = owner
        .post("/api/followups", json!({"conversation_id": conversation, "note": "Send the quote", "scheduled_for": at(3000)}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    child.kill().unwrap(); // SIGKILL: no drain, no final commit
    child.wait().unwrap();
    let (mut child, url) = crate::crash::serve_with_env(dir.path(), &env);
    let owner = Client::new(&url);
    owner
        .post(
            "/api/auth/login",
            json!({"email": "o@remind.test", "password": "long-password"}),
        )
        .await;
    let mails = || {
        smtp.all()
            .into_iter()
            .filter(|m| m.contains("Subject: Follow up with Carla"))
            .count()
    };
    wait_for("the reminder email and push", || {
        mails() >= 1 && !sink.received().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let in_app = owner.get("/api/notifications").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "followup")
        .count();
    assert_eq!(mails(), 1, "one email");
    assert_eq!(sink.received().len(), 1, "one push: {:?}", sink.received());
    assert!(sink.rejected().is_empty(), "{:?}", sink.rejected());
    assert_eq!(sink.received()[0]["title"], "Follow up with Carla");
    assert_eq!(sink.received()[0]["url"], format!("/inbox/{conversation}"));
    assert_eq!(in_app, 1, "one in-app notification");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn a_conversation_assigned_to_a_member_buzzes_their_devices_unless_they_said_no() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let sink = PushSink::start();
    let r = member
        .post("/api/push/subscriptions", sink.subscription())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let lead = |phone: &'static str| {
        let (owner, to) = (owner.clone(), biz.member_id);
        async move {
            let r = owner
                .post(
                    "/api/leads",
                    json!({"name": "Carla Souza", "phone": phone, "assignee_id": to}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            r.body["conversation_id"].as_str().unwrap().to_string()
        }
    };
    let conversation = lead("+5511987654321").await;
    wait_for("the assignment push", || !sink.received().is_empty()).await;
    let got = &sink.received()[0];
    assert_eq!(got["url"], format!("/inbox/{conversation}"));
    assert!(
        got["body"].as_str().unwrap().contains("Carla Souza"),
        "{got}"
    );

    let off = member
        .put(
            "/api/profile/reminders",
            json!({"email": true, "push": false}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    lead("+5511987650002").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sink.received().len(), 1, "push turned off");
}
