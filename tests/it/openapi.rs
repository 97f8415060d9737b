//! The API description: `/api/openapi.json` lists exactly the routes the
//! server serves, no more and no fewer, with who may call each.
use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::Harness;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// A concrete path for a template; any id works, the route must still match.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str("01JAAAAAAAAAAAAAAAAAAAAAAA");
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_description_is_openapi_3_1_and_lists_every_registered_route_and_nothing_else() {
    let h = Harness::start();
    let r = h.client().get("/api/openapi.json").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["openapi"], "3.1.0");
    let documented = operations(&r.body);
    let registered: BTreeSet<(String, String)> =
        wafunnel::http::route_table().into_iter().collect();
    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(missing.is_empty(), "served but not documented: {missing:?}");
    assert!(extra.is_empty(), "documented but not served: {extra:?}");
    assert!(
        documented.len() > 100,
        "only {} operations",
        documented.len()
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed_by_the_live_server_and_no_other_method_is() {
    let h = Harness::start();
    let anon = h.client();
    let doc = anon.get("/api/openapi.json").await.body;
    let documented = operations(&doc);
    let mut unrouted = Vec::new();
    let mut wrongly_allowed = Vec::new();
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        let url = concrete(path);
        for m in METHODS {
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
            let body = (method != Method::GET).then(|| json!({}));
            let r = anon.request(method.clone(), &url, body).await;
            let is_documented = documented.contains(&(m.to_uppercase(), path.clone()));
            if is_documented && (r.code() == "route_not_found" || r.status == 405) {
                unrouted.push(format!("{m} {path} -> {} {}", r.status, r.body));
            }
            if !is_documented && r.status != 405 && r.code() != "route_not_found" {
                wrongly_allowed.push(format!("{m} {path} -> {}", r.status));
            }
        }
    }
    assert!(unrouted.is_empty(), "documented, not served: {unrouted:#?}");
    assert!(
        wrongly_allowed.is_empty(),
        "served, not documented: {wrongly_allowed:#?}"
    );
    let unknown = anon.get("/api/no-such-thing").await;
    assert_eq!((unknown.status, unknown.code()), (404, "route_not_found"));
}

#[tokio::test]
async fn each_operation_says_who_may_call_it_and_names_its_handler() {
    let h = Harness::start();
    let doc = h.client().get("/api/openapi.json").await.body;
    let op = |m: &str, p: &str| doc["paths"][p][m].clone();

    let login = op("post", "/api/auth/login");
    assert_eq!(login["x-access"], "public");
    assert_eq!(login["security"], json!([]));
    assert_eq!(login["tags"], json!(["auth"]));
    assert_eq!(
        login["requestBody"]["content"]
            .as_object()
            .map(|c| c.contains_key("application/json")),
        Some(true)
    );

    let dead = op("get", "/api/admin/dead-letters");
    assert_eq!(dead["x-access"], "admin");
    assert_eq!(dead["security"], json!([{"session": []}, {"bearer": []}]));
    assert!(dead["description"]
        .as_str()
        .unwrap_or_default()
        .contains("admin::dead_letters"));

    assert_eq!(op("get", "/api/audit")["x-access"], "owner");
    assert_eq!(op("get", "/api/conversations")["x-access"], "member");
    assert_eq!(op("get", "/api/auth/me")["x-access"], "signed_in");

    let messages = op("get", "/api/conversations/{id}/messages");
    assert_eq!(messages["parameters"][0]["name"], "id");
    assert_eq!(messages["parameters"][0]["in"], "path");
    assert_eq!(messages["parameters"][0]["required"], true);

    let mut ids = BTreeSet::new();
    for (_, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(o) = item.get(m) {
                let id = o["operationId"].as_str().expect("operationId").to_string();
                assert!(ids.insert(id.clone()), "duplicate operationId {id}");
                assert!(o["summary"].as_str().is_some_and(|s| !s.is_empty()));
            }
        }
    }
}
