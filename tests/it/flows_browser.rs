//! The flow editor in Chromium: an owner drags a message onto a blank flow,
//! wires it to the trigger, writes it, publishes, and a customer in the
//! WhatsApp simulator gets the automated reply.
use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use serde_json::json;

use crate::{
    common::{browser, Biz, Client, Harness},
    inbox_browser::{sign_in, until},
};

/// HTML5 drag-and-drop as a person does it, from a palette item to a point of
/// the canvas (WebDriver's pointer actions do not drive HTML5 drag events).
const DRAG: &str = r#"
const [from, to, dx, dy] = arguments;
const r = to.getBoundingClientRect();
const at = {clientX: r.left + dx, clientY: r.top + dy, bubbles: true, cancelable: true};
const dt = new DataTransfer();
from.dispatchEvent(new DragEvent('dragstart', {dataTransfer: dt, bubbles: true, cancelable: true}));
to.dispatchEvent(new DragEvent('dragenter', {...at, dataTransfer: dt}));
to.dispatchEvent(new DragEvent('dragover', {...at, dataTransfer: dt}));
to.dispatchEvent(new DragEvent('drop', {...at, dataTransfer: dt}));
from.dispatchEvent(new DragEvent('dragend', {dataTransfer: dt, bubbles: true}));
"#;

/// A business whose signed-in owner has a sandbox number (its id).
async fn owner_with_sandbox(h: &Harness) -> (Biz, Client, String) {
    let biz = h.new_business("Sunrise").await;
    let owner = h.login(biz.owner()).await;
    let number = owner
        .post("/api/whatsapp/numbers", json!({"sandbox": true}))
        .await;
    assert_eq!(number.status, 201, "{}", number.body);
    let id = number.body["id"].as_str().unwrap().to_string();
    (biz, owner, id)
}

#[tokio::test]
async fn an_owner_builds_a_two_node_flow_by_drag_and_drop_and_the_customer_gets_its_reply() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, number) = owner_with_sandbox(&h).await;

    sign_in(&b, &h, biz.owner(), "/flows").await;
    b.click("flow-new").await;
    b.fill("flow-name", "Hello flow").await;
    let select = b.el("flow-number").await;
    select.select_by_value(&number).await.expect("number");
    b.el("flow-template")
        .await
        .select_by_value("")
        .await
        .expect("blank");
    b.click("flow-create").await;
    b.el("flow-canvas").await;
    until(
        &b,
        "[data-testid=\"flow-node\"][data-node-type=\"trigger\"]",
        "the blank flow's trigger",
    )
    .await;

    // Drag a message from the palette onto the canvas, right of the trigger.
    let item = b
        .css("[data-testid=\"palette-item\"][data-node-type=\"message\"]")
        .await;
    let canvas = b.el("flow-canvas").await;
    b.client
        .execute(
            DRAG,
            vec![json!(item), json!(canvas), json!(760), json!(300)],
        )
        .await
        .expect("drag");
    let message = until(
        &b,
        "[data-testid=\"flow-node\"][data-node-type=\"message\"]",
        "the dropped message",
    )
    .await;
    let message_id = message
        .attr("data-node-id")
        .await
        .unwrap()
        .expect("node id");

    // Wire the trigger's handle to the message with the mouse.
    let source = b
        .css("[data-testid=\"flow-node\"][data-node-type=\"trigger\"] .react-flow__handle.source")
        .await;
    let target = b
        .css(&format!(
            ".react-flow__handle.target[data-nodeid=\"{message_id}\"]"
        ))
        .await;
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: source,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: 40,
            y: 10,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(300)),
            x: 0,
            y: 0,
        })
        .then(PointerAction::Up { button: 0 });
    b.client.perform_actions(mouse).await.expect("connect");
    until(&b, ".react-flow__edge", "the edge from the trigger").await;

    // The dropped node is selected; its side panel opens with it.
    let panel = format!("[data-testid=\"node-panel\"][data-node-id=\"{message_id}\"]");
    until(&b, &panel, "the message's side panel").await;
    b.fill("node-text", "Hello from the flow!").await;
    until(
        &b,
        "[data-testid=\"flow-save-state\"][data-state=\"saved\"]",
        "the autosaved draft",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    until(
        &b,
        "[data-testid=\"flow-save-state\"][data-state=\"saved\"]",
        "the autosaved draft",
    )
    .await;
    b.screenshot("flow-editor-built").await;
    b.click("flow-publish").await;
    let version = until(
        &b,
        "[data-testid=\"flow-published-version\"]",
        "the published version",
    )
    .await;
    assert_eq!(version.text().await.unwrap().trim(), "1");

    // A customer writes to the sandbox number: the flow answers.
    b.client.goto(&h.url("/simulator")).await.unwrap();
    b.fill("sim-new-phone", "5511987650901").await;
    b.fill("sim-new-name", "Iris").await;
    b.click("sim-new-start").await;
    b.fill("sim-input", "hi").await;
    b.click("sim-send").await;
    let reply = until(
        &b,
        "[data-testid=\"sim-message\"][data-from=\"business\"]",
        "the automated reply on the phone",
    )
    .await;
    assert!(reply.text().await.unwrap().contains("Hello from the flow!"));
    b.screenshot("flow-reply-in-simulator").await;
    let flows = owner.get("/api/flows").await;
    assert_eq!(
        flows.body["items"][0]["stats"]["runs_completed"], 1,
        "{}",
        flows.body
    );

    // The list stops an active flow without opening it.
    b.client.goto(&h.url("/flows")).await.unwrap();
    until(
        &b,
        "[data-testid=\"flow-row\"][data-status=\"active\"]",
        "the active flow",
    )
    .await;
    b.click("flow-row-menu").await;
    b.click("flow-row-disable").await;
    until(
        &b,
        "[data-testid=\"flow-row\"][data-status=\"disabled\"]",
        "the disabled flow",
    )
    .await;
    let _ = b.client.clone().close().await;
}

