//! Setup, login, logout, sessions, password change, API tokens and CSRF.
use serde_json::json;

use crate::common::{Client, Harness, PASSWORD};

#[tokio::test]
async fn setup_runs_once_and_signs_the_owner_in() {
    let h = Harness::start();
    let c = h.client();
    assert_eq!(
        c.get("/api/setup").await.body,
        json!({"setup_required": true})
    );
    let bad = c
        .post(
            "/api/setup",
            json!({"business_name": "", "name": "A", "email": "nope", "password": "short"}),
        )
        .await;
    assert_eq!(bad.status, 422);
    let fields: Vec<&str> = bad.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["business_name", "email", "password"]);

    let body = json!({"business_name": "Acme", "name": "Ada", "email": "Ada@Acme.test", "password": PASSWORD});
    let r = c.post("/api/setup", body.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["user"]["email"], "ada@acme.test");
    let me = c.get("/api/auth/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["member"]["role"], "owner");
    assert_eq!(me.body["business"]["name"], "Acme");
    assert_eq!(me.body["permissions"].as_array().unwrap().len(), 6);

    let again = h.client().post("/api/setup", body).await;
    assert_eq!((again.status, again.code()), (409, "already_setup"));
    assert_eq!(
        c.get("/api/setup").await.body,
        json!({"setup_required": false})
    );
}

#[tokio::test]
async fn login_rejects_wrong_passwords_and_unknown_accounts_alike() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let c = h.client();
    let wrong = c
        .post(
            "/api/auth/login",
            json!({"email": biz.owner(), "password": "wrong-password"}),
        )
        .await;
    let unknown = c
        .post(
            "/api/auth/login",
            json!({"email": "ghost@example.test", "password": PASSWORD}),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (401, "invalid_credentials"));
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(c.get("/api/auth/me").await.status, 401);

    let ok = c
        .post(
            "/api/auth/login",
            json!({"email": biz.owner().to_uppercase(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(ok.status, 200);
    let session = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .find(|v| v.to_str().unwrap().starts_with("wf_session="));
    let session = session
        .expect("session cookie")
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        session.contains("httponly") && session.contains("samesite=lax"),
        "{session}"
    );
    assert!(c.cookie("wf_csrf").is_some_and(|v| v.len() == 64));
    assert_eq!(c.get("/api/auth/me").await.status, 200);
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let h = Harness::start_with(|c| c.auth.login_max_failures_per_account = 3);
    let biz = h.new_business("Acme").await;
    let c = h.client();
    for _ in 0..3 {
        let r = c
            .post(
                "/api/auth/login",
                json!({"email": biz.owner(), "password": "nope-nope"}),
            )
            .await;
        assert_eq!(r.status, 401);
    }
    // Even the right password waits now: the account is locked for the window.
    let r = c
        .post(
            "/api/auth/login",
            json!({"email": biz.owner(), "password": PASSWORD}),
        )
        .await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    // Another account from the same address is not locked.
    let other = c
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn logout_ends_the_session_even_for_a_copied_cookie() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let c = h.login(biz.owner()).await;
    let jwt = c.cookie("wf_session").unwrap();
    assert_eq!(c.post("/api/auth/logout", json!({})).await.status, 204);
    assert_eq!(c.get("/api/auth/me").await.status, 401);
    let replay = Client::with_bearer(&h.base, &jwt).get("/api/auth/me").await;
    assert_eq!(
        replay.status, 401,
        "a logged-out session token must be dead"
    );
}

#[tokio::test]
async fn password_change_revokes_every_other_session() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let laptop = h.login(biz.member()).await;
    let phone = h.login(biz.member()).await;
    let wrong = laptop
        .post(
            "/api/auth/password",
            json!({"current_password": "not-it-at-all", "new_password": "another-secret"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    let short = laptop
        .post(
            "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!((short.status, short.code()), (422, "validation_failed"));
    let ok = laptop
        .post(
            "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": "another-secret"}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    assert_eq!(
        phone.get("/api/auth/me").await.status,
        401,
        "the other device is signed out"
    );
    assert_eq!(
        laptop.get("/api/auth/me").await.status,
        200,
        "this device stays signed in"
    );
    let old = h
        .client()
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = h
        .client()
        .post(
            "/api/auth/login",
            json!({"email": biz.member(), "password": "another-secret"}),
        )
        .await;
    assert_eq!(new.status, 200);
}

#[tokio::test]
async fn api_tokens_work_as_bearer_without_csrf_until_revoked() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let created = owner.post("/api/tokens", json!({"name": "zapier"})).await;
    assert_eq!(created.status, 201);
    let token = created.body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("wf_"));
    let listed = owner.get("/api/tokens").await;
    assert_eq!(listed.body["items"][0]["name"], "zapier");
    assert!(
        listed.body["items"][0].get("token").is_none(),
        "the secret is shown once"
    );

    let api = Client::with_bearer(&h.base, &token);
    assert_eq!(
        api.get("/api/auth/me").await.body["member"]["role"],
        "owner"
    );
    let team = api.post("/api/teams", json!({"name": "Night shift"})).await;
    assert_eq!(
        team.status, 201,
        "bearer writes need no CSRF header: {}",
        team.body
    );

    let id = created.body["id"].as_str().unwrap();
    assert_eq!(owner.delete(&format!("/api/tokens/{id}")).await.status, 204);
    assert_eq!(api.get("/api/auth/me").await.status, 401);
    assert_eq!(
        Client::with_bearer(&h.base, "wf_forged")
            .get("/api/members")
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_header() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let mut c = h.login(biz.owner()).await;
    c.send_csrf = false;
    let missing = c.post("/api/teams", json!({"name": "No header"})).await;
    assert_eq!((missing.status, missing.code()), (403, "csrf_failed"));

    let wrong = c
        .http
        .post(format!("{}/api/teams", h.base))
        .header("X-CSRF-Token", "0".repeat(64))
        .json(&json!({"name": "Wrong header"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    // An Authorization header that is no bearer token changes nothing: the
    // cookie still signs the request, so the header is still needed.
    for authorization in ["Basic b3duZXI6cHc=", "", "Bearer"] {
        let sneaky = c
            .http
            .post(format!("{}/api/teams", h.base))
            .header("Authorization", authorization)
            .json(&json!({"name": "Sneaky"}))
            .send()
            .await
            .unwrap();
        assert_eq!(sneaky.status(), 403, "{authorization:?}");
    }
    // A percent-encoded letter reaches the same route, and needs the same header.
    for path in ["/%61pi/teams", "/api/te%61ms"] {
        let encoded = c.post(path, json!({"name": "Encoded"})).await;
        assert_eq!(
            (encoded.status, encoded.code()),
            (403, "csrf_failed"),
            "{path}"
        );
    }
    c.send_csrf = true;
    assert_eq!(
        c.post("/api/teams", json!({"name": "With header"}))
            .await
            .status,
        201
    );
    let teams = c.get("/api/teams").await;
    let names: Vec<&str> = teams.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"With header")
            && !names.contains(&"No header")
            && !names.contains(&"Wrong header")
    );
}

#[tokio::test]
async fn removing_a_member_ends_their_sessions_and_tokens() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let token = member
        .post("/api/tokens", json!({"name": "script"}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner
        .delete(&format!("/api/members/{}", biz.member_id))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(member.get("/api/auth/me").await.status, 401);
    assert_eq!(
        Client::with_bearer(&h.base, &token)
            .get("/api/auth/me")
            .await
            .status,
        401
    );
}
