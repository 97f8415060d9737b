//! Flows through the real paths: drafts kept byte for byte, the publishing
//! rules, runs moved by webhooks and durable timers exactly once, a person
//! or an interrupt stepping in, and a tapped button of a finished menu.
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{wa::delivery, Biz, Client, Harness};

fn now_secs() -> String {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs())
    .to_string()
}

/// A customer's text, sent now (the 24-hour window is open).
pub fn says(pnid: &str, from: &str, wamid: &str, body: &str) -> Value {
    delivery(
        pnid,
        json!([{"profile": {"name": "Carla"}, "wa_id": from}]),
        json!([{"from": from, "id": wamid, "timestamp": now_secs(), "type": "text", "text": {"body": body}}]),
        json!([]),
    )
}

fn taps(pnid: &str, from: &str, wamid: &str, id: &str, title: &str) -> Value {
    delivery(
        pnid,
        json!([{"profile": {"name": "Carla"}, "wa_id": from}]),
        json!([{"from": from, "id": wamid, "timestamp": now_secs(), "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": {"id": id, "title": title}}}]),
        json!([]),
    )
}

pub struct Number {
    pub id: String,
    pub pnid: String,
}

pub async fn sandbox(owner: &Client) -> Number {
    let r = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    Number {
        id: r.body["id"].as_str().unwrap().into(),
        pnid: r.body["phone_number_id"].as_str().unwrap().into(),
    }
}

fn node(id: &str, kind: &str, data: Value) -> Value {
    json!({"id": id, "type": kind, "position": {"x": 0, "y": 0}, "data": data})
}

/// The trigger "t": the customer writes exactly "oi".
fn says_oi_trigger() -> Value {
    node(
        "t",
        "trigger",
        json!({"on": "keyword", "keywords": ["oi"], "match": "exact"}),
    )
}

fn edge(source: &str, handle: &str, target: &str) -> Value {
    json!({"id": format!("{source}-{handle}"), "source": source, "sourceHandle": handle, "target": target})
}

