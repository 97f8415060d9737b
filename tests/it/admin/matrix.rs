//! Every /api/admin/* route as admin, owner, member and anonymous: only the
//! admin gets through (403 for the others, 401 without a session), and a
//! route added later without a row here fails the test.
use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use super::{admin, items};
use crate::common::Harness;

struct Row {
    method: Method,
    pattern: &'static str,
    path: String,
    body: Option<Value>,
    admin_status: u16,
}

fn row(
    method: Method,
    pattern: &'static str,
    path: String,
    body: Option<Value>,
    admin_status: u16,
) -> Row {
    Row {
        method,
        pattern,
        path,
        body,
        admin_status,
    }
}

#[tokio::test]
async fn only_platform_admins_reach_the_admin_api() {
    let h = Harness::start();
    let biz = h.new_business("Matrix Co").await;
    let admin = admin(&h).await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let anon = h.client();
    let job = items(&admin.get("/api/admin/jobs?kind=audit_prune").await.body)[0]["id"]
        .as_str()
        .expect("the audit prune is always scheduled")
        .to_string();
    let b = biz.id.to_string();
    let tag = ulid::Ulid::new().to_string().to_lowercase();
    use Method as M;
    let rows = [
        row(
            M::GET,
            "/api/admin/businesses",
            "/api/admin/businesses?q=matrix".into(),
            None,
            200,
        ),
        row(
            M::POST,
            "/api/admin/businesses",
            "/api/admin/businesses".into(),
            Some(
                json!({"name": "Made by matrix", "owner_email": format!("m-{tag}@x.test"), "owner_name": "M"}),
            ),
            201,
        ),
        row(
            M::GET,
            "/api/admin/businesses/{id}",
            format!("/api/admin/businesses/{b}"),
            None,
            200,
        ),
        row(
            M::PATCH,
            "/api/admin/businesses/{id}",
            format!("/api/admin/businesses/{b}"),
            Some(json!({"name": "Matrix Co"})),
            200,
        ),
        row(
            M::GET,
            "/api/admin/jobs",
            "/api/admin/jobs".into(),
            None,
            200,
        ),
        row(
            M::POST,
            "/api/admin/jobs/{id}/retry",
            format!("/api/admin/jobs/{job}/retry"),
            Some(json!({})),
            200,
        ),
        row(
            M::GET,
            "/api/admin/health",
            "/api/admin/health".into(),
            None,
            200,
        ),
        row(
            M::GET,
            "/api/admin/dead-letters",
            "/api/admin/dead-letters".into(),
            None,
            200,
        ),
        row(
            M::GET,
            "/api/admin/audit",
            "/api/admin/audit".into(),
            None,
            200,
        ),
        // Last: the admin's session visits the business, then leaves.
        row(
            M::POST,
            "/api/admin/businesses/{id}/support-session",
            format!("/api/admin/businesses/{b}/support-session"),
            Some(json!({})),
            200,
        ),
        row(
            M::DELETE,
            "/api/admin/support-session",
            "/api/admin/support-session".into(),
            None,
            204,
        ),
    ];
    let granted = owner
        .put("/api/business/support-access", json!({"hours": 1}))
        .await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    let mut failures = Vec::new();
    for r in &rows {
        // The others first: a refused request must change nothing the admin's then relies on.
        for (who, client, expect) in [
            ("anonymous", &anon, 401),
            ("member", &member, 403),
            ("owner", &owner, 403),
            ("admin", &admin, r.admin_status),
        ] {
            let res = client
                .request(r.method.clone(), &r.path, r.body.clone())
                .await;
            if res.status != expect {
                failures.push(format!(
                    "{} {} as {who}: expected {expect}, got {} {}",
                    r.method, r.path, res.status, res.body
                ));
            }
            if expect >= 400 && !res.body["error"]["code"].is_string() {
                failures.push(format!("{} {} as {who}: no error JSON", r.method, r.path));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "admin matrix:\n{}",
        failures.join("\n")
    );

    let covered: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_string(), r.pattern.to_string()))
        .collect();
    let admin_routes: BTreeSet<(String, String)> = wafunnel::http::route_table()
        .into_iter()
        .filter(|(_, p)| p.starts_with("/api/admin/"))
        .collect();
    let missing: Vec<_> = admin_routes.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "admin routes without a matrix row: {missing:?}"
    );
}
