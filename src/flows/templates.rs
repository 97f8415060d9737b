//! Starter flows an owner can begin from, in the editor's own JSON.
use serde_json::{json, Value};

fn node(id: &str, kind: &str, x: i64, y: i64, data: Value) -> Value {
    json!({"id": id, "type": kind, "position": {"x": x, "y": y}, "data": data})
}

fn edge(source: &str, handle: &str, target: &str) -> Value {
    json!({"id": format!("e-{source}-{handle}-{target}"), "source": source, "sourceHandle": handle, "target": target})
}

/// Welcome and qualify: a menu, a budget question, a label, the pool.
pub fn welcome() -> (Vec<Value>, Vec<Value>) {
    let nodes = vec![
        node("trigger", "trigger", 0, 160, json!({"on": "any_message"})),
        node(
            "menu",
            "message",
            300,
            140,
            json!({"kind": "buttons",
            "text": "Hi {{contact.name}}! Welcome. What can we do for you?",
            "buttons": [{"id": "buy", "title": "Buy a car"}, {"id": "service", "title": "Book a service"},
                        {"id": "person", "title": "Talk to a person"}]}),
        ),
        node(
            "budget",
            "question",
            640,
            0,
            json!({"prompt": "Great! What budget do you have in mind?",
            "validate": "number", "save_to": "vars.budget", "retries": 2,
            "retry_prompt": "Please answer with a number, for example 25000."}),
        ),
        node(
            "label",
            "action",
            960,
            0,
            json!({"action": "add_label", "label": "qualified"}),
        ),
        node(
            "assign",
            "action",
            1240,
            0,
            json!({"action": "assign", "to": "pool"}),
        ),
        node(
            "thanks",
            "message",
            1520,
            0,
            json!({"kind": "text",
            "text": "Thanks, {{contact.name}}! A consultant will write to you in a moment."}),
        ),
        node(
            "service",
            "message",
            640,
            220,
            json!({"kind": "text",
            "text": "Sure! Tell us the day and time that suit you, and a person will confirm."}),
        ),
        node(
            "handoff",
            "action",
            960,
            300,
            json!({"action": "handoff", "note": "The customer asked for a person"}),
        ),
    ];
    let edges = vec![
        edge("trigger", "next", "menu"),
        edge("menu", "buy", "budget"),
        edge("budget", "next", "label"),
        edge("label", "next", "assign"),
        edge("assign", "next", "thanks"),
        edge("menu", "service", "service"),
        edge("service", "next", "handoff"),
        edge("menu", "person", "handoff"),
        edge("menu", "other", "handoff"),
        edge("budget", "invalid", "handoff"),
    ];
    (nodes, edges)
}

fn after_hours() -> (Vec<Value>, Vec<Value>) {
    let nodes = vec![
        node(
            "trigger",
            "trigger",
            0,
            0,
            json!({"on": "outside_hours", "open": "09:00", "close": "18:00",
            "days": [1, 2, 3, 4, 5], "utc_offset_minutes": 0}),
        ),
        node(
            "closed",
            "message",
            320,
            0,
            json!({"kind": "text",
            "text": "Thanks for your message! We are closed right now; we open Monday to Friday at 9:00 and will answer first thing."}),
        ),
    ];
    (nodes, vec![edge("trigger", "next", "closed")])
}

fn walkin_thanks() -> (Vec<Value>, Vec<Value>) {
    let nodes = vec![
        node(
            "trigger",
            "trigger",
            0,
            0,
            json!({"on": "new_lead", "source": "walkin"}),
        ),
        node(
            "hello",
            "message",
            320,
            0,
            json!({"kind": "template", "name": "hello_world", "language": "en_US", "parameters": []}),
        ),
        node(
            "notify",
            "action",
            640,
            0,
            json!({"action": "notify", "text": "Walk-in lead {{contact.name}} got the welcome message"}),
        ),
    ];
    (
        nodes,
        vec![
            edge("trigger", "next", "hello"),
            edge("hello", "next", "notify"),
        ],
    )
}

pub fn all() -> Vec<Value> {
    let entry = |key: &str,
                 name: &str,
                 description: &str,
                 (nodes, edges): (Vec<Value>, Vec<Value>)| {
        json!({"key": key, "name": name, "description": description, "nodes": nodes, "edges": edges})
    };
    vec![
        entry(
            "welcome",
            "Welcome and qualify",
            "Greets with a menu, asks the budget of buyers, labels and assigns them.",
            welcome(),
        ),
        entry(
            "after_hours",
            "Business-hours auto-reply",
            "Answers messages that arrive while you are closed.",
            after_hours(),
        ),
        entry(
            "walkin_thanks",
            "Walk-in thank-you",
            "Sends an approved template to every walk-in lead and tells the team.",
            walkin_thanks(),
        ),
    ]
}

/// Publishes the starter `key` on `number` as version 1 of a new active flow
/// (the demo's welcome flow).
pub fn install(
    ctx: &mut crate::store::WriteCtx,
    b: crate::store::ids::BusinessId,
    number: crate::store::ids::NumberId,
    name: &str,
    (nodes, edges): (Vec<Value>, Vec<Value>),
) -> Result<crate::store::ids::RecordId, crate::store::StoreError> {
    use super::model::{self, Flow, FlowOptions, FlowStatus, FlowVersion};
    let now = crate::time::now_ms();
    let flow = Flow {
        id: crate::store::ids::RecordId::new(),
        business_id: b,
        name: name.into(),
        number_id: Some(number),
        nodes: Value::from(nodes).to_string(),
        edges: Value::from(edges).to_string(),
        options: FlowOptions::default(),
        status: FlowStatus::Active,
        published_version: Some(1),
        draft_changed: false,
        created_at: now,
        updated_at: now,
    };
    model::save_version(
        ctx,
        &FlowVersion {
            flow_id: flow.id,
            business_id: b,
            version: 1,
            nodes: flow.nodes.clone(),
            edges: flow.edges.clone(),
            options: flow.options.clone(),
            published_at: now,
            published_by: None,
        },
    )?;
    model::save(ctx, &flow)?;
    model::set_active(ctx, b, number, Some(flow.id))?;
    Ok(flow.id)
}
