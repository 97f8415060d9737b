//! kill -9 in the middle of webhook load: every acknowledged message survives,
//! exactly once, and Meta's redelivery of the rest stores each once too.
use std::{
    collections::HashSet,
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::json;

use crate::common::{wa::text, Client, APP_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_wafunnel");

fn serve(dir: &Path) -> (Child, String) {
    serve_with_graph(dir, "http://127.0.0.1:9")
}

fn serve_with_graph(dir: &Path, graph: &str) -> (Child, String) {
    serve_with_env(dir, &[("WAFUNNEL_META_GRAPH_URL", graph)])
}

/// The real binary on an ephemeral port, with extra `WAFUNNEL_*` settings.
pub fn serve_with_env(dir: &Path, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("WAFUNNEL_META_APP_SECRET", APP_SECRET)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    (child, url)
}

/// A business set up through the API by its owner, who is signed in, with
/// WhatsApp number `phone_number_id`; the number's id.
async fn owner_with_number(
    url: &str,
    business: &str,
    email: &str,
    phone_number_id: &str,
) -> (Client, String) {
    let owner = Client::new(url);
    let setup = owner
        .post("/api/setup", json!({"business_name": business, "name": "Olga", "email": email, "password": "long-password"}))
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    owner
        .post(
            "/api/auth/login",
            json!({"email": email, "password": "long-password"}),
        )
        .await;
    let number = owner
        .post("/api/whatsapp/numbers", json!({"phone_number_id": phone_number_id, "display_phone_number": "+1", "waba_id": "W", "access_token": "t"}))
        .await;
    (
        owner,
        number.body["id"].as_str().unwrap_or_default().to_string(),
    )
}

/// A business and its owner, made by the command line in `dir`.
pub fn create_tenant(dir: &Path, name: &str, owner_email: &str, password: &str) {
    let created = Command::new(BIN)
        .args([
            "tenant",
            "create",
            "--name",
            name,
            "--owner-email",
            owner_email,
        ])
        .args(["--owner-password", password, "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
}

async fn post(http: &reqwest::Client, url: &str, wamid: &str) -> bool {
    let body = text(
        "CRASH-PN",
        "5511900000001",
        "Crash",
        wamid,
        "are you there?",
    )
    .to_string();
    delivered(http, url, body).await
}

/// Meta's delivery of `body`, signed; true when it was acknowledged.
async fn delivered(http: &reqwest::Client, url: &str, body: String) -> bool {
    let sig = wafunnel::channels::whatsapp::signature::sign(APP_SECRET.as_bytes(), body.as_bytes());
    http.post(format!("{url}/webhooks/whatsapp"))
        .header("X-Hub-Signature-256", sig)
        .header("Content-Type", "application/json")
        .body(body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_mid_load_loses_no_acknowledged_message_and_duplicates_none() {
    let dir = tempfile::tempdir().unwrap();
    create_tenant(dir.path(), "Crash", "o@crash.test", "long-password");
    let (mut child, url) = serve(dir.path());
    let owner = Client::new(&url);
    assert_eq!(
        owner
            .post(
                "/api/auth/login",
                json!({"email": "o@crash.test", "password": "long-password"})
            )
            .await
            .status,
        200
    );
    let r = owner
        .post("/api/whatsapp/numbers", json!({"phone_number_id": "CRASH-PN", "display_phone_number": "+1", "waba_id": "W", "access_token": "t"}))
        .await;
    assert_eq!(r.status, 201);

    let acked = Arc::new(Mutex::new(HashSet::new()));
    let http = reqwest::Client::new();
    let mut senders = Vec::new();
    for s in 0..32 {
        let (http, url, acked) = (http.clone(), url.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for i in 0..100_000 {
                let wamid = format!("wamid.CRASH-{s:02}-{i:06}");
                sent.push(wamid.clone());
                if post(&http, &url, &wamid).await {
                    acked.lock().unwrap().insert(wamid);
                } else {
                    break;
                }
            }
            sent
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL: no drain, no final commit
    child.wait().unwrap();
    let mut all_sent = Vec::new();
    for s in senders {
        all_sent.extend(s.await.unwrap());
    }
    let acked: HashSet<String> = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 100,
        "load ran before the kill: {} acknowledged",
        acked.len()
    );

    // Restart; Meta redelivers everything it has no 200 for (and, being Meta, some it has).
    let (mut child, url) = serve(dir.path());
    for wamid in all_sent
        .iter()
        .filter(|w| !acked.contains(*w))
        .chain(acked.iter().take(50))
    {
        assert!(post(&http, &url, wamid).await, "redelivery of {wamid}");
    }
    // The one conversation all of it went to, as the owner sees it.
    let owner = Client::new(&url);
    let login = json!({"email": "o@crash.test", "password": "long-password"});
    assert_eq!(owner.post("/api/auth/login", login).await.status, 200);
    let me = owner.get("/api/auth/me").await;
    let business: wafunnel::store::ids::BusinessId =
        me.body["business"]["id"].as_str().unwrap().parse().unwrap();
    let list = owner.get("/api/conversations?view=all").await;
    assert_eq!(
        list.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        list.body
    );
    let conversation: wafunnel::store::ids::ConversationId = list.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());

    let store = crate::common::open_store(dir.path()).unwrap();
    let read = store.read().unwrap();
    let mut stored = Vec::new();
    for wamid in &all_sent {
        let found =
            wafunnel::conversations::repo::by_wamid_in(&read, business, Some(conversation), wamid)
                .unwrap();
        if let Some(m) = found {
            stored.push(m);
        }
    }
    assert_eq!(
        stored.len(),
        all_sent.len(),
        "every message, acknowledged or redelivered, is stored"
    );
    let messages =
        wafunnel::conversations::repo::messages(&read, business, conversation, None, usize::MAX)
            .unwrap();
    let unique: HashSet<_> = messages
        .iter()
        .filter_map(|m| m.wa_message_id.clone())
        .collect();
    assert_eq!(messages.len(), unique.len(), "no message is stored twice");
    assert_eq!(messages.len(), all_sent.len());
    crate::common::assert_store_checks(&read);
    eprintln!(
        "crash test: {} messages sent, {} acknowledged before kill -9, {} stored exactly once after redelivery",
        all_sent.len(),
        acked.len(),
        messages.len()
    );
    drop(read);
    store.shutdown();
}

/// A flow waiting in a 5-second delay when the server is killed sends its
/// message once, within a second of the due time, after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_flow_delay_sends_the_delayed_message_once_on_time() {
    let graph = crate::common::fake_graph::FakeGraph::start();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url) = serve_with_graph(dir.path(), &graph.url);
    let (owner, number) = owner_with_number(&url, "Delay", "o@delay.test", "DELAY-PN").await;
    let node = |id: &str, kind: &str, data: serde_json::Value| json!({"id": id, "type": kind, "position": {"x": 0, "y": 0}, "data": data});
    crate::flows::publish(
        &owner,
        &number,
        "Five seconds",
        json!([node("t", "trigger", json!({"on": "any_message"})), node("d", "delay", json!({"seconds": 5})),
               node("m", "message", json!({"kind": "text", "text": "Five seconds later"}))]),
        json!([{"id": "a", "source": "t", "target": "d", "sourceHandle": "next"}, {"id": "b", "source": "d", "target": "m", "sourceHandle": "next"}]),
    )
    .await;
    let body = crate::flows::says("DELAY-PN", "5511987650401", "wamid.KILL1", "hello").to_string();
    assert!(delivered(&reqwest::Client::new(), &url, body).await);
    let list = owner.get("/api/conversations").await;
    let conversation = list.body["items"][0]["id"].as_str().unwrap().to_string();
    let runs = owner
        .get(&format!("/api/conversations/{conversation}/runs"))
        .await;
    let due =
        chrono::DateTime::parse_from_rfc3339(runs.body["items"][0]["timer_at"].as_str().unwrap())
            .unwrap()
            .timestamp_millis();

    tokio::time::sleep(Duration::from_millis(1000)).await;
    child.kill().unwrap(); // SIGKILL inside the delay
    child.wait().unwrap();
    let (mut child, _url) = serve_with_graph(dir.path(), &graph.url);
    let delayed = |r: &crate::common::fake_graph::Recorded| {
        r.path.ends_with("/messages") && r.body["text"]["body"] == "Five seconds later"
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let arrived = loop {
        if graph.requests().iter().any(delayed) {
            break wafunnel::time::now_ms();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the delayed message never went out"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let late = arrived - due;
    assert!(
        (0..1000).contains(&late),
        "sent {late} ms after its due time"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        graph.requests().iter().filter(|r| delayed(r)).count(),
        1,
        "sent once"
    );
    eprintln!("flow delay across kill -9: sent {late} ms after due");
    child.kill().unwrap();
    child.wait().unwrap();
}

struct SendUnderWay {
    graph: crate::common::fake_graph::FakeGraph,
    dir: tempfile::TempDir,
    child: Child,
    /// The conversation's messages, and the message Meta is taking.
    path: String,
    id: String,
}

/// A reply Meta has received and is still answering (it takes 3 s).
async fn a_send_under_way() -> SendUnderWay {
    let graph = crate::common::fake_graph::FakeGraph::start();
    graph.slow_sends(3000);
    let dir = tempfile::tempdir().unwrap();
    let (child, url) = serve_with_graph(dir.path(), &graph.url);
    let (owner, _) = owner_with_number(&url, "Twice", "o@twice.test", "TWICE-PN").await;
    let body = crate::flows::says("TWICE-PN", "5511987650402", "wamid.TWICE1", "hello").to_string();
    assert!(delivered(&reqwest::Client::new(), &url, body).await);
    let conversation = owner.get("/api/conversations").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/conversations/{conversation}/messages");
    let sent = owner
        .post(&path, json!({"type": "text", "text": "Only once"}))
        .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let id = sent.body["id"].as_str().unwrap().to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while graph.arrived_sends() == 0 {
        assert!(std::time::Instant::now() < deadline, "the send never left");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    SendUnderWay {
        graph,
        dir,
        child,
        path,
        id,
    }
}

/// After a restart: the message once it is no longer queued.
async fn settled_after_restart(s: &SendUnderWay) -> (Child, serde_json::Value) {
    let (child, url) = serve_with_graph(s.dir.path(), &s.graph.url);
    let owner = Client::new(&url);
    owner
        .post(
            "/api/auth/login",
            json!({"email": "o@twice.test", "password": "long-password"}),
        )
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let page = owner.get(&s.path).await;
        let m = page.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == s.id.as_str())
            .cloned()
            .unwrap();
        if m["status"] != "queued" || std::time::Instant::now() > deadline {
            return (child, m);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_meta_takes_a_send_never_sends_it_twice() {
    let mut s = a_send_under_way().await;
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let (mut child, m) = settled_after_restart(&s).await;
    assert_eq!(m["status"], "failed", "left for a person to check: {m}");
    assert!(
        m["error"]
            .as_str()
            .unwrap()
            .contains("may have reached the customer"),
        "{m}"
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(s.graph.arrived_sends(), 1, "Meta got it once");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_waits_for_metas_answer_to_a_send_under_way() {
    let mut s = a_send_under_way().await;
    Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    s.child.wait().unwrap();
    let (mut child, m) = settled_after_restart(&s).await;
    assert_eq!(
        m["status"], "sent",
        "the answer was recorded before the stop: {m}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(s.graph.arrived_sends(), 1, "Meta got it once");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_with_websockets_open_is_prompt_and_a_restart_finds_the_folder_free() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let dir = tempfile::tempdir().unwrap();
    create_tenant(dir.path(), "Sockets", "o@sockets.test", "long-password");
    let (mut child, url) = serve(dir.path());
    let owner = Client::new(&url);
    let login = json!({"email": "o@sockets.test", "password": "long-password"});
    assert_eq!(owner.post("/api/auth/login", login).await.status, 200);
    let token = owner.post("/api/tokens", json!({"name": "tabs"})).await;
    let token = token.body["token"].as_str().unwrap().to_string();
    let mut open = Vec::new();
    for _ in 0..3 {
        let ws = format!("{}/api/ws?token={token}", url.replace("http://", "ws://"));
        let req = ws.into_client_request().unwrap();
        open.push(tokio_tungstenite::connect_async(req).await.unwrap().0);
    }
    let asked = std::time::Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success());
    // The graceful stop waits up to 10 s for open connections.
    assert!(
        asked.elapsed() < std::time::Duration::from_secs(5),
        "stopping took {:?} with sockets open",
        asked.elapsed()
    );
    let (mut again, url) = serve(dir.path());
    let r = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
    drop(open);
    again.kill().unwrap();
    let _ = again.wait();
}
