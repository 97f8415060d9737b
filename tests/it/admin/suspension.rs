//! A suspended business: nobody signs in or sends, its webhooks are still
//! stored, its automations' messages are held; resuming restores it all and
//! the held message goes out.
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use super::{admin, audit_actions, eventually, items};
use crate::{
    common::{fake_graph::FakeGraph, Client, Harness, PASSWORD},
    flows::{publish, says},
    realtime::open,
};

fn node(id: &str, kind: &str, data: Value) -> Value {
    json!({"id": id, "type": kind, "position": {"x": 0, "y": 0}, "data": data})
}

async fn conversation_with(owner: &Client, phone: &str) -> Option<String> {
    let list = owner.get("/api/conversations?view=all").await;
    items(&list.body)
        .iter()
        .find(|c| c["contact"]["phone"] == phone)
        .and_then(|c| c["id"].as_str().map(str::to_string))
}

fn sent_texts(graph: &FakeGraph) -> Vec<String> {
    graph
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .map(|r| r.body["text"]["body"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn a_suspended_business_is_held_and_resumes_where_it_stopped() {
    let graph = FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Paused Inc").await;
    let bystander = h.new_business("Still Open").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "SUSP-PN").await;
    publish(
        &owner,
        &number,
        "Greeter",
        json!([
            node("t", "trigger", json!({"on": "any_message"})),
            node("m", "message", json!({"kind": "text", "text": "Welcome!"}))
        ]),
        json!([{"id": "t-next", "source": "t", "sourceHandle": "next", "target": "m"}]),
    )
    .await;
    let token = owner
        .post("/api/tokens", json!({"name": "script"}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let api = Client::with_bearer(&h.base, &token);
    assert_eq!(api.get("/api/conversations").await.status, 200);
    h.webhook(&says("SUSP-PN", "5511988880001", "wamid.S1", "hello"))
        .await;
    graph.wait_for(1).await;
    assert_eq!(sent_texts(&graph), ["Welcome!"]);
    let before = conversation_with(&owner, "+5511988880001")
        .await
        .expect("first lead");

    let admin = admin(&h).await;
    let origin = h.base.clone();
    let mut ws = open(&h, &owner, Some(&origin))
        .await
        .expect("a live socket");
    assert_eq!(
        admin.get("/api/admin/health").await.body["websocket_connections"],
        1
    );
    let id = biz.id.to_string();
    let r = admin
        .patch(
            &format!("/api/admin/businesses/{id}"),
            json!({"suspended": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Its open sockets close, and a new one is refused.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the socket stayed open");
    assert!(open(&h, &owner, Some(&origin)).await.is_err());
    assert_eq!(
        admin.get("/api/admin/health").await.body["websocket_connections"],
        0
    );
    assert_eq!(r.body["suspended"], true);
    assert!(r.body["suspended_at"].is_string());

    // Sessions, API tokens, sign-in and sending: all refused with the same code.
    let suspended = |r: &crate::common::client::Resp| (r.status, r.code().to_string());
    let expect = (403, "business_suspended".to_string());
    assert_eq!(suspended(&owner.get("/api/auth/me").await), expect);
    assert_eq!(suspended(&owner.get("/api/conversations").await), expect);
    assert_eq!(suspended(&api.get("/api/conversations").await), expect);
    let send = owner
        .post(
            &format!("/api/conversations/{before}/messages"),
            json!({"type": "text", "text": "still there?"}),
        )
        .await;
    assert_eq!(suspended(&send), expect);
    let send = api
        .post(
            &format!("/api/conversations/{before}/messages"),
            json!({"type": "text", "text": "still there?"}),
        )
        .await;
    assert_eq!(suspended(&send), expect);
    let login = h
        .client()
        .post(
            "/api/auth/login",
            json!({"email": biz.owner(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(suspended(&login), expect);
    // Another business and the platform admin are untouched.
    let other = h.login(bystander.owner()).await;
    assert_eq!(other.get("/api/conversations").await.status, 200);
    assert_eq!(
        admin
            .get(&format!("/api/admin/businesses/{id}"))
            .await
            .status,
        200
    );

    // A customer writes meanwhile: acknowledged, stored, and the flow's answer held.
    let r = h
        .webhook(&says("SUSP-PN", "5511988880002", "wamid.S2", "anyone?"))
        .await;
    assert_eq!(r.status, 200);
    let held = eventually(10, "the held reply in the outbox", || {
        let admin = admin.clone();
        let id = id.clone();
        async move {
            let health = admin.get("/api/admin/health").await.body;
            health["outbox"]
                .as_array()?
                .iter()
                .find(|o| o["business_id"] == json!(id) && o["depth"] == 1)
                .cloned()
        }
    })
    .await;
    assert_eq!(held["phone_number_id"], "SUSP-PN");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sent_texts(&graph),
        ["Welcome!"],
        "nothing is sent while suspended"
    );

    let r = admin
        .patch(
            &format!("/api/admin/businesses/{id}"),
            json!({"suspended": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["suspended"], false);
    assert!(r.body["suspended_at"].is_null());

    // The same session and token work again; the held reply goes out once.
    assert_eq!(owner.get("/api/auth/me").await.status, 200);
    assert_eq!(api.get("/api/conversations").await.status, 200);
    graph.wait_for(2).await;
    assert_eq!(sent_texts(&graph), ["Welcome!", "Welcome!"]);
    let to: Vec<Value> = graph
        .requests()
        .iter()
        .map(|r| r.body["to"].clone())
        .collect();
    assert_eq!(to[1], "5511988880002");
    let stored = conversation_with(&owner, "+5511988880002")
        .await
        .expect("the lead that wrote while suspended");
    let thread = owner
        .get(&format!("/api/conversations/{stored}/messages"))
        .await;
    let messages = items(&thread.body);
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or(""))
        .collect();
    assert!(texts.contains(&"anyone?"), "{texts:?}");
    h.login(biz.owner()).await;
    let send = owner
        .post(
            &format!("/api/conversations/{stored}/messages"),
            json!({"type": "text", "text": "yes, here"}),
        )
        .await;
    assert_eq!(send.status, 202, "{}", send.body);
    graph.wait_for(3).await;

    let actions = audit_actions(&admin, &id).await;
    for a in ["business_suspended", "business_resumed"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
}
