//! Inbound media: a customer's file is fetched from Meta by a background job.
//! The message says whether its file is pending, ready or lost, the live
//! channel says when that changes, and a body that is not the customer's file
//! (an error page, a wrong digest) is never kept.
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{
    common::{
        fake_graph::{Download, FakeGraph},
        wa::delivery,
        Client, Harness,
    },
    realtime::{self, Ws},
};

/// A real picture (a 120×80 gradient), so a browser can show it.
pub(crate) fn png() -> Vec<u8> {
    let (w, h) = (120u32, 80u32);
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let pixels: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).flat_map(move |x| [(x * 2) as u8, (y * 3) as u8, 200]))
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// The digest as Meta's webhook states it: base64 of the SHA-256.
fn webhook_sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// A signed delivery of one inbound `kind` (image, document) with `media`.
pub(crate) fn inbound(phone_number_id: &str, wamid: &str, kind: &str, media: Value) -> Value {
    delivery(
        phone_number_id,
        json!([{"profile": {"name": "Carla"}, "wa_id": "5511987654321"}]),
        json!([{"from": "5511987654321", "id": wamid, "timestamp": "1764000000", "type": kind, kind: media}]),
        json!([]),
    )
}

struct Setup {
    h: Harness,
    graph: FakeGraph,
    owner: Client,
    ws: Ws,
}

async fn setup() -> Setup {
    let graph = FakeGraph::start();
    let (h, _, owner) = Harness::with_number_at(&graph).await;
    let origin = h.base.clone();
    let mut ws = realtime::open(&h, &owner, Some(&origin)).await.unwrap();
    realtime::frames(&mut ws, Duration::from_millis(300)).await;
    Setup {
        h,
        graph,
        owner,
        ws,
    }
}

/// The conversation and the JSON of its newest message.
async fn newest_message(owner: &Client) -> (String, Value) {
    let list = owner.get("/api/conversations").await;
    let c = list.body["items"][0]["id"].as_str().unwrap().to_string();
    let page = owner.get(&format!("/api/conversations/{c}/messages")).await;
    (c, page.body["items"][0].clone())
}

/// Waits (up to `secs`) for the frame telling that `message_id`'s file became `status`.
async fn media_frame(ws: &mut Ws, message_id: &str, status: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        for f in realtime::frames(ws, Duration::from_millis(250)).await {
            if f["type"] == "message.status"
                && f["data"]["message_id"] == message_id
                && f["data"]["media"]["status"] == status
            {
                return f;
            }
        }
    }
    panic!("no message.status frame with media {status} for {message_id}");
}

