//! The store across versions and restarts.
use serde_json::json;

use crate::common::Harness;

/// A store written by the first release must keep opening in every later one.
#[tokio::test]
async fn a_store_written_by_the_first_release_still_opens_and_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-v1.redb"),
        dir.path().join("wafunnel.redb"),
    )
    .unwrap();
    let h = Harness::start_in(dir, |_| {});
    let c = h.client();
    let r = c
        .post(
            "/api/auth/login",
            json!({"email": "owner@fixture.test", "password": "fixture-pass-1"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let members = c.get("/api/members").await;
    let roles: Vec<&str> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.len(), 2);
    assert!(roles.contains(&"owner") && roles.contains(&"lead"));
    assert_eq!(
        c.get("/api/auth/me").await.body["business"]["name"],
        "Fixture Motors"
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    assert_eq!(
        owner
            .post("/api/teams", json!({"name": "Kept"}))
            .await
            .status,
        201
    );
    let Harness { server, dir, .. } = h;
    server.stop();
    let h = Harness::start_in(dir, |_| {});
    let owner = h.login(biz.owner()).await;
    let teams = owner.get("/api/teams").await;
    assert!(teams.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "Kept"));
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    use redb::{Database, TableDefinition};
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Database::create(dir.path().join("wafunnel.redb")).unwrap();
        let tx = db.begin_write().unwrap();
        {
            let meta: TableDefinition<&[u8], &[u8]> = TableDefinition::new("meta");
            let mut t = tx.open_table(meta).unwrap();
            t.insert(
                b"schema_version".as_slice(),
                999u32.to_be_bytes().as_slice(),
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let err = crate::common::open_store(dir.path())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}
