//! The audit log (owners read their business's at /api/audit, platform admins
//! everyone's at /api/admin/audit), the user's own sessions, the trusted-proxy
//! rule for the recorded IP, and retention.
mod proxies;
mod queries;
mod retention;
mod sessions;

use reqwest::Method;
use serde_json::{json, Value};
use wafunnel::{
    audit::{self, Note, Origin},
    auth::users::{self, AccountType, NewUser},
    store::ids::BusinessId,
    time::now_ms,
};

use crate::common::{client::Resp, password_hash, Client, Harness, PASSWORD};

/// A request with extra headers (User-Agent, X-Forwarded-For), the client's
/// cookies and CSRF header included.
pub(super) async fn send(
    c: &Client,
    method: Method,
    path: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = c
        .http
        .request(method, format!("{}{path}", c.base))
        .json(&body);
    if let Some(csrf) = c.cookie("wf_csrf") {
        req = req.header("X-CSRF-Token", csrf);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Client::read(req.send().await.expect("request")).await
}

pub(super) async fn login_as(
    h: &Harness,
    email: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (Client, Resp) {
    let c = h.client();
    let body = json!({"email": email, "password": password});
    let r = send(&c, Method::POST, "/api/auth/login", body, headers).await;
    (c, r)
}

/// The items of one page of `path`, which must answer 200.
pub(super) async fn items(c: &Client, path: &str) -> Vec<Value> {
    let r = c.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

pub(super) fn actions(items: &[Value]) -> Vec<&str> {
    items
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect()
}

pub(super) async fn admin(h: &Harness) -> Client {
    let email = admin_account(h).await;
    h.login(&email).await
}

/// A platform administrator with `PASSWORD`; their email.
pub(super) async fn admin_account(h: &Harness) -> String {
    let email = format!("admin-{}@platform.test", ulid::Ulid::new()).to_lowercase();
    let e = email.clone();
    h.server
        .store
        .write(move |ctx| {
            users::create(
                ctx,
                &NewUser {
                    email: e.clone(),
                    name: "Admin".into(),
                    password_hash: Some(password_hash()),
                    account_type: AccountType::Admin,
                },
            )
        })
        .await
        .expect("admin");
    email
}

pub(super) async fn user_id(c: &Client) -> String {
    c.get("/api/auth/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Writes entries straight to the store, `age_ms` old each.
pub(super) async fn seed(h: &Harness, business: Option<BusinessId>, notes: Vec<(Note, i64)>) {
    h.server
        .store
        .write(move |ctx| {
            for (n, age) in &notes {
                let n = n.in_business(business);
                audit::record_at(ctx, &Origin::local("test"), &n, now_ms() - age)?;
            }
            Ok(())
        })
        .await
        .expect("seed");
}
#[tokio::test]
async fn sign_ins_are_recorded_with_ip_and_user_agent_and_failures_too() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let (owner, r) = login_as(
        &h,
        biz.owner(),
        PASSWORD,
        &[("User-Agent", "AuditTest/1.0 (X11; Linux)")],
    )
    .await;
    assert_eq!(r.status, 200);
    let (_, r) = login_as(
        &h,
        biz.member(),
        "wrong-password",
        &[("User-Agent", "Guesser/2")],
    )
    .await;
    assert_eq!(r.status, 401);

    let ok = items(&owner, "/api/audit?action=login_succeeded").await;
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert_eq!(
        ok[0]["actor"],
        json!({"type": "user", "user_id": user_id(&owner).await, "email": biz.owner()})
    );
    assert_eq!(
        (ok[0]["ip"].as_str(), ok[0]["user_agent"].as_str()),
        (Some("127.0.0.1"), Some("AuditTest/1.0 (X11; Linux)"))
    );
    assert_eq!(ok[0]["business_id"], json!(biz.id));
    assert_eq!(ok[0]["target"]["kind"], "session");

    let failed = items(&owner, "/api/audit?action=login_failed").await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["actor"]["type"], "anonymous");
    assert_eq!(
        (failed[0]["ip"].as_str(), failed[0]["user_agent"].as_str()),
        (Some("127.0.0.1"), Some("Guesser/2"))
    );
    assert!(failed[0]["summary"]
        .as_str()
        .unwrap()
        .contains(biz.member()));
    assert_eq!(failed[0]["target"]["kind"], "user");
    assert!(
        chrono::DateTime::parse_from_rfc3339(failed[0]["created_at"].as_str().unwrap()).is_ok()
    );
}

#[tokio::test]
async fn a_password_change_is_recorded() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let r = member
        .post(
            "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": "another-long-password"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let e = items(&owner, "/api/audit?action=password_changed").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["actor"]["email"], biz.member());
    assert_eq!(
        e[0]["target"],
        json!({"kind": "user", "id": user_id(&member).await})
    );
}

#[tokio::test]
async fn role_and_permission_changes_are_recorded() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let path = format!("/api/members/{}", biz.member_id);
    let r = owner
        .patch(&path, json!({"role": "lead", "permissions": ["export"]}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A name change alone is not security-relevant.
    assert_eq!(
        owner.patch(&path, json!({"name": "Renamed"})).await.status,
        200
    );

    let e = items(&owner, "/api/audit").await;
    assert_eq!(
        actions(&e)[..2],
        ["member_permissions_changed", "member_role_changed"]
    );
    let role = items(&owner, "/api/audit?action=member_role_changed").await;
    assert_eq!(
        role[0]["target"],
        json!({"kind": "member", "id": biz.member_id})
    );
    assert_eq!(role[0]["actor"]["email"], biz.owner());
    assert!(role[0]["summary"]
        .as_str()
        .unwrap()
        .contains("from member to lead"));
    let perms = items(&owner, "/api/audit?action=member_permissions_changed").await;
    assert!(perms[0]["summary"]
        .as_str()
        .unwrap()
        .ends_with("from none to export"));
}

#[tokio::test]
async fn removing_a_member_is_recorded() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = owner
        .delete(&format!("/api/members/{}", biz.other_member_id))
        .await;
    assert_eq!(r.status, 204);
    let e = items(&owner, "/api/audit?action=member_removed").await;
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0]["target"],
        json!({"kind": "member", "id": biz.other_member_id})
    );
    assert!(e[0]["summary"]
        .as_str()
        .unwrap()
        .contains(biz.other_member()));
}

