//! Support access: an owner grants it for a while, a platform admin opens the
//! business read-only, every look is audited for the owner, no write gets
//! through, and the visit ends with the grant (revoked or run out) or on exit.
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use wafunnel::{tenancy::support, time::now_ms};

use crate::{
    audit::{actions, admin},
    common::{wa::text, Client, Harness, PASSWORD},
};

const ACCESS: &str = "/api/business/support-access";
const EXIT: &str = "/api/admin/support-session";

fn open_path(b: impl std::fmt::Display) -> String {
    format!("/api/admin/businesses/{b}/support-session")
}

/// A business with one inbound conversation; its id.
async fn with_conversation(h: &Harness, owner: &Client, number: &str) -> String {
    h.register_number(owner, number).await;
    let r = h
        .webhook(&text(
            number,
            "5511955550001",
            "Lead",
            "wamid-s1",
            "hello support",
        ))
        .await;
    assert_eq!(r.status, 200);
    let list = owner.get("/api/conversations").await;
    list.body["items"][0]["id"].as_str().unwrap().to_string()
}

/// Whether the server ends the socket within `wait`.
async fn closes_within<S, E>(ws: &mut S, wait: Duration) -> bool
where
    S: Stream<Item = Result<tokio_tungstenite::tungstenite::Message, E>> + Unpin,
{
    let ended = async {
        while let Some(Ok(m)) = ws.next().await {
            if m.is_close() {
                return;
            }
        }
    };
    tokio::time::timeout(wait, ended).await.is_ok()
}

