//! A spreadsheet import in Chromium: the owner rehearses it as a dry run,
//! adjusts the mapping the form shows again, and imports the same file.
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{
    common::{browser, Harness},
    imports::upload,
    inbox_browser::{sign_in, until},
};

#[tokio::test]
async fn after_a_dry_run_the_owner_adjusts_the_mapping_and_imports_the_same_file() {
    let Some(b) = browser::start(1366, 900).await else {
        return;
    };
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let file = "name,phone\nAna Lima,+5511911110001\nBeto Reis,+5511911110002\n";
    let r = upload(&owner, "leads.csv", file.as_bytes(), &[("kind", "csv")]).await;
    let id = r.body["id"].as_str().unwrap().to_string();

    sign_in(&b, &h, biz.owner(), &format!("/imports/{id}")).await;
    b.click("mapping-dry-run").await;
    b.click("mapping-start").await;
    until(
        &b,
        "[data-testid=\"import-remap\"]",
        "the way back to the mapping",
    )
    .await;
    b.screenshot("import-dry-run-finished").await;
    assert_eq!(
        owner.get("/api/leads").await.body["items"],
        serde_json::json!([])
    );

    b.click("import-remap").await;
    b.el("mapping-start").await;
    b.screenshot("import-remapping-after-dry-run").await;
    b.click("mapping-start").await;
    let done = finished_for_real(&owner, &id).await;
    assert_eq!(done["rows_done"], 2, "{done}");
    let leads = owner.get("/api/leads").await.body["items"].clone();
    assert_eq!(leads.as_array().map(Vec::len), Some(2), "{leads}");
    let _ = b.client.clone().close().await;
}

async fn finished_for_real(owner: &crate::common::Client, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let job = owner.get(&format!("/api/imports/{id}")).await.body;
        if job["status"] == "completed" && job["dry_run"] == false {
            return job;
        }
        assert!(Instant::now() < deadline, "no real import: {job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
