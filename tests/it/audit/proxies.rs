//! Issue 9's acceptance criterion: `X-Forwarded-For` counts only from a
//! trusted proxy, for the login limit and for the IP the audit log records.
use super::{items, login_as};
use crate::common::{Harness, PASSWORD};

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing() {
    let h = Harness::start_with(|c| {
        c.auth.login_max_failures_per_ip = 3;
        c.auth.login_max_failures_per_account = 100;
    });
    let biz = h.new_business("Acme").await;
    // Signed in first: the peer address is about to be locked out.
    let owner = h.login(biz.owner()).await;
    for spoof in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        let (_, r) = login_as(
            &h,
            biz.member(),
            "wrong-password",
            &[("X-Forwarded-For", spoof)],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let (_, r) = login_as(
        &h,
        biz.member(),
        "wrong-password",
        &[("X-Forwarded-For", "198.51.100.4")],
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (429, "rate_limited"),
        "every try counted against the real peer"
    );
    let failed = items(&owner, "/api/audit?action=login_failed").await;
    assert_eq!(failed.len(), 3);
    assert!(failed.iter().all(|e| e["ip"] == "127.0.0.1"), "{failed:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_recorded_and_limited() {
    let h = Harness::start_with(|c| {
        c.server.trusted_proxies = vec!["127.0.0.1/32".into()];
        c.auth.login_max_failures_per_ip = 3;
        c.auth.login_max_failures_per_account = 100;
    });
    let biz = h.new_business("Acme").await;
    let (owner, r) = login_as(
        &h,
        biz.owner(),
        PASSWORD,
        &[("X-Forwarded-For", "198.51.100.7")],
    )
    .await;
    assert_eq!(r.status, 200);
    let ok = items(&owner, "/api/audit?action=login_succeeded").await;
    assert_eq!(ok[0]["ip"], "198.51.100.7");
    assert_eq!(
        items(&owner, "/api/auth/sessions").await[0]["ip"],
        "198.51.100.7"
    );

    // A client-supplied leftmost hop is not believed: the proxy's view is.
    let xff = "10.9.9.9, 203.0.113.9";
    for _ in 0..3 {
        let (_, r) = login_as(
            &h,
            biz.member(),
            "wrong-password",
            &[("X-Forwarded-For", xff)],
        )
        .await;
        assert_eq!(r.status, 401);
    }
    let (_, r) = login_as(
        &h,
        biz.member(),
        "wrong-password",
        &[("X-Forwarded-For", "203.0.113.9")],
    )
    .await;
    assert_eq!(r.status, 429);
    let (_, r) = login_as(
        &h,
        biz.member(),
        "wrong-password",
        &[("X-Forwarded-For", "203.0.113.10")],
    )
    .await;
    assert_eq!(
        r.status, 401,
        "another client behind the proxy is not locked out"
    );
    let failed = items(&owner, "/api/audit?action=login_failed").await;
    let ips: Vec<&str> = failed.iter().map(|e| e["ip"].as_str().unwrap()).collect();
    assert_eq!(
        ips,
        ["203.0.113.10", "203.0.113.9", "203.0.113.9", "203.0.113.9"]
    );
}
