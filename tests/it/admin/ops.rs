//! Operations: every durable job is listed with its state and times, a retry
//! makes one due now (and it runs), and the health report adds up.
use chrono::DateTime;
use serde_json::{json, Value};

use super::{admin, audit_actions, eventually, items};
use crate::common::Harness;

fn ms(v: &Value) -> i64 {
    DateTime::parse_from_rfc3339(v.as_str().expect("a time"))
        .expect("RFC 3339")
        .timestamp_millis()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[tokio::test]
async fn jobs_are_listed_and_a_retry_runs_one_now() {
    let h = Harness::start();
    let biz = h.new_business("Jobs Co").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "JOBS-PN").await;
    let admin = admin(&h).await;

    let all = admin.get("/api/admin/jobs").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let kinds: Vec<String> = items(&all.body)
        .iter()
        .map(|j| j["kind"].as_str().unwrap().to_string())
        .collect();
    for k in ["audit_prune", "token_refresh", "outbox_sender"] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
    let sender = items(&admin.get("/api/admin/jobs?kind=outbox_sender").await.body)[0].clone();
    assert_eq!(sender["business_id"], json!(biz.id));
    assert_eq!(sender["business_name"], "Jobs Co");
    assert_eq!(sender["state"], "done", "an empty queue: {sender}");

    let prune = items(&admin.get("/api/admin/jobs?kind=audit_prune").await.body);
    assert_eq!(prune.len(), 1, "{prune:?}");
    let job = &prune[0];
    assert_eq!(job["state"], "scheduled");
    assert!(job["business_id"].is_null() && job["last_run_at"].is_null());
    assert_eq!(job["failures"], 0);
    assert!(
        ms(&job["next_due_at"]) > now() + 60_000,
        "first prune is minutes away: {job}"
    );

    let id = job["id"].as_str().unwrap();
    let r = admin
        .post(&format!("/api/admin/jobs/{id}/retry"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], job["id"]);
    assert!(
        (ms(&r.body["next_due_at"]) - now()).abs() < 5_000,
        "{}",
        r.body
    );

    // It runs at once and schedules tomorrow's, which remembers the run.
    let next = eventually(10, "the prune to run", || {
        let admin = admin.clone();
        async move {
            let list = items(&admin.get("/api/admin/jobs?kind=audit_prune").await.body);
            list.into_iter().find(|j| !j["last_run_at"].is_null())
        }
    })
    .await;
    assert_ne!(next["id"], job["id"]);
    assert!(ms(&next["next_due_at"]) > now() + 23 * 3_600_000, "{next}");
    assert!((ms(&next["last_run_at"]) - now()).abs() < 60_000);

    let gone = admin
        .post(
            &format!("/api/admin/jobs/{}/retry", ulid::Ulid::new()),
            json!({}),
        )
        .await;
    assert_eq!(gone.status, 404);
    let platform = admin
        .get("/api/admin/audit?business_id=platform&action=job_retried")
        .await;
    assert_eq!(items(&platform.body).len(), 1, "{}", platform.body);
    assert!(!audit_actions(&admin, &biz.id.to_string())
        .await
        .contains(&"job_retried".to_string()));

    let filtered = admin.get("/api/admin/jobs?state=failed").await;
    assert!(items(&filtered.body).is_empty(), "{}", filtered.body);
    assert_eq!(admin.get("/api/admin/jobs?state=stuck").await.status, 422);
    let page = admin.get("/api/admin/jobs?limit=1").await;
    let cursor = page.body["next_cursor"]
        .as_str()
        .expect("more than one job")
        .to_string();
    let rest = admin
        .get(&format!("/api/admin/jobs?limit=500&cursor={cursor}"))
        .await;
    let first = items(&page.body)[0]["id"].clone();
    assert!(items(&rest.body).iter().all(|j| j["id"] != first));
    assert_eq!(
        items(&rest.body).len() + 1,
        items(&admin.get("/api/admin/jobs?limit=500").await.body).len()
    );
}

#[tokio::test]
async fn health_reports_the_servers_figures() {
    let h = Harness::start();
    let biz = h.new_business("Healthy").await;
    let owner = h.login(biz.owner()).await;
    h.register_number(&owner, "HEALTH-PN").await;
    let admin = admin(&h).await;
    let r = admin.get("/api/admin/health").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["version"], env!("CARGO_PKG_VERSION"));
    assert!(ms(&b["started_at"]) <= now());
    assert!(b["uptime_secs"].as_u64().is_some());
    assert!(b["store_bytes"].as_u64().unwrap() > 0);
    assert!(b["index_bytes"].as_u64().unwrap() > 0);
    assert_eq!(b["media_bytes"], 0);
    assert!(b["search"]["lag_ms"].as_i64().unwrap() >= 0);
    assert!(b["search"]["pending"].as_u64().is_some());
    assert_eq!(b["websocket_connections"], 0);
    assert_eq!(b["dead_letters"], 0);
    assert_eq!(b["jobs"]["failed"], 0);
    assert!(b["jobs"]["total"].as_u64().unwrap() >= 2, "{b}");
    assert_eq!(b["outbox"], json!([]));

    // A delivery for a number nobody registered becomes a dead letter.
    let stray = crate::common::wa::text("NOBODY-PN", "5511900000999", "X", "wamid.X", "hi");
    assert_eq!(h.webhook(&stray).await.status, 200);
    let again = admin.get("/api/admin/health").await.body;
    assert_eq!(again["dead_letters"], 1);
}

/// `wafunnel tenant create --admin` makes the new owner a platform admin
/// (`user create --admin` is covered by the CLI tests).
#[tokio::test]
async fn a_tenant_created_with_admin_has_a_platform_admin_owner() {
    let h = Harness::start();
    let email = format!("operator-{}@host.test", ulid::Ulid::new()).to_lowercase();
    let op = wafunnel::cli::ops::Op::TenantCreate {
        name: "Operator's Own".into(),
        owner_email: email.clone(),
        owner_name: "Operator".into(),
        owner_password_hash: Some(crate::common::password_hash()),
        admin: true,
    };
    let store = h.server.store.clone();
    let out = tokio::task::spawn_blocking(move || wafunnel::cli::ops::execute(&store, None, op))
        .await
        .unwrap()
        .expect("tenant create");
    assert!(out.contains("Operator's Own"), "{out}");
    let c = h.login(&email).await;
    assert_eq!(
        c.get("/api/auth/me").await.body["user"]["account_type"],
        "admin"
    );
    assert_eq!(c.get("/api/admin/health").await.status, 200);
    assert_eq!(
        c.get("/api/conversations").await.status,
        200,
        "and owns the business"
    );
}
