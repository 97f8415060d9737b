//! Inbound media in an open thread, in Chromium: a picture the customer sends
//! shows "Downloading…" while Meta's CDN answers, then the picture, with no
//! reload; a file WhatsApp would not give says so and offers no dead link.
use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::{
    common::{browser, fake_graph::FakeGraph, wa::text, Harness},
    inbound_media::{inbound, png},
    inbox_browser::{sign_in, until},
};

#[tokio::test]
async fn an_inbound_picture_arrives_live_in_the_open_thread_and_shows_without_a_reload() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let graph = FakeGraph::start();
    let (h, biz, owner) = Harness::with_number_at(&graph).await;
    h.webhook(&text("PN1", "5511987654321", "Carla", "wamid.T1", "hi"))
        .await;
    let list = owner.get("/api/conversations").await;
    let c = list.body["items"][0]["id"].as_str().unwrap().to_string();

    sign_in(&b, &h, biz.owner(), &format!("/inbox/{c}")).await;
    until(
        &b,
        "[data-testid=\"message\"][data-direction=\"in\"]",
        "the customer's hi in the open thread",
    )
    .await;

    // The customer sends a photo; Meta's CDN takes its time.
    graph.serve_media("MEDIA-LIVE", "image/png", &png());
    graph.slow_downloads(2500);
    let photo = inbound(
        "PN1",
        "wamid.P1",
        "image",
        json!({"id": "MEDIA-LIVE", "mime_type": "image/png", "caption": "the dent"}),
    );
    assert_eq!(h.webhook(&photo).await.status, 200);
    let bubble = "[data-testid=\"message\"][data-type=\"image\"]";
    until(
        &b,
        &format!("{bubble} [data-testid=\"media-pending\"]"),
        "the Downloading… placeholder while the file is fetched",
    )
    .await;
    b.text("Downloading…").await;
    b.screenshot("media-downloading").await;

    // Stored: the placeholder gives way to the picture, decoded, no reload.
    let img = format!("{bubble} img");
    until(&b, &img, "the picture, live").await;
    let loaded = async {
        for _ in 0..100 {
            let width = b
                .client
                .execute(
                    "return document.querySelector(arguments[0])?.naturalWidth ?? 0",
                    vec![json!(img)],
                )
                .await
                .unwrap();
            if width == json!(120) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(loaded.await, "the picture loaded (naturalWidth 120)");
    assert!(!b.exists("media-pending").await);
    b.text("the dent").await;
    b.screenshot("media-live-image").await;

    // A document WhatsApp refuses for good: said plainly, nothing to click.
    graph.fail_next_media_info(400, 100, "Unsupported get request");
    let document = inbound(
        "PN1",
        "wamid.D1",
        "document",
        json!({"id": "MEDIA-GONE", "mime_type": "application/pdf", "filename": "comprovante.pdf"}),
    );
    assert_eq!(h.webhook(&document).await.status, 200);
    let doc = "[data-testid=\"message\"][data-type=\"document\"]";
    until(
        &b,
        &format!("{doc} [data-testid=\"media-failed\"]"),
        "the could-not-download notice",
    )
    .await;
    b.text("The file could not be downloaded from WhatsApp")
        .await;
    let links = b
        .client
        .find_all(Locator::Css(&format!("{doc} a[href]")))
        .await
        .unwrap();
    assert!(
        links.is_empty(),
        "no download link to a file that is not there"
    );
    b.screenshot("media-failed").await;
}