async fn media_body(owner: &Client, base: &str, url: &str) -> (u16, Vec<u8>) {
    let r = owner.http.get(format!("{base}{url}")).send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// The media endpoint's answer once the download job is done with the file
/// (it answers 409 while the file is pending).
async fn settled(owner: &Client, base: &str, url: &str, secs: u64) -> (u16, Vec<u8>) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let answer = media_body(owner, base, url).await;
        if answer.0 != 409 || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn downloads(graph: &FakeGraph) -> usize {
    graph
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/download/"))
        .count()
}

#[tokio::test]
async fn a_stored_file_is_announced_live_and_the_message_says_whether_it_is_ready() {
    let mut s = setup().await;
    let picture = png();
    s.graph.serve_media("MEDIA-1", "image/png", &picture);
    s.graph.slow_downloads(1500);
    let image = inbound(
        "PN1",
        "wamid.IMG1",
        "image",
        json!({"id": "MEDIA-1", "mime_type": "image/png", "sha256": webhook_sha256(&picture), "caption": "the dent"}),
    );
    assert_eq!(s.h.webhook(&image).await.status, 200);

    // While Meta's CDN is still answering, the message says so.
    let (c, m) = newest_message(&s.owner).await;
    let id = m["id"].as_str().unwrap().to_string();
    assert_eq!(m["media"]["status"], "pending", "{m}");
    assert_eq!(m["media"]["caption"], "the dent", "existing fields stay");
    let url = m["media"]["url"].as_str().unwrap().to_string();
    assert_eq!(
        url,
        format!("/api/conversations/{c}/messages/{id}/media"),
        "existing fields stay"
    );
    assert_eq!(media_body(&s.owner, &s.h.base, &url).await.0, 409);

    // The moment the file is stored, the thread's viewers are told.
    let frame = media_frame(&mut s.ws, &id, "ready", 20).await;
    assert_eq!(frame["data"]["conversation_id"], c.as_str());
    let (_, m) = newest_message(&s.owner).await;
    assert_eq!(m["media"]["status"], "ready");
    assert_eq!(
        media_body(&s.owner, &s.h.base, &url).await,
        (200, picture),
        "the customer's picture, checked against the webhook's digest"
    );

    // Meta's CDN is reported to refuse clients that do not name themselves.
    let graph_calls = s.graph.requests();
    assert_eq!(graph_calls.len(), 2, "media info, then the download");
    for r in &graph_calls {
        assert!(
            r.user_agent.starts_with("wafunnel/"),
            "{} sent User-Agent {:?}",
            r.path,
            r.user_agent
        );
    }
}

#[tokio::test]
async fn a_file_whatsapp_will_not_give_is_marked_failed_in_the_message_and_live() {
    let mut s = setup().await;
    // Meta refuses the media id for good (code 100): no attempt can succeed.
    s.graph
        .fail_next_media_info(400, 100, "Unsupported get request");
    let document = inbound(
        "PN1",
        "wamid.DOC1",
        "document",
        json!({"id": "MEDIA-2", "mime_type": "application/pdf", "sha256": "abc", "filename": "comprovante.pdf"}),
    );
    assert_eq!(s.h.webhook(&document).await.status, 200);
    let (_, m) = newest_message(&s.owner).await;
    let id = m["id"].as_str().unwrap().to_string();

    media_frame(&mut s.ws, &id, "failed", 20).await;
    let (_, m) = newest_message(&s.owner).await;
    assert_eq!(m["media"]["status"], "failed", "{m}");
    assert_eq!(
        m["media"]["mime_type"], "application/pdf",
        "existing fields stay"
    );
    let url = m["media"]["url"].as_str().unwrap();
    let r = s.owner.get(url).await;
    assert_eq!(r.status, 404);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unsupported get request"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn an_error_page_answered_for_an_image_is_retried_and_never_served_as_the_image() {
    let s = setup().await;
    let picture = png();
    s.graph.serve_media("MEDIA-3", "image/png", &picture);
    // The CDN's first answer is a 200 web page; the webhook states no digest.
    s.graph.script_downloads([Download::ok(
        "text/html; charset=utf-8",
        b"<html><body>Sorry, this browser is not supported</body></html>",
    )]);
    let image = inbound(
        "PN1",
        "wamid.IMG3",
        "image",
        json!({"id": "MEDIA-3", "mime_type": "image/png"}),
    );
    assert_eq!(s.h.webhook(&image).await.status, 200);
    let (_, m) = newest_message(&s.owner).await;
    let url = m["media"]["url"].as_str().unwrap();
    assert_eq!(settled(&s.owner, &s.h.base, url, 20).await, (200, picture));
    assert_eq!(downloads(&s.graph), 2, "the page was refused, then retried");
}

#[tokio::test]
async fn a_body_that_does_not_match_the_webhooks_sha256_is_retried() {
    let s = setup().await;
    let picture = png();
    s.graph.serve_media("MEDIA-4", "image/png", &picture);
    // Typed as the picture, but other bytes (a truncated or swapped file).
    s.graph
        .script_downloads([Download::ok("image/png", &picture[..picture.len() / 2])]);
    let image = inbound(
        "PN1",
        "wamid.IMG4",
        "image",
        json!({"id": "MEDIA-4", "mime_type": "image/png", "sha256": webhook_sha256(&picture)}),
    );
    assert_eq!(s.h.webhook(&image).await.status, 200);
    let (_, m) = newest_message(&s.owner).await;
    let url = m["media"]["url"].as_str().unwrap();
    assert_eq!(settled(&s.owner, &s.h.base, url, 20).await, (200, picture));
    assert_eq!(
        downloads(&s.graph),
        2,
        "the wrong body was refused, then retried"
    );
}

#[tokio::test]
async fn a_file_that_is_never_the_customers_ends_failed_once_its_retries_run_out() {
    let s = setup().await;
    let page = Download::ok("text/html", b"<html><body>Sorry</body></html>");
    s.graph.script_downloads(vec![page; 10]);
    let image = inbound(
        "PN1",
        "wamid.IMG5",
        "image",
        json!({"id": "MEDIA-5", "mime_type": "image/jpeg"}),
    );
    assert_eq!(s.h.webhook(&image).await.status, 200);
    let (_, m) = newest_message(&s.owner).await;
    let url = m["media"]["url"].as_str().unwrap();

    // Five attempts, 1 + 2 + 4 + 8 seconds apart.
    let (status, _) = settled(&s.owner, &s.h.base, url, 40).await;
    assert_eq!(status, 404, "a web page is never served as the picture");
    assert_eq!(downloads(&s.graph), 5, "every attempt was made");
    let r = s.owner.get(url).await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("web page"),
        "{}",
        r.body
    );
}