async fn audit_items(owner: &Client, action: &str) -> Vec<Value> {
    let r = owner.get(&format!("/api/audit?action={action}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_admin_looks_read_only_while_granted_and_the_owner_sees_every_look() {
    let h = Harness::start();
    let biz = h.new_business("Acme Support").await;
    let owner = h.login(biz.owner()).await;
    let admin = admin(&h).await;
    let admin_email = admin.get("/api/auth/me").await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_string();
    let c = with_conversation(&h, &owner, "support-number-1").await;

    // Without a grant, the door is shut.
    let r = admin.post(&open_path(biz.id), json!({})).await;
    assert_eq!((r.status, r.code()), (403, "support_access_not_granted"));
    let r = owner.get(ACCESS).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["granted_until"], Value::Null);
    assert_eq!(r.body["recent_views"], json!([]));

    for bad in [0, 169, -3] {
        let r = owner.put(ACCESS, json!({"hours": bad})).await;
        assert_eq!((r.status, r.code()), (422, "validation_failed"), "{bad}");
    }
    let r = owner.put(ACCESS, json!({"hours": 2})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let until = r.body["granted_until"].as_str().unwrap().to_string();
    assert!(r.body["granted_by"]["name"].is_string());
    let hours = (chrono::DateTime::parse_from_rfc3339(&until)
        .unwrap()
        .timestamp_millis()
        - now_ms()) as f64
        / 3_600_000.0;
    assert!((1.9..=2.0).contains(&hours), "{hours}");

    // Open: the admin's session now acts inside the business.
    let r = admin.post(&open_path(biz.id), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["read_only"], true);
    assert_eq!(r.body["business_name"], "Acme Support");
    assert_eq!(r.body["expires_at"].as_str(), Some(until.as_str()));
    let me = admin.get("/api/auth/me").await.body;
    assert_eq!(me["support"]["business_id"], json!(biz.id.to_string()));
    assert_eq!(me["support"]["expires_at"].as_str(), Some(until.as_str()));
    assert_eq!(me["business"]["id"], json!(biz.id.to_string()));
    assert_eq!(owner.get("/api/auth/me").await.body["support"], Value::Null);

    // Reads: everything an owner sees.
    let list = admin.get("/api/conversations").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == json!(c)));
    assert_eq!(
        admin.get(&format!("/api/conversations/{c}")).await.status,
        200
    );
    let msgs = admin.get(&format!("/api/conversations/{c}/messages")).await;
    assert_eq!(msgs.status, 200, "{}", msgs.body);
    assert!(msgs.body.to_string().contains("hello support"));
    assert_eq!(admin.get("/api/search?q=hello&kind=all").await.status, 200);
    assert_eq!(admin.get(ACCESS).await.status, 200);

    // Writes, whatever their route takes: refused before anything happens.
    let writes: Vec<(Method, String, Value)> = vec![
        (
            Method::POST,
            format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "from support"}),
        ),
        (
            Method::PATCH,
            format!("/api/conversations/{c}"),
            json!({"status": "closed"}),
        ),
        (
            Method::POST,
            format!("/api/conversations/{c}/read"),
            json!({}),
        ),
        (
            Method::PATCH,
            "/api/business".into(),
            json!({"name": "Taken over"}),
        ),
        (
            Method::POST,
            "/api/tokens".into(),
            json!({"name": "backdoor"}),
        ),
        (
            Method::POST,
            "/api/auth/password".into(),
            json!({"current_password": PASSWORD, "new_password": "another-long-password"}),
        ),
        (
            Method::POST,
            "/api/invites".into(),
            json!({"email": "friend@support.test", "role": "owner"}),
        ),
        (Method::PUT, ACCESS.into(), json!({"hours": 168})),
        (Method::DELETE, ACCESS.into(), Value::Null),
        (Method::POST, open_path(biz.id), json!({})),
    ];
    for (method, path, body) in writes {
        let body = (!body.is_null()).then_some(body);
        let r = admin.request(method.clone(), &path, body).await;
        assert_eq!(
            (r.status, r.code()),
            (403, "support_read_only"),
            "{method} {path}: {}",
            r.body
        );
    }
    // Reads that carry data away are refused too.
    for path in [
        "/api/exports/leads.csv",
        "/api/%65xports/leads.csv",
        "/%61pi/exports/conversations.csv",
    ] {
        let r = admin.get(path).await;
        assert_eq!((r.status, r.code()), (403, "support_read_only"), "{path}");
    }
    let r = admin
        .post("/%61pi/tokens", json!({"name": "backdoor"}))
        .await;
    assert_eq!((r.status, r.code()), (403, "support_read_only"));

    // Nothing changed.
    let conv = owner.get(&format!("/api/conversations/{c}")).await.body;
    assert_eq!(conv["status"], "open", "{conv}");
    let after = owner.get(&format!("/api/conversations/{c}/messages")).await;
    assert_eq!(after.body["items"], msgs.body["items"]);
    assert_eq!(
        owner.get("/api/business").await.body["name"],
        "Acme Support"
    );
    assert_eq!(admin.get("/api/tokens").await.body["items"], json!([]));
    let invites = owner.get("/api/invites").await.body.to_string();
    assert!(!invites.contains("friend@support.test"), "{invites}");
    assert_eq!(
        owner.get(ACCESS).await.body["granted_until"].as_str(),
        Some(until.as_str())
    );
    let again = h.client();
    let r = again
        .post(
            "/api/auth/login",
            json!({"email": admin_email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "the admin's password is unchanged");

    // The owner sees each look, newest first, in the settings and the log.
    let access = owner.get(ACCESS).await.body;
    let views = access["recent_views"].as_array().unwrap();
    let summaries: Vec<&str> = views
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(views.len(), 4, "{summaries:?}");
    assert!(summaries[0].contains("searched"), "{summaries:?}");
    assert!(summaries[1].contains(&format!("messages of conversation {c}")));
    assert!(summaries[2].contains(&format!("opened conversation {c}")));
    assert!(summaries[3].contains("opened the business read-only"));
    for v in views {
        assert_eq!(v["admin"]["email"], json!(admin_email));
        assert_eq!(v["admin"]["name"], "Admin");
        assert!(!v["ip"].as_str().unwrap().is_empty());
        assert!(v["at"].is_string());
    }
    let logged = audit_items(&owner, "support_view").await;
    assert_eq!(logged.len(), 3);
    assert!(logged
        .iter()
        .all(|e| e["actor"]["email"] == json!(admin_email)
            && e["business_id"] == json!(biz.id.to_string())));
    assert_eq!(audit_items(&owner, "support_session_opened").await.len(), 1);
    assert_eq!(audit_items(&owner, "support_access_granted").await.len(), 1);
    // Refused writes left no trace but the refusal.
    let all = owner.get("/api/audit").await.body["items"]
        .as_array()
        .unwrap()
        .clone();
    let acts = actions(&all);
    assert!(!acts.contains(&"api_token_created") && !acts.contains(&"password_changed"));

    // Revoking ends the visit at once.
    let r = owner.delete(ACCESS).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["granted_until"], Value::Null);
    assert_eq!(r.body["recent_views"].as_array().unwrap().len(), 4);
    assert_eq!(admin.get("/api/conversations").await.status, 403);
    assert_eq!(
        admin
            .get(&format!("/api/conversations/{c}/messages"))
            .await
            .status,
        403
    );
    let me = admin.get("/api/auth/me").await.body;
    assert_eq!(me["support"], Value::Null);
    assert_eq!(me["business"], Value::Null);
    assert_eq!(audit_items(&owner, "support_access_revoked").await.len(), 1);
    let r = admin.post(&open_path(biz.id), json!({})).await;
    assert_eq!((r.status, r.code()), (403, "support_access_not_granted"));
    // Nothing was viewed after the revoke.
    assert_eq!(audit_items(&owner, "support_view").await.len(), 3);
}

