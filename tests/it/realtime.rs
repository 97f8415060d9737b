//! The WebSocket: events reach exactly the sockets whose scope sees them,
//! including the moment a conversation is reassigned away.
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, Message},
    MaybeTlsStream, WebSocketStream,
};

use crate::common::{wa::text, Client, Harness};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn open(h: &Harness, c: &Client, origin: Option<&str>) -> Result<Ws, String> {
    let url = format!("{}/api/ws", h.base.replace("http://", "ws://"));
    let mut req = url.into_client_request().unwrap();
    let cookies = format!("wf_session={}", c.cookie("wf_session").unwrap());
    req.headers_mut().insert("Cookie", cookies.parse().unwrap());
    if let Some(o) = origin {
        req.headers_mut().insert("Origin", o.parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| e.to_string())
}

/// Frames of `kind` that arrive within `wait`, ignoring presence chatter.
pub(crate) async fn frames(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] != "presence" {
                out.push(v);
            }
        }
    }
    out
}

fn kinds(f: &[Value]) -> Vec<&str> {
    f.iter().map(|v| v["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn events_follow_the_scope_and_stop_the_moment_a_conversation_is_reassigned_away() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let rival = h.new_business("Rival").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let stranger = h.login(rival.owner()).await;
    h.register_number(&owner, "RT1").await;
    let origin = h.base.clone();
    let mut ws_owner = open(&h, &owner, Some(&origin)).await.unwrap();
    let mut ws_member = open(&h, &member, Some(&origin)).await.unwrap();
    let mut ws_stranger = open(&h, &stranger, Some(&origin)).await.unwrap();
    // Generous: a loaded CI machine must not split one burst of frames in two.
    let short = Duration::from_millis(1000);
    frames(&mut ws_owner, short).await;
    frames(&mut ws_member, short).await;

    h.webhook(&text("RT1", "5511900000001", "Carla", "wamid.R1", "hi"))
        .await;
    let seen = frames(&mut ws_owner, short).await;
    assert_eq!(kinds(&seen), ["conversation.new", "message.new"]);
    let conversation = seen[0]["data"]["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        frames(&mut ws_member, short).await.is_empty(),
        "unassigned: not the member's"
    );
    assert!(
        frames(&mut ws_stranger, short).await.is_empty(),
        "another business never hears of it"
    );

    owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    let handed = frames(&mut ws_member, short).await;
    let mut handed = kinds(&handed);
    handed.sort();
    assert_eq!(
        handed,
        ["conversation.updated", "notification.new"],
        "the member hears of it, and is told it is theirs"
    );
    h.webhook(&text(
        "RT1",
        "5511900000001",
        "Carla",
        "wamid.R2",
        "still there?",
    ))
    .await;
    assert_eq!(
        kinds(&frames(&mut ws_member, short).await),
        ["conversation.updated", "message.new"]
    );

    owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.other_member_id}),
        )
        .await;
    let dropped = frames(&mut ws_member, short).await;
    assert_eq!(kinds(&dropped), ["conversation.updated"]);
    assert_eq!(
        dropped[0]["data"]["removed"], true,
        "the member's UI is told to drop it"
    );
    h.webhook(&text("RT1", "5511900000001", "Carla", "wamid.R3", "hello?"))
        .await;
    assert!(
        frames(&mut ws_member, short).await.is_empty(),
        "nothing after the reassignment"
    );
    assert_eq!(
        kinds(&frames(&mut ws_owner, short).await)
            .iter()
            .filter(|k| **k == "message.new")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_cookie_from_another_origin_is_refused_and_presence_is_shared() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let lead = h.login(biz.lead()).await;
    assert!(open(&h, &owner, Some("http://evil.example")).await.is_err());
    assert!(h.client().get("/api/ws").await.status == 401);
    let origin = h.base.clone();
    let mut ws_owner = open(&h, &owner, Some(&origin)).await.unwrap();
    let mut ws_lead = open(&h, &lead, Some(&origin)).await.unwrap();
    ws_lead
        .send(Message::Text(json!({"type": "leave"}).to_string().into()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    let mut saw_lead = false;
    // Heartbeat pings come and go; only text frames carry presence.
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws_owner.next()).await {
        let Message::Text(t) = msg else { continue };
        let v: Value = serde_json::from_str(&t).unwrap();
        if v["type"] == "presence"
            && v["data"]["member_id"] == json!(biz.lead_id)
            && v["data"]["online"] == true
        {
            saw_lead = true;
            break;
        }
    }
    assert!(saw_lead, "the owner sees the lead come online");
    drop(ws_lead);
}

/// Presence frames that arrive within `wait`.
async fn presence(ws: &mut Ws, wait: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "presence" {
                out.push(v["data"].clone());
            }
        }
    }
    out
}