#[tokio::test]
async fn an_owner_reads_only_their_own_business() {
    let h = Harness::start();
    let acme = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let acme_owner = h.login(acme.owner()).await;
    let rival_owner = h.login(rival.owner()).await;
    h.login(rival.member()).await;
    let seen = items(&acme_owner, "/api/audit").await;
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|e| e["business_id"] == json!(acme.id)),
        "{seen:?}"
    );
    let theirs = items(&rival_owner, "/api/audit").await;
    assert_eq!(theirs.len(), 2);
    // The business_id parameter is the admins'; an owner cannot widen their view.
    let other = items(&acme_owner, &format!("/api/audit?business_id={}", rival.id)).await;
    assert!(other.iter().all(|e| e["business_id"] == json!(acme.id)));
}

#[tokio::test]
async fn members_and_leads_are_refused() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    for email in [biz.member(), biz.lead()] {
        let c = h.login(email).await;
        for path in ["/api/audit", "/api/admin/audit"] {
            let r = c.get(path).await;
            assert_eq!((r.status, r.code()), (403, "forbidden"), "{email} {path}");
            assert!(r.body["error"]["message"].is_string());
        }
    }
    let owner = h.login(biz.owner()).await;
    assert_eq!(owner.get("/api/admin/audit").await.status, 403);
    assert_eq!(h.client().get("/api/audit").await.status, 401);
}

#[tokio::test]
async fn a_platform_admin_reads_every_business_or_one() {
    let h = Harness::start();
    let acme = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    h.login(acme.owner()).await;
    h.login(rival.owner()).await;
    let (_, r) = login_as(&h, "nobody@nowhere.test", "wrong-password", &[]).await;
    assert_eq!(r.status, 401);
    let admin = admin(&h).await;

    let all = items(&admin, "/api/admin/audit").await;
    for b in [json!(acme.id), json!(rival.id), Value::Null] {
        assert!(
            all.iter().any(|e| e["business_id"] == b),
            "{b} missing from {all:?}"
        );
    }
    let one = items(
        &admin,
        &format!("/api/admin/audit?business_id={}", rival.id),
    )
    .await;
    assert_eq!(actions(&one), ["login_succeeded"]);
    let platform = items(
        &admin,
        "/api/admin/audit?business_id=platform&action=login_failed",
    )
    .await;
    assert!(platform.iter().any(|e| e["summary"]
        .as_str()
        .unwrap()
        .contains("nobody@nowhere.test")));
    let r = admin.get("/api/admin/audit?business_id=acme").await;
    assert_eq!((r.status, r.code()), (400, "bad_request"));
}

#[tokio::test]
async fn other_security_actions_are_recorded_in_their_business() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let token = owner.post("/api/tokens", json!({"name": "ci"})).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        owner.delete(&format!("/api/tokens/{token}")).await.status,
        204
    );
    let invite = owner
        .post(
            "/api/invites",
            json!({"email": "new@acme.test", "role": "member"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        owner.delete(&format!("/api/invites/{invite}")).await.status,
        204
    );
    assert_eq!(
        owner
            .patch("/api/business", json!({"name": "Acme Ltd"}))
            .await
            .status,
        200
    );
    let hook = owner
        .post("/api/channels", json!({"kind": "webhook", "name": "Site"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        owner
            .post(&format!("/api/channels/{hook}/token"), json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        owner
            .get("/api/exports/leads.csv?source=walkin")
            .await
            .status,
        200
    );

    let got = items(&owner, "/api/audit").await;
    assert_eq!(
        actions(&got)[..7],
        [
            "export_downloaded",
            "channel_token_rotated",
            "business_settings_changed",
            "invite_revoked",
            "invite_created",
            "api_token_revoked",
            "api_token_created"
        ]
    );
    assert!(got[0]["summary"]
        .as_str()
        .unwrap()
        .contains("leads.csv (filters source=walkin)"));
    assert_eq!(got[1]["target"], json!({"kind": "channel", "id": hook}));
    assert!(got[2]["summary"].as_str().unwrap().contains("\"Acme Ltd\""));
}
