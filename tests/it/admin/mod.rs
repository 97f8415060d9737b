//! The platform admin API: every /api/admin/* route refuses all but admins;
//! businesses with search, usage, limits and suspension; jobs and health.
mod businesses;
mod matrix;
mod ops;
mod suspension;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::Client;

pub(super) use crate::audit::admin;

pub(super) fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// The business's admin view, found by id in a search for its name.
pub(super) async fn view_of(admin: &Client, id: &str) -> Value {
    let r = admin.get(&format!("/api/admin/businesses/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Sets limits as the admin and checks the view says so.
pub(super) async fn set_limits(admin: &Client, id: &str, limits: Value) -> Value {
    let r = admin
        .patch(
            &format!("/api/admin/businesses/{id}"),
            json!({ "limits": limits }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Polls `f` until it answers Some, for at most `secs`.
pub(super) async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(super) async fn audit_actions(admin: &Client, business: &str) -> Vec<String> {
    let r = admin
        .get(&format!("/api/admin/audit?business_id={business}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    items(&r.body)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}