#[tokio::test]
async fn presence_tells_the_team_who_is_online_and_what_they_are_viewing() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    h.register_number(&owner, "PR1").await;
    h.webhook(&text("PR1", "5511900000001", "Carla", "wamid.P1", "hi"))
        .await;
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    owner
        .patch(
            &format!("/api/conversations/{conversation}"),
            json!({"assignee_id": biz.member_id}),
        )
        .await;
    let origin = h.base.clone();
    let mut ws_member = open(&h, &member, Some(&origin)).await.unwrap();
    let short = Duration::from_millis(800);
    presence(&mut ws_member, short).await;

    // A tab opened later learns at once who is already online.
    let mut ws_owner = open(&h, &owner, Some(&origin)).await.unwrap();
    let snapshot = presence(&mut ws_owner, short).await;
    let member_id = biz.member_id.to_string();
    assert!(
        snapshot
            .iter()
            .any(|p| p["member_id"] == member_id.as_str() && p["online"] == true),
        "{snapshot:?}"
    );
    // The member does not list the owner, so presence names them.
    let owner_id = biz.owner_id.to_string();
    let arrived = presence(&mut ws_member, short).await;
    assert!(
        arrived
            .iter()
            .any(|p| p["member_id"] == owner_id.as_str() && p["name"] == "owner 0"),
        "{arrived:?}"
    );

    ws_member
        .send(Message::text(
            json!({"type": "join", "conversation_id": conversation}).to_string(),
        ))
        .await
        .unwrap();
    let viewing = presence(&mut ws_owner, short).await;
    assert!(
        viewing
            .iter()
            .any(|p| p["member_id"] == member_id.as_str() && p["viewing"] == json!([conversation])),
        "{viewing:?}"
    );
    ws_member
        .send(Message::text(json!({"type": "leave"}).to_string()))
        .await
        .unwrap();
    let left = presence(&mut ws_owner, short).await;
    assert!(
        left.iter()
            .any(|p| p["member_id"] == member_id.as_str() && p["viewing"] == json!([])),
        "{left:?}"
    );
}

#[tokio::test]
async fn a_socket_that_stops_answering_pings_is_dropped_and_shown_offline() {
    let h = Harness::start_with(|c| {
        c.realtime.heartbeat_secs = 1;
        c.realtime.client_timeout_secs = 2;
    });
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let origin = h.base.clone();
    let mut ws_owner = open(&h, &owner, Some(&origin)).await.unwrap();
    // The member's tab dies without closing: never read again, so never a pong.
    let silent = open(&h, &member, Some(&origin)).await.unwrap();
    let member_id = biz.member_id.to_string();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let mut offline = false;
    // The owner keeps reading, which answers the server's pings.
    while !offline && tokio::time::Instant::now() < deadline {
        offline = presence(&mut ws_owner, Duration::from_millis(500))
            .await
            .iter()
            .any(|p| p["member_id"] == member_id.as_str() && p["online"] == false);
    }
    assert!(offline, "the dead socket was not dropped");
    let metrics = h.client().get("/metrics").await;
    let text = metrics.body.as_str().unwrap_or_default().to_string();
    assert!(
        text.contains("wafunnel_websocket_connections 1"),
        "only the owner's socket is left: {text}"
    );
    drop(silent);
}

/// A lead the owner gives the member; its conversation's id.
async fn members_lead(owner: &Client, biz: &crate::common::Biz) -> String {
    let lead = owner
        .post(
            "/api/leads",
            json!({"name": "Carla", "phone": "+5511900000007", "assignee_id": biz.member_id}),
        )
        .await;
    lead.body["conversation_id"].as_str().unwrap().to_string()
}

/// A socket for each client, past the frames that greet a new one.
async fn quiet_sockets<const N: usize>(h: &Harness, clients: [&Client; N]) -> [Ws; N] {
    let origin = h.base.clone();
    let mut out = Vec::with_capacity(N);
    for c in clients {
        let mut ws = open(h, c, Some(&origin)).await.unwrap();
        frames(&mut ws, Duration::from_millis(1000)).await;
        out.push(ws);
    }
    out.try_into().unwrap_or_else(|_| unreachable!())
}

#[tokio::test]
async fn a_colleagues_note_and_follow_up_reach_who_sees_the_conversation_live() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let other = h.login(biz.other_member()).await;
    let conversation = members_lead(&owner, &biz).await;
    let [mut ws_member, mut ws_other] = quiet_sockets(&h, [&member, &other]).await;
    let short = Duration::from_millis(1000);

    let note = owner
        .post(
            &format!("/api/conversations/{conversation}/notes"),
            json!({"text": "Called her: wants Saturday"}),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.body);
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let f = owner
        .post(
            "/api/followups",
            json!({"conversation_id": conversation, "note": "Saturday visit", "scheduled_for": at}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.body);
    let seen = frames(&mut ws_member, short).await;
    let mut seen = kinds(&seen);
    seen.retain(|k| *k != "notification.new");
    assert_eq!(seen, ["note.new", "followup.updated"]);
    assert!(
        frames(&mut ws_other, short).await.is_empty(),
        "not theirs: nothing of it"
    );
}

#[tokio::test]
async fn reading_a_conversation_clears_it_in_the_readers_other_tabs_and_nobody_elses() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let member = h.login(biz.member()).await;
    let conversation = members_lead(&owner, &biz).await;
    let [mut other_tab, mut ws_owner] = quiet_sockets(&h, [&member, &owner]).await;
    let short = Duration::from_millis(1000);

    let read = member
        .post(
            &format!("/api/conversations/{conversation}/read"),
            json!({}),
        )
        .await;
    assert_eq!(read.status, 204, "{}", read.body);
    let seen = frames(&mut other_tab, short).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["type"], "conversation.updated");
    assert_eq!(seen[0]["data"]["conversation_id"], conversation.as_str());
    assert_eq!(seen[0]["data"]["read"], true);
    let row = member
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(row.body["unread_count"], 0, "{}", row.body);
    assert!(
        frames(&mut ws_owner, short).await.is_empty(),
        "the owner's unread did not change"
    );
}
