//! A user's own sessions: listed with device and last use, ended one by one
//! or all but the current one; an ended session's cookie is refused at once.
use serde_json::{json, Value};

use super::{items, login_as};
use crate::common::{Harness, PASSWORD};

#[tokio::test]
async fn sessions_are_listed_and_ended_one_by_one_or_all_but_this_one() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let (laptop, _) = login_as(
        &h,
        biz.member(),
        PASSWORD,
        &[(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        )],
    )
    .await;
    let (phone, _) = login_as(
        &h,
        biz.member(),
        PASSWORD,
        &[(
            "User-Agent",
            "Mozilla/5.0 (iPhone; like Mac OS X) Safari/604.1",
        )],
    )
    .await;
    let third = h.login(biz.member()).await;

    let list = items(&laptop, "/api/auth/sessions").await;
    assert_eq!(list.len(), 3);
    let current: Vec<&Value> = list.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["device"], "Firefox on Linux");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    for field in ["created_at", "last_seen_at"] {
        assert!(current[0][field].is_string(), "{field}");
    }
    let phone_id = list
        .iter()
        .find(|s| s["device"] == "Safari on iOS")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Another user's session is not found, and stays alive.
    let r = owner
        .delete(&format!("/api/auth/sessions/{phone_id}"))
        .await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    assert_eq!(phone.get("/api/auth/me").await.status, 200);

    assert_eq!(
        laptop
            .delete(&format!("/api/auth/sessions/{phone_id}"))
            .await
            .status,
        204
    );
    assert_eq!(phone.get("/api/auth/me").await.status, 401);
    assert_eq!(laptop.get("/api/auth/me").await.status, 200);

    let r = laptop.delete("/api/auth/sessions").await;
    assert_eq!((r.status, r.body["ended"].as_u64()), (200, Some(1)));
    assert_eq!(third.get("/api/auth/me").await.status, 401);
    assert_eq!(items(&laptop, "/api/auth/sessions").await.len(), 1);

    let revoked = items(&owner, "/api/audit?action=session_revoked").await;
    assert_eq!(revoked.len(), 2);
    assert!(revoked.iter().all(|e| e["actor"]["email"] == biz.member()));
    assert!(revoked
        .iter()
        .any(|e| e["target"] == json!({"kind": "session", "id": phone_id})));
}