#[tokio::test]
async fn a_visit_ends_when_the_grant_runs_out_on_exit_and_is_not_revived() {
    let h = Harness::start();
    let biz = h.new_business("Acme Expiry").await;
    let owner = h.login(biz.owner()).await;
    let admin = admin(&h).await;
    with_conversation(&h, &owner, "support-number-2").await;

    // A grant that has run out (the clock moved past it).
    assert_eq!(owner.put(ACCESS, json!({"hours": 1})).await.status, 200);
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
    assert_eq!(admin.get("/api/conversations").await.status, 200);
    let b = biz.id;
    h.server
        .store
        .write(move |ctx| {
            let mut g = support::get(ctx, b)?.expect("grant");
            g.until = now_ms() - 1;
            support::save(ctx, &g)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(admin.get("/api/conversations").await.status, 403);
    assert_eq!(admin.get("/api/auth/me").await.body["support"], Value::Null);
    assert_eq!(owner.get(ACCESS).await.body["granted_until"], Value::Null);
    let r = admin.post(&open_path(biz.id), json!({})).await;
    assert_eq!((r.status, r.code()), (403, "support_access_not_granted"));

    // Exit: back to the platform, and the owner is told.
    assert_eq!(owner.put(ACCESS, json!({"hours": 3})).await.status, 200);
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
    // Extending the grant keeps the visit.
    assert_eq!(owner.put(ACCESS, json!({"hours": 5})).await.status, 200);
    assert_eq!(admin.get("/api/conversations").await.status, 200);
    let r = admin.delete(EXIT).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(admin.get("/api/auth/me").await.body["support"], Value::Null);
    assert_eq!(admin.get("/api/conversations").await.status, 403);
    assert_eq!(admin.get("/api/admin/audit").await.status, 200);
    assert_eq!(audit_items(&owner, "support_session_closed").await.len(), 1);
    // Leaving twice is harmless.
    assert_eq!(admin.delete(EXIT).await.status, 204);

    // A revoke ends the visit for good: a new grant does not revive it.
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
    assert_eq!(owner.delete(ACCESS).await.status, 200);
    assert_eq!(owner.put(ACCESS, json!({"hours": 1})).await.status, 200);
    assert_eq!(admin.get("/api/conversations").await.status, 403);

    // A visit can still sign out.
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
    assert_eq!(admin.post("/api/auth/logout", json!({})).await.status, 204);
    assert_eq!(admin.get("/api/auth/me").await.status, 401);
}

#[tokio::test]
async fn only_platform_admins_open_support_sessions_and_only_owners_grant() {
    let h = Harness::start();
    let biz = h.new_business("Acme Rbac").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    assert_eq!(owner.put(ACCESS, json!({"hours": 1})).await.status, 200);
    for (who, c) in [("owner", &owner), ("member", &member)] {
        let r = c.post(&open_path(biz.id), json!({})).await;
        assert_eq!(r.status, 403, "{who}");
        assert_eq!(c.delete(EXIT).await.status, 403, "{who}");
        assert_eq!(c.get("/api/auth/me").await.body["support"], Value::Null);
    }
    assert_eq!(
        h.client().post(&open_path(biz.id), json!({})).await.status,
        401
    );
    let r = member.put(ACCESS, json!({"hours": 1})).await;
    assert_eq!(r.status, 403);
    assert_eq!(member.get(ACCESS).await.status, 403);
    // An unknown business is not found, a granted one opens.
    let admin = admin(&h).await;
    let r = admin
        .post(
            &open_path(wafunnel::store::ids::BusinessId::new()),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
}

#[tokio::test]
async fn a_visits_websocket_reads_and_closes_when_the_grant_is_revoked() {
    let h = Harness::start_with(|c| {
        c.realtime.heartbeat_secs = 1;
        c.realtime.client_timeout_secs = 30;
    });
    let biz = h.new_business("Acme Socket").await;
    let owner = h.login(biz.owner()).await;
    let admin = admin(&h).await;
    assert_eq!(owner.put(ACCESS, json!({"hours": 1})).await.status, 200);
    assert_eq!(admin.post(&open_path(biz.id), json!({})).await.status, 200);
    let origin = h.base.clone();
    let mut ws = crate::realtime::open(&h, &admin, Some(&origin))
        .await
        .expect("a visit may follow the business live");
    // Still open after a couple of heartbeats while the grant stands.
    assert!(
        !closes_within(&mut ws, Duration::from_millis(2500)).await,
        "the socket closed while the grant stood"
    );
    assert_eq!(owner.delete(ACCESS).await.status, 200);
    assert!(
        closes_within(&mut ws, Duration::from_secs(5)).await,
        "the socket outlived the revoked grant"
    );
}
