//! The demo's sample imports: a newcomer opens Imports, picks a sample and
//! presses Start; the spreadsheet reports its three bad rows and the chat
//! history becomes a conversation.
use serde_json::json;
use wafunnel::{demo, metrics::Metrics, server};

use crate::{
    common::{test_config, Client, Harness},
    imports::until_finished,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_server_offers_two_mapped_samples_that_each_import_with_one_click() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let added = tokio::task::spawn_blocking(move || {
        let store = server::open_store(&test_config(&path), Metrics::default()).unwrap();
        demo::seed(&store).unwrap();
        let first = demo::samples::seed(&store, &path).unwrap();
        // What a second `serve --demo` on the same folder does.
        let second = demo::samples::seed(&store, &path).unwrap();
        (first, second)
    })
    .await
    .unwrap();
    assert_eq!(added, (2, 0), "two samples once, nothing the second time");

    let h = Harness::start_in(dir, |_| {});
    let owner = Client::new(&h.base);
    let login = json!({"email": demo::PEOPLE[0].1, "password": demo::PASSWORD});
    assert_eq!(owner.post("/api/auth/login", login).await.status, 200);
    // Its customers are Brazilian: a walk-in visitor may type 11 98765-4321.
    let business = owner.get("/api/business").await;
    assert_eq!(business.body["default_country"], "BR", "{}", business.body);
    let list = owner.get("/api/imports").await;
    let items = list.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{}", list.body);
    assert!(
        items.iter().all(|i| i["status"] == "mapped"),
        "{}",
        list.body
    );
    let id_of = |kind: &str| {
        items.iter().find(|i| i["kind"] == kind).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (leads, chat) = (id_of("csv"), id_of("chat"));

    let p = owner.get(&format!("/api/imports/{chat}/preview")).await;
    assert_eq!(
        p.body["suggested_business_participant"],
        demo::BUSINESS,
        "{}",
        p.body
    );

    for id in [&leads, &chat] {
        let s = owner
            .post(&format!("/api/imports/{id}/start"), json!({}))
            .await;
        assert_eq!(s.status, 202, "{}", s.body);
    }
    let done = until_finished(&owner, &leads).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (
            done["rows_done"].as_u64(),
            done["rows_failed"].as_u64(),
            done["rows_skipped"].as_u64()
        ),
        (Some(196), Some(3), Some(4)),
        "the three bad rows fail, the repeats are skipped: {done}"
    );
    let errors = owner.get(&format!("/api/imports/{leads}/errors.csv")).await;
    let text = errors.body.as_str().unwrap_or_default();
    assert!(
        text.contains("Rogério Batista") && text.contains("column Telefone"),
        "{text}"
    );
    assert!(
        text.contains("Marcos Pereira") && text.contains("column E-mail"),
        "{text}"
    );
    assert!(text.contains("has 7 columns; the header has 5"), "{text}");
    let imported = owner.get("/api/leads?source=import&limit=200").await;
    let first = &imported.body["items"][0];
    assert!(
        first["assignee_id"].is_string(),
        "through the sandbox number's pool: {first}"
    );

    let done = until_finished(&owner, &chat).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (done["rows_done"].as_u64(), done["rows_failed"].as_u64()),
        (Some(53), Some(0)),
        "{done}"
    );
    let conversation = done["conversation_id"].as_str().unwrap();
    let messages = owner
        .get(&format!(
            "/api/conversations/{conversation}/messages?limit=200"
        ))
        .await;
    let items = messages.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 53);
    assert_eq!(
        items[0]["direction"], "out",
        "the business has the last word"
    );
    assert!(items[0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Foi um prazer, Fernanda!"));
}
