//! Bad input gets a clear 4xx error JSON and changes nothing.
use reqwest::Method;
use serde_json::json;

use crate::common::Harness;

#[tokio::test]
async fn malformed_bodies_get_400_422_413_and_store_nothing() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let before = owner.get("/api/teams").await.body["items"]
        .as_array()
        .unwrap()
        .len();

    let r = owner
        .raw(
            Method::POST,
            "/api/teams",
            "application/json",
            b"{\"name\": ".to_vec(),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "malformed_json"));
    let r = owner.post("/api/teams", json!({"name": 42})).await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    let r = owner
        .post("/api/teams", json!({"name": "Ok", "colour": "red"}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (422, "invalid_request"),
        "unknown fields are refused"
    );
    let r = owner
        .post(
            "/api/members",
            json!({"name": "A", "email": "a@x.test", "role": "emperor"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "invalid_request"));
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = owner
        .raw(
            Method::POST,
            "/api/teams",
            "application/json",
            big.into_bytes(),
        )
        .await;
    assert_eq!((r.status, r.code()), (413, "payload_too_large"));
    let r = owner
        .raw(Method::POST, "/api/teams", "text/plain", b"name=x".to_vec())
        .await;
    assert_eq!((r.status, r.code()), (415, "unsupported_media_type"));
    let r = owner
        .raw(
            Method::POST,
            "/api/teams",
            "application/json",
            vec![0xff, 0xfe, 0x00],
        )
        .await;
    assert_eq!(r.status, 400);

    let after = owner.get("/api/teams").await.body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn unknown_routes_methods_and_ids_answer_json() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let r = owner.get("/api/nope").await;
    assert_eq!((r.status, r.code()), (404, "route_not_found"));
    let r = owner
        .patch("/api/members/not-an-id", json!({"name": "x"}))
        .await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    let r = owner
        .patch(
            "/api/members/01ARZ3NDEKTSV4RRFFQ69G5FAV",
            json!({"name": "x"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    let r = owner
        .request(Method::PUT, "/api/members", Some(json!({})))
        .await;
    assert_eq!((r.status, r.code()), (405, "method_not_allowed"));
}

#[tokio::test]
async fn responses_carry_security_headers_and_the_ui_falls_back_to_index() {
    let h = Harness::start();
    let res = reqwest::get(h.url("/team")).await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'")
    );
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.headers().contains_key("x-request-id"));
    assert!(res.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let h = Harness::start();
    let c = h.client();
    assert_eq!(c.get("/healthz").await.body, json!({"status": "ok"}));
    assert_eq!(c.get("/readyz").await.status, 200);
    // Monitors probe with HEAD: the GET's status, no body.
    for path in ["/healthz", "/readyz"] {
        let head = c.http.head(h.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200, "{path}");
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    c.get("/api/setup").await;
    let text = h.metrics().await;
    assert!(
        text.contains(
            "wafunnel_http_requests_total{method=\"GET\",route=\"/api/setup\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("wafunnel_writer_commit_seconds_bucket"));
    assert!(text.contains("wafunnel_writer_batch_jobs_count"));
    assert!(
        text.contains("wafunnel_outbox_messages{state=\"queued\"} 0"),
        "{text}"
    );
    assert!(text.contains("wafunnel_dead_letters 0"), "{text}");

    // What waits in the store shows: a delivery for a number nobody has.
    let r = h
        .webhook(&crate::common::wa::text(
            "NOBODYS-PN",
            "5511900000999",
            "Lost",
            "wamid.LOST1",
            "hello?",
        ))
        .await;
    assert_eq!(r.status, 200);
    let text = h.metrics().await;
    assert!(text.contains("wafunnel_dead_letters 1"), "{text}");
    // The daily jobs every server keeps, by kind.
    assert!(
        text.contains("wafunnel_jobs{state=\"pending\",kind=\"audit_prune\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("wafunnel_jobs{state=\"pending\",kind=\"attachments_prune\"} 1"),
        "{text}"
    );
}