pub async fn publish(
    owner: &Client,
    number: &str,
    name: &str,
    nodes: Value,
    edges: Value,
) -> String {
    let r = owner
        .post(
            "/api/flows",
            json!({"name": name, "whatsapp_number_id": number, "nodes": nodes, "edges": edges}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_string();
    let p = owner
        .post(&format!("/api/flows/{id}/publish"), json!({}))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    id
}

/// The conversation's messages, oldest first, as (direction, text).
async fn thread(owner: &Client, phone: &str) -> (String, Vec<(String, String)>) {
    let list = owner.get("/api/conversations?view=all").await;
    let c = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contact"]["phone"] == phone)
        .cloned()
        .unwrap_or(Value::Null);
    let Some(id) = c["id"].as_str() else {
        return (String::new(), Vec::new());
    };
    let m = owner
        .get(&format!("/api/conversations/{id}/messages"))
        .await;
    let mut items: Vec<(String, String)> = m.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap().to_string(),
                m["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    items.reverse();
    (id.to_string(), items)
}

async fn until_out(owner: &Client, phone: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (id, items) = thread(owner, phone).await;
        if items.iter().any(|(d, t)| d == "out" && t.contains(text)) {
            return id;
        }
        assert!(
            Instant::now() < deadline,
            "no outgoing {text:?} in {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_draft_round_trips_byte_for_byte_and_publishing_follows_the_rules() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    // React Flow's JSON as an editor would send it, odd spacing, key order and all.
    let nodes = r#"[ {"id":"t","type":"trigger","position":{"x":10.5,"y":-3},"data":{"on":"any_message","zeta":1,"alpha":[true,null]}},{"type":"message","id":"m","data":{"text":"Olá {{contact.name}} \u00e9 \"você\"","kind":"text"},"position":{"y":0,"x":300}} ]"#;
    let edges = r#"[{"id":"e1","source":"t","target":"m","sourceHandle":"next","animated":true}]"#;
    let body = format!(
        r#"{{"name":"Round trip","whatsapp_number_id":"{}","nodes":{nodes},"edges":{edges}}}"#,
        number.id
    );
    let created = owner
        .raw(
            reqwest::Method::POST,
            "/api/flows",
            "application/json",
            body.into_bytes(),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let fetched = owner
        .http
        .get(h.url(&format!("/api/flows/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fetched.contains(&format!(r#""nodes":{nodes}"#)),
        "{fetched}"
    );
    assert!(
        fetched.contains(&format!(r#""edges":{edges}"#)),
        "{fetched}"
    );
    assert_eq!(
        owner
            .post(&format!("/api/flows/{id}/publish"), json!({}))
            .await
            .body["version"],
        1
    );

    // Broken flows are refused with every problem named by node.
    let broken = owner
        .post("/api/flows", json!({"name": "Broken", "whatsapp_number_id": number.id,
            "nodes": [node("t", "trigger", json!({"on": "any_message"})), node("m", "message", json!({"kind": "text", "text": ""})),
                      node("q", "question", json!({"prompt": "?", "validate": "email"}))],
            "edges": [edge("t", "next", "m"), edge("m", "next", "nowhere")]}))
        .await;
    let bid = broken.body["id"].as_str().unwrap();
    let v = owner
        .post(&format!("/api/flows/{bid}/validate"), json!({}))
        .await;
    assert_eq!(v.body["valid"], false);
    let r = owner
        .post(&format!("/api/flows/{bid}/publish"), json!({}))
        .await;
    assert_eq!((r.status, r.code()), (422, "flow_invalid"));
    let named: Vec<&str> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["node_id"].as_str())
        .collect();
    assert!(named.contains(&"m") && named.contains(&"q"), "{}", r.body);

    // One active flow per number: the second is refused, naming the first.
    let second = owner
        .post("/api/flows", json!({"name": "Second", "whatsapp_number_id": number.id,
            "nodes": [node("t", "trigger", json!({"on": "any_message"})), node("m", "message", json!({"kind": "text", "text": "hi"}))],
            "edges": [edge("t", "next", "m")]}))
        .await;
    let sid = second.body["id"].as_str().unwrap();
    let r = owner
        .post(&format!("/api/flows/{sid}/publish"), json!({}))
        .await;
    assert_eq!((r.status, r.code()), (409, "flow_conflict"));
    assert!(r.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Round trip"));
    owner
        .post(&format!("/api/flows/{id}/disable"), json!({}))
        .await;
    assert_eq!(
        owner
            .post(&format!("/api/flows/{sid}/publish"), json!({}))
            .await
            .status,
        200
    );
    let versions = owner.get(&format!("/api/flows/{id}/versions")).await;
    assert_eq!(versions.body["items"][0]["version"], 1);
    let member = h.login(biz.member()).await;
    assert_eq!(
        member
            .post(&format!("/api/flows/{sid}/publish"), json!({}))
            .await
            .status,
        403
    );
}

fn qualify_flow() -> (Value, Value) {
    (
        json!([
            node(
                "t",
                "trigger",
                json!({"on": "keyword", "keywords": ["menu"], "match": "contains"})
            ),
            node(
                "menu",
                "message",
                json!({"kind": "buttons", "text": "Hi {{contact.name}}, what do you need?",
                "buttons": [{"id": "buy", "title": "Buy"}, {"id": "help", "title": "Help"}]})
            ),
            node(
                "q",
                "question",
                json!({"prompt": "Your budget?", "validate": "number", "save_to": "vars.budget",
                "retries": 1, "retry_prompt": "Just the number, please"})
            ),
            node(
                "c",
                "condition",
                json!({"branches": [{"id": "big", "match": "all",
                "rules": [{"field": "vars.budget", "op": "gt", "value": "1000"}]}]})
            ),
            node(
                "vip",
                "action",
                json!({"action": "add_label", "label": "vip"})
            ),
            node(
                "done",
                "message",
                json!({"kind": "text", "text": "Budget {{vars.budget}} noted!"})
            ),
            node(
                "small",
                "message",
                json!({"kind": "text", "text": "We have options for that too."})
            ),
            node("handoff", "action", json!({"action": "handoff"})),
        ]),
        json!([
            edge("t", "next", "menu"),
            edge("menu", "buy", "q"),
            edge("q", "next", "c"),
            edge("c", "big", "vip"),
            edge("vip", "next", "done"),
            edge("c", "else", "small"),
            edge("menu", "help", "handoff"),
            edge("menu", "other", "handoff")
        ]),
    )
}

#[tokio::test]
async fn a_run_answers_taps_and_questions_once_per_message_and_ends() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let (nodes, edges) = qualify_flow();
    let flow = publish(&owner, &number.id, "Qualify", nodes, edges).await;
    let (pn, from, phone) = (number.pnid.as_str(), "5511987650101", "+5511987650101");

    h.webhook(&says(pn, from, "wamid.F1", "hello")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        thread(&owner, phone).await.1.iter().all(|(d, _)| d == "in"),
        "no keyword, no flow"
    );
    h.webhook(&says(pn, from, "wamid.F2", "show me the MENU please"))
        .await;
    until_out(&owner, phone, "Hi Carla, what do you need?").await;
    h.webhook(&taps(pn, from, "wamid.F3", "buy", "Buy")).await;
    until_out(&owner, phone, "Your budget?").await;
    h.webhook(&says(pn, from, "wamid.F4", "a lot")).await;
    until_out(&owner, phone, "Just the number, please").await;
    // Meta redelivers the same answer: nothing moves twice.
    h.webhook(&says(pn, from, "wamid.F4", "a lot")).await;
    h.webhook(&says(pn, from, "wamid.F5", "5000")).await;
    let conversation = until_out(&owner, phone, "Budget 5000 noted!").await;
    let (_, items) = thread(&owner, phone).await;
    let retries = items
        .iter()
        .filter(|(_, t)| t == "Just the number, please")
        .count();
    assert_eq!(retries, 1, "{items:?}");

    let runs = owner
        .get(&format!("/api/conversations/{conversation}/runs"))
        .await;
    let run = &runs.body["items"][0];
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["variables"]["budget"], "5000");
    let path: Vec<&str> = run["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["t", "t", "menu", "q", "c", "vip", "done"], "{run}");
    let c = owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(c.body["labels"], json!(["vip"]));
    let stats = owner.get(&format!("/api/flows/{flow}/stats")).await;
    assert_eq!(stats.body["runs"]["completed"], 1, "{}", stats.body);
    assert_eq!(stats.body["nodes"]["q"]["entered"], 1, "{}", stats.body);

    // The finished menu's button, tapped again, gets a friendly word.
    h.webhook(&taps(pn, from, "wamid.F6", "buy", "Buy")).await;
    until_out(&owner, phone, "This menu has expired").await;
}

#[tokio::test]
async fn a_person_or_an_interrupt_word_ends_the_run() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let (nodes, edges) = qualify_flow();
    publish(&owner, &number.id, "Qualify", nodes, edges).await;
    let pn = number.pnid.as_str();

    h.webhook(&says(pn, "5511987650201", "wamid.P1", "menu"))
        .await;
    let c = until_out(&owner, "+5511987650201", "what do you need?").await;
    let r = owner
        .post(
            &format!("/api/conversations/{c}/messages"),
            json!({"type": "text", "text": "Hi, Ana here"}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let run = &owner
        .get(&format!("/api/conversations/{c}/runs"))
        .await
        .body["items"][0];
    assert_eq!(run["state"], "cancelled");
    assert_eq!(run["error"], "a person replied");
    // Whoever sees the conversation reads its run by name and steps, not ids.
    assert_eq!(run["flow_name"], "Qualify", "{run}");
    let at = run["current_node"].as_str().unwrap();
    let named = run["nodes"].as_array().unwrap();
    assert!(
        named.iter().any(|n| n["id"] == at && n["type"].is_string()),
        "{run}"
    );

    h.webhook(&says(pn, "5511987650202", "wamid.P2", "menu"))
        .await;
    let c = until_out(&owner, "+5511987650202", "what do you need?").await;
    h.webhook(&says(pn, "5511987650202", "wamid.P3", "Agent"))
        .await;
    let run = &owner
        .get(&format!("/api/conversations/{c}/runs"))
        .await
        .body["items"][0];
    assert_eq!(
        (run["state"].as_str(), run["error"].as_str()),
        (Some("cancelled"), Some("the customer asked for a person"))
    );

    // A person has it now: the trigger word does not bring the bot back…
    let menus = |items: Vec<(String, String)>| {
        items
            .iter()
            .filter(|(d, t)| d == "out" && t.contains("what do you need?"))
            .count()
    };
    h.webhook(&says(pn, "5511987650202", "wamid.P4", "menu again"))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, items) = thread(&owner, "+5511987650202").await;
    assert_eq!(
        menus(items),
        1,
        "the bot stayed out of a person's conversation"
    );
    // …until the conversation is closed and the customer comes back.
    let r = owner
        .patch(
            &format!("/api/conversations/{c}"),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    h.webhook(&says(pn, "5511987650202", "wamid.P5", "menu"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, items) = thread(&owner, "+5511987650202").await;
        if menus(items.clone()) == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no second menu in {items:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_delay_survives_a_restart_and_sends_once() {
    let h = Harness::start();
    let biz: Biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    publish(
        &owner,
        &number.id,
        "Later",
        json!([
            node("t", "trigger", json!({"on": "any_message"})),
            node("d", "delay", json!({"seconds": 2})),
            node(
                "m",
                "message",
                json!({"kind": "text", "text": "After the pause"})
            )
        ]),
        json!([edge("t", "next", "d"), edge("d", "next", "m")]),
    )
    .await;
    h.webhook(&says(&number.pnid, "5511987650301", "wamid.D1", "hi"))
        .await;
    let Harness { server, dir, .. } = h;
    server.stop();
    let h = Harness::start_in(dir, |_| {});
    let owner = h.login(biz.owner()).await;
    until_out(&owner, "+5511987650301", "After the pause").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (_, items) = thread(&owner, "+5511987650301").await;
    assert_eq!(
        items.iter().filter(|(_, t)| t == "After the pause").count(),
        1,
        "{items:?}"
    );
}

/// 1,000 customers in the same question at once: every run asks, waits and
/// finishes with its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_conversations_answer_a_question_at_once() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let flow = publish(
        &owner,
        &number.id,
        "Ask",
        json!([
            node("t", "trigger", json!({"on": "any_message"})),
            node(
                "q",
                "question",
                json!({"prompt": "How many?", "validate": "number", "save_to": "vars.n"})
            ),
            node(
                "m",
                "message",
                json!({"kind": "text", "text": "Got {{vars.n}}"})
            )
        ]),
        json!([edge("t", "next", "q"), edge("q", "next", "m")]),
    )
    .await;
    const N: usize = 1000;
    let started = Instant::now();
    let send_all = |round: &'static str, text: fn(usize) -> String| {
        let (h, pn) = (&h, number.pnid.clone());
        async move {
            let bodies: Vec<Value> = (0..N)
                .map(|i| {
                    says(
                        &pn,
                        &format!("55119{:08}", 80_000_000 + i),
                        &format!("wamid.{round}{i}"),
                        &text(i),
                    )
                })
                .collect();
            for chunk in bodies.chunks(64) {
                let sent = futures_util::future::join_all(chunk.iter().map(|b| h.webhook(b))).await;
                assert!(sent.iter().all(|r| r.status == 200));
            }
        }
    };
    send_all("Q", |_| "hi".to_string()).await;
    send_all("A", |i| i.to_string()).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let stats = loop {
        let s = owner.get(&format!("/api/flows/{flow}/stats")).await.body;
        if s["runs"]["completed"] == N || Instant::now() > deadline {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(stats["runs"]["started"], N, "{stats}");
    assert_eq!(stats["runs"]["completed"], N, "{stats}");
    assert_eq!(stats["nodes"]["q"]["completed"], N, "{stats}");
    assert_eq!(stats["nodes"]["m"]["entered"], N, "{stats}");
    eprintln!(
        "1000 concurrent question runs: {:.1} s for 2000 messages (debug build)",
        started.elapsed().as_secs_f64()
    );
}

/// Meta rate-limits an automated message: the number's flow starts nothing
/// new until a durable job lifts the pause after the cooldown.
#[tokio::test]
async fn a_rate_limit_from_meta_pauses_the_flow_until_the_cooldown_ends() {
    let graph = crate::common::fake_graph::FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| {
        c.meta.graph_url = url;
        c.flows.rate_limit_cooldown_secs = 3;
    });
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "RATE-PN").await;
    let flow = publish(
        &owner,
        &number,
        "Greeter",
        json!([
            node("t", "trigger", json!({"on": "any_message"})),
            node("m", "message", json!({"kind": "text", "text": "Welcome!"}))
        ]),
        json!([edge("t", "next", "m")]),
    )
    .await;
    graph.fail_next(400, 130429, "(#130429) Rate limit hit");
    h.webhook(&says("RATE-PN", "5511987650501", "wamid.RL1", "hi"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let paused = loop {
        let f = owner.get(&format!("/api/flows/{flow}")).await.body;
        if !f["paused_until"].is_null() {
            break f;
        }
        assert!(Instant::now() < deadline, "the flow was not paused: {f}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(paused["status"], "active", "paused, not disabled");
    h.webhook(&says("RATE-PN", "5511987650502", "wamid.RL2", "hi"))
        .await;
    let stats = owner.get(&format!("/api/flows/{flow}/stats")).await.body;
    assert_eq!(
        stats["runs"]["started"], 1,
        "nothing new starts while paused: {stats}"
    );

    // The cooldown ends; the job switches it back on by itself.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !owner.get(&format!("/api/flows/{flow}")).await.body["paused_until"].is_null() {
        assert!(Instant::now() < deadline, "the pause was never lifted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.webhook(&says("RATE-PN", "5511987650503", "wamid.RL3", "hi"))
        .await;
    let stats = owner.get(&format!("/api/flows/{flow}/stats")).await.body;
    assert_eq!(stats["runs"]["started"], 2, "{stats}");
}

#[tokio::test]
async fn a_new_walk_in_lead_gets_the_numbers_welcome_template_once_per_contact() {
    let fb = crate::common::fake_facebook::FakeFacebook::start();
    let url = fb.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    owner
        .patch("/api/business", json!({"default_country": "BR"}))
        .await;
    let number = sandbox(&owner).await;
    let walkin = owner
        .post("/api/channels", json!({"kind": "walkin", "name": "Door"}))
        .await;
    let slug = walkin.body["slug"].as_str().unwrap().to_string();
    let nodes = json!([
        node(
            "t",
            "trigger",
            json!({"on": "new_lead", "source": "walkin"})
        ),
        node(
            "hello",
            "message",
            json!({"kind": "template", "name": "hello_world", "language": "en_US", "parameters": []})
        ),
        // A webhook answers with the page's id (the fake Graph stands in for any JSON API).
        node(
            "call",
            "action",
            json!({"action": "webhook", "method": "GET", "retries": 0,
            "url": format!("{}/v21.0/{}?fields=id&access_token=PAGE-TOKEN-1", fb.url, crate::common::fake_facebook::PAGE_ID),
            "map": {"vars.page": "/id"}})
        ),
        node(
            "note",
            "action",
            json!({"action": "set_field", "field": "custom.page", "value": "{{vars.page}}"})
        ),
    ]);
    let r = owner
        .post("/api/flows", json!({"name": "Walk-in hello", "whatsapp_number_id": number.id, "nodes": nodes,
            "edges": [edge("t", "next", "hello"), edge("hello", "next", "call"), edge("call", "next", "note")],
            "options": {"pause_on_human_reply": true, "once_per_contact": true, "only_if_unassigned": false}}))
        .await;
    let flow = r.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        owner
            .post(&format!("/api/flows/{flow}/publish"), json!({}))
            .await
            .status,
        200
    );

    for _ in 0..2 {
        let res = reqwest::Client::new()
            .post(h.url(&format!("/w/{slug}")))
            .form(&[("name", "Dora"), ("phone", "(11) 91234-5678")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // The thread reads the approved template's body, as the customer got it.
    let c = until_out(&owner, "+5511912345678", "Hello! Thanks for contacting us").await;
    let detail = owner.get(&format!("/api/conversations/{c}")).await;
    assert_eq!(
        detail.body["number_id"], number.id,
        "the lead joined the flow's number"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let run = loop {
        let run = owner
            .get(&format!("/api/conversations/{c}/runs"))
            .await
            .body["items"][0]
            .clone();
        if run["state"] == "completed" || Instant::now() > deadline {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(
        run["variables"]["page"],
        crate::common::fake_facebook::PAGE_ID,
        "{run}"
    );
    let stats = owner.get(&format!("/api/flows/{flow}/stats")).await.body;
    assert_eq!(stats["runs"]["started"], 1, "once per contact: {stats}");
}

#[tokio::test]
async fn the_editor_simulator_runs_the_draft_with_a_virtual_clock() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let (nodes, edges) = qualify_flow();
    let mut nodes = nodes;
    nodes
        .as_array_mut()
        .unwrap()
        .push(node("wait", "delay", json!({"seconds": 3600})));
    nodes.as_array_mut().unwrap().push(node(
        "later",
        "message",
        json!({"kind": "text", "text": "An hour later"}),
    ));
    let mut edges = edges;
    let list = edges.as_array_mut().unwrap();
    list.retain(|e| e["id"] != "c-else");
    list.push(edge("c", "else", "wait"));
    list.push(edge("wait", "next", "later"));
    let r = owner
        .post(
            "/api/flows",
            json!({"name": "Draft", "nodes": nodes, "edges": edges}),
        )
        .await;
    let flow = r.body["id"].as_str().unwrap();
    let s = owner
        .post(
            &format!("/api/flows/{flow}/simulate"),
            json!({"text": "menu"}),
        )
        .await;
    assert_eq!(s.status, 201, "{}", s.body);
    assert_eq!(s.body["state"], "waiting_input");
    assert_eq!(s.body["messages"][1]["buttons"][0]["id"], "buy");
    let sid = s.body["session_id"].as_str().unwrap();
    let s = owner
        .post(
            &format!("/api/flows/simulations/{sid}/input"),
            json!({"reply_id": "buy"}),
        )
        .await;
    assert_eq!(
        s.body["messages"].as_array().unwrap().last().unwrap()["text"],
        "Your budget?"
    );
    let s = owner
        .post(
            &format!("/api/flows/simulations/{sid}/input"),
            json!({"text": "10"}),
        )
        .await;
    assert_eq!(s.body["state"], "waiting_timer", "{}", s.body);
    assert!(s.body["next_timer_at"].is_string());
    let s = owner
        .post(
            &format!("/api/flows/simulations/{sid}/advance"),
            json!({"seconds": 3600}),
        )
        .await;
    assert_eq!(s.body["state"], "completed", "{}", s.body);
    assert_eq!(
        s.body["messages"].as_array().unwrap().last().unwrap()["text"],
        "An hour later"
    );
    assert_eq!(s.body["variables"]["budget"], "10");
    let path: Vec<&str> = s.body["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(path, ["t", "menu", "q", "c", "wait", "later"]);
    let list = owner.get("/api/conversations?view=all").await;
    assert_eq!(list.body["items"], json!([]), "a simulation stores nothing");
}

/// The test run meets the trigger as production does: a keyword flow opens
/// with its keyword, and a first message without it starts nothing.
#[tokio::test]
async fn the_editor_simulator_starts_a_keyword_flow_only_on_its_keyword() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let nodes = json!([
        node(
            "t",
            "trigger",
            json!({"on": "keyword", "keywords": ["carro", "comprar"], "match": "contains"})
        ),
        node(
            "hi",
            "message",
            json!({"kind": "text", "text": "Qual carro?"})
        ),
    ]);
    let edges = json!([edge("t", "next", "hi")]);
    let r = owner
        .post(
            "/api/flows",
            json!({"name": "Cars", "nodes": nodes, "edges": edges}),
        )
        .await;
    let flow = r.body["id"].as_str().unwrap();
    let texts = |s: &serde_json::Value| -> Vec<String> {
        s["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap_or("").to_string())
            .collect()
    };

    let s = owner
        .post(&format!("/api/flows/{flow}/simulate"), json!({}))
        .await;
    assert_eq!(s.status, 201, "{}", s.body);
    assert_eq!(texts(&s.body), ["carro", "Qual carro?"], "{}", s.body);

    let s = owner
        .post(
            &format!("/api/flows/{flow}/simulate"),
            json!({"text": "Oi, boa tarde"}),
        )
        .await;
    assert_eq!(s.body["awaiting_trigger"], true, "{}", s.body);
    let said = texts(&s.body);
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[1].contains("does not start this flow"), "{said:?}");
    let sid = s.body["session_id"].as_str().unwrap();
    let s = owner
        .post(
            &format!("/api/flows/simulations/{sid}/input"),
            json!({"text": "Quero comprar um carro"}),
        )
        .await;
    assert_eq!(s.body["awaiting_trigger"], false, "{}", s.body);
    assert_eq!(
        texts(&s.body).last().map(String::as_str),
        Some("Qual carro?")
    );
}

#[tokio::test]
async fn a_running_conversation_finishes_on_the_version_it_started() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let version = |reply: &str| {
        (
            json!([
                node("t", "trigger", json!({"on": "any_message"})),
                node(
                    "q",
                    "question",
                    json!({"prompt": "Name?", "validate": "text", "save_to": "vars.name"})
                ),
                node("m", "message", json!({"kind": "text", "text": reply}))
            ]),
            json!([edge("t", "next", "q"), edge("q", "next", "m")]),
        )
    };
    let (nodes, edges) = version("v1 says thanks");
    let flow = publish(&owner, &number.id, "Versions", nodes, edges).await;
    h.webhook(&says(&number.pnid, "5511987650601", "wamid.V1", "hi"))
        .await;
    until_out(&owner, "+5511987650601", "Name?").await;

    let (nodes, edges) = version("v2 says thanks");
    owner
        .put(
            &format!("/api/flows/{flow}"),
            json!({"nodes": nodes, "edges": edges}),
        )
        .await;
    assert_eq!(
        owner.get(&format!("/api/flows/{flow}")).await.body["draft_changed"],
        true
    );
    assert_eq!(
        owner
            .post(&format!("/api/flows/{flow}/publish"), json!({}))
            .await
            .body["version"],
        2
    );

    h.webhook(&says(&number.pnid, "5511987650601", "wamid.V2", "Carla"))
        .await;
    until_out(&owner, "+5511987650601", "v1 says thanks").await;
    h.webhook(&says(&number.pnid, "5511987650602", "wamid.V3", "hi"))
        .await;
    h.webhook(&says(&number.pnid, "5511987650602", "wamid.V4", "Rui"))
        .await;
    until_out(&owner, "+5511987650602", "v2 says thanks").await;
    let v1 = owner.get(&format!("/api/flows/{flow}/versions/1")).await;
    assert!(
        v1.body["nodes"].to_string().contains("v1 says thanks"),
        "versions are immutable"
    );
}

#[tokio::test]
async fn a_flow_creates_a_real_follow_up_for_the_conversation() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    publish(
        &owner,
        &number.id,
        "Later call",
        json!([node("t", "trigger", json!({"on": "any_message"})),
               node("f", "action", json!({"action": "followup", "note": "Call {{contact.name}} back", "in_seconds": 3600})),
               node("m", "message", json!({"kind": "text", "text": "We will call you."}))]),
        json!([edge("t", "next", "f"), edge("f", "next", "m")]),
    )
    .await;
    h.webhook(&says(&number.pnid, "5511987650701", "wamid.FF1", "hi"))
        .await;
    let c = until_out(&owner, "+5511987650701", "We will call you.").await;
    let list = owner
        .get(&format!("/api/conversations/{c}/followups"))
        .await;
    let f = &list.body["items"][0];
    assert_eq!(f["note"], "Call Carla back", "{}", list.body);
    assert_eq!(
        f["assignee_id"],
        biz.owner_id.to_string(),
        "nobody assigned: an owner's"
    );
    let upcoming = owner.get("/api/followups?view=upcoming").await;
    assert_eq!(upcoming.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_flow_moved_to_another_number_lets_go_of_the_first() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let (first, second) = (sandbox(&owner).await, sandbox(&owner).await);
    let nodes = json!([
        node("t", "trigger", json!({"on": "any_message"})),
        node("m", "message", json!({"kind": "text", "text": "hi"}))
    ]);
    let edges = json!([edge("t", "next", "m")]);
    let vendas = publish(&owner, &first.id, "Vendas", nodes.clone(), edges.clone()).await;
    let moved = owner
        .put(
            &format!("/api/flows/{vendas}"),
            json!({"name": "Vendas", "whatsapp_number_id": second.id, "nodes": nodes, "edges": edges}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let p = owner
        .post(&format!("/api/flows/{vendas}/publish"), json!({}))
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    // The first number is free for another flow at once.
    let other = publish(&owner, &first.id, "Suporte", nodes.clone(), edges.clone()).await;
    // Deleting a flow frees its number too.
    let gone = owner.delete(&format!("/api/flows/{vendas}")).await;
    assert!(gone.status < 300, "{}", gone.body);
    publish(
        &owner,
        &second.id,
        "Pós-venda",
        nodes.clone(),
        edges.clone(),
    )
    .await;
    // And disabling frees it whatever the draft says now.
    let r = owner
        .put(
            &format!("/api/flows/{other}"),
            json!({"name": "Suporte", "whatsapp_number_id": second.id, "nodes": nodes, "edges": edges}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    owner
        .post(&format!("/api/flows/{other}/disable"), json!({}))
        .await;
    publish(&owner, &first.id, "Outro", nodes, edges).await;
}

#[tokio::test]
async fn disabling_a_flow_stops_the_runs_waiting_in_it() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let (nodes, edges) = qualify_flow();
    let flow = publish(&owner, &number.id, "Qualify", nodes, edges).await;
    let (pn, from, phone) = (number.pnid.as_str(), "5511987650202", "+5511987650202");
    h.webhook(&says(pn, from, "wamid.D1", "menu")).await;
    until_out(&owner, phone, "Hi Carla, what do you need?").await;
    h.webhook(&taps(pn, from, "wamid.D2", "buy", "Buy")).await;
    let conversation = until_out(&owner, phone, "Your budget?").await;
    let r = owner
        .post(&format!("/api/flows/{flow}/disable"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    h.webhook(&says(pn, from, "wamid.D3", "5000")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, items) = thread(&owner, phone).await;
    assert!(
        items.iter().all(|(_, t)| !t.contains("noted")),
        "the disabled flow went on: {items:?}"
    );
    let runs = owner
        .get(&format!("/api/conversations/{conversation}/runs"))
        .await;
    assert_eq!(runs.body["items"][0]["state"], "cancelled", "{}", runs.body);
}

#[tokio::test]
async fn what_a_step_saves_on_the_contact_is_what_its_next_nodes_read() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let nodes = json!([
        says_oi_trigger(),
        node(
            "q",
            "question",
            json!({"prompt": "Como você se chama?", "validate": "text", "save_to": "contact.name"})
        ),
        node(
            "hello",
            "message",
            json!({"kind": "text", "text": "Prazer, {{contact.name}}!"})
        ),
        node(
            "plan",
            "action",
            json!({"action": "set_field", "field": "contact.custom.plan", "value": "gold"})
        ),
        node(
            "tag",
            "action",
            json!({"action": "add_label", "label": "vip"})
        ),
        node(
            "c",
            "condition",
            json!({"branches": [{"id": "known", "match": "all", "rules": [
            {"field": "contact.name", "op": "equals", "value": "Roberto Carlos"},
            {"field": "contact.custom.plan", "op": "equals", "value": "gold"}]}]})
        ),
        node(
            "yes",
            "message",
            json!({"kind": "text", "text": "Plano {{contact.custom.plan}} para {{contact.name}}"})
        ),
        node(
            "no",
            "message",
            json!({"kind": "text", "text": "Quem é você?"})
        ),
    ]);
    let edges = json!([
        edge("t", "next", "q"),
        edge("q", "next", "hello"),
        edge("hello", "next", "plan"),
        edge("plan", "next", "tag"),
        edge("tag", "next", "c"),
        edge("c", "known", "yes"),
        edge("c", "else", "no"),
    ]);
    publish(&owner, &number.id, "Name", nodes, edges).await;
    let (pn, from, phone) = (number.pnid.as_str(), "5511987650303", "+5511987650303");
    h.webhook(&says(pn, from, "wamid.N1", "oi")).await;
    until_out(&owner, phone, "Como você se chama?").await;
    h.webhook(&says(pn, from, "wamid.N2", "Roberto Carlos"))
        .await;
    until_out(&owner, phone, "Prazer, Roberto Carlos!").await;
    until_out(&owner, phone, "Plano gold para Roberto Carlos").await;
    let (_, items) = thread(&owner, phone).await;
    assert!(items.iter().all(|(_, t)| t != "Quem é você?"), "{items:?}");
}

#[tokio::test]
async fn publish_refuses_what_would_only_fail_later_and_an_unchanged_draft_makes_no_new_version() {
    let h = Harness::start();
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = sandbox(&owner).await;
    let draft = |match_: &str, member: &str| {
        json!({"name": "Checks", "whatsapp_number_id": number.id,
            "nodes": [
                node("t", "trigger", json!({"on": "keyword", "keywords": ["oi"], "match": match_})),
                node("a", "action", json!({"action": "assign", "to": "member", "member_id": member})),
            ],
            "edges": [edge("t", "next", "a")]})
    };
    let r = owner.post("/api/flows", draft("fuzzy", "zzz")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let flow = r.body["id"].as_str().unwrap().to_string();
    let publish_path = format!("/api/flows/{flow}/publish");
    let publish = || owner.post(&publish_path, json!({}));
    let r = publish().await;
    assert_eq!(r.status, 422, "{}", r.body);
    let mut named: Vec<&str> = r.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["node_id"].as_str())
        .collect();
    named.sort_unstable();
    assert_eq!(named, ["a", "t"], "{}", r.body);

    let fixed = owner
        .put(
            &format!("/api/flows/{flow}"),
            draft("exact", &biz.member_id.to_string()),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    assert_eq!(publish().await.body["version"], 1);
    assert_eq!(publish().await.body["version"], 1, "nothing changed");
    let off = owner
        .post(&format!("/api/flows/{flow}/disable"), json!({}))
        .await;
    assert_eq!(off.status, 200);
    assert_eq!(publish().await.body["version"], 1, "back on, same version");
    let got = owner.get(&format!("/api/flows/{flow}")).await;
    assert_eq!(got.body["status"], "active", "{}", got.body);

    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let r = owner
        .raw(
            reqwest::Method::PUT,
            &format!("/api/flows/{flow}"),
            "application/json",
            format!("{{\"nodes\": {deep}}}").into_bytes(),
        )
        .await;
    assert!((400..500).contains(&r.status), "{}: {}", r.status, r.body);
    let mut data = json!(1);
    for _ in 0..40 {
        data = json!([data]);
    }
    let r = owner
        .put(
            &format!("/api/flows/{flow}"),
            json!({"nodes": [{"data": data}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(owner.get("/healthz").await.status, 200);
    let kept = owner.get(&format!("/api/flows/{flow}")).await;
    assert_eq!(
        kept.body["nodes"].as_array().unwrap().len(),
        2,
        "nothing stored"
    );
}

#[tokio::test]
async fn a_question_meta_refused_ends_its_run_instead_of_waiting_a_day() {
    let graph = crate::common::fake_graph::FakeGraph::start();
    let url = graph.url.clone();
    let h = Harness::start_with(move |c| c.meta.graph_url = url);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let number = h.register_number(&owner, "PN-Q").await;
    let nodes = json!([
        says_oi_trigger(),
        node(
            "q",
            "question",
            json!({"prompt": "Qual é o seu nome?", "validate": "text", "save_to": "vars.name"})
        ),
        node(
            "thanks",
            "message",
            json!({"kind": "text", "text": "Obrigado!"})
        ),
    ]);
    let edges = json!([edge("t", "next", "q"), edge("q", "next", "thanks")]);
    publish(&owner, &number, "Ask", nodes, edges).await;
    graph.fail_next(
        400,
        131047,
        "Re-engagement message: more than 24 hours have passed",
    );
    h.webhook(&says("PN-Q", "5511987650404", "wamid.Q1", "oi"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let run = loop {
        let (conversation, _) = thread(&owner, "+5511987650404").await;
        let runs = owner
            .get(&format!("/api/conversations/{conversation}/runs"))
            .await;
        let run = runs.body["items"][0].clone();
        if run["state"] == "failed" || Instant::now() > deadline {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(run["state"], "failed", "{run}");
    let why = run["error"].as_str().unwrap_or_default();
    assert!(
        why.contains("did not reach the customer") && why.contains("131047"),
        "{run}"
    );
}