#[tokio::test]
async fn assign_steps_on_the_canvas_name_the_member_and_the_team() {
    let Some(b) = browser::start(1440, 900).await else {
        return;
    };
    let h = Harness::start();
    let (biz, owner, number) = owner_with_sandbox(&h).await;
    let at = |x: i64| json!({"x": x, "y": 80});
    let flow = owner
        .post(
            "/api/flows",
            json!({"name": "Routing", "whatsapp_number_id": number,
                   "nodes": [
                       {"id": "t", "type": "trigger", "position": at(0), "data": {"on": "any_message"}},
                       {"id": "to-member", "type": "action", "position": at(300),
                        "data": {"action": "assign", "to": "member", "member_id": biz.member_id}},
                       {"id": "to-team", "type": "action", "position": at(600),
                        "data": {"action": "assign", "to": "team", "team_id": biz.team_b}}],
                   "edges": [{"id": "e1", "source": "t", "target": "to-member", "sourceHandle": "next"},
                             {"id": "e2", "source": "to-member", "target": "to-team", "sourceHandle": "next"}]}),
        )
        .await;
    assert_eq!(flow.status, 201, "{}", flow.body);
    let id = flow.body["id"].as_str().unwrap();

    sign_in(&b, &h, biz.owner(), &format!("/flows/{id}")).await;
    for (node, name) in [("to-member", "member 2"), ("to-team", "Team B")] {
        let css = format!("[data-testid=\"flow-node\"][data-node-id=\"{node}\"]");
        let el = until(&b, &css, "the assign step").await;
        let mut text = String::new();
        for _ in 0..50 {
            text = el.text().await.unwrap_or_default();
            if text.contains(name) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(text.contains(&format!("Assign: {name}")), "{node}: {text}");
    }
    b.screenshot("flow-assign-names").await;

    // Steps added by clicking the palette go below the taken centre, and the
    // view follows each one.
    for i in 0..6 {
        b.css("[data-testid=\"palette-item\"][data-node-type=\"message\"]")
            .await
            .click()
            .await
            .expect("palette");
        let mut seen = json!(null);
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            seen = b
                .client
                .execute(
                    r#"const c = document.querySelector('[data-testid="flow-canvas"]').getBoundingClientRect();
                       const ns = document.querySelectorAll('[data-testid="flow-node"][data-node-type="message"]');
                       const r = ns[ns.length - 1].getBoundingClientRect();
                       return {n: ns.length, inside: r.top >= c.top && r.bottom <= c.bottom && r.left >= c.left && r.right <= c.right};"#,
                    vec![],
                )
                .await
                .expect("rects");
            if seen["n"] == i + 1 && seen["inside"] == true {
                break;
            }
        }
        assert_eq!(seen["n"], i + 1, "step {i}: {seen}");
        assert_eq!(seen["inside"], true, "step {i} is in view: {seen}");
    }
    b.screenshot("flow-added-steps-in-view").await;
    let _ = b.client.clone().close().await;
}
