//! The engine and the rules, node by node, without a store.
use serde_json::{json, Value};

use super::{
    engine::{advance, Cursor, Effect, Input, RunState, World, MAX_STEPS},
    graph::Graph,
    validate::validate,
};

fn graph(nodes: Value, edges: Value) -> Graph {
    Graph::parse(&nodes, &edges).unwrap()
}

fn n(id: &str, kind: &str, data: Value) -> Value {
    json!({"id": id, "type": kind, "position": {"x": 0, "y": 0}, "data": data})
}

fn e(source: &str, handle: &str, target: &str) -> Value {
    json!({"id": format!("{source}-{handle}"), "source": source, "sourceHandle": handle, "target": target})
}

fn world() -> World {
    World {
        now: 1_000_000,
        contact: [("name".to_string(), "Carla".to_string())].into(),
        window_open: true,
        source: "whatsapp".into(),
        ..World::default()
    }
}

fn sent(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { body, .. } => Some(
                body["text"]
                    .as_str()
                    .or_else(|| body["interactive"]["body"].as_str())
                    .unwrap_or("?")
                    .to_string(),
            ),
            _ => None,
        })
        .collect()
}

fn reply<'a>(text: &'a str, id: Option<&'a str>) -> Input<'a> {
    Input::Reply {
        text,
        reply_id: id,
        at: 2_000_000,
    }
}

#[test]
fn a_text_message_interpolates_and_the_run_completes() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "m",
                "message",
                json!({"kind": "text", "text": "Hi {{contact.name}}{{vars.none}}!"})
            )
        ]),
        json!([e("t", "next", "m")]),
    );
    let mut run = Cursor::new();
    let out = advance(&mut run, &g, Input::Start, &world());
    assert_eq!(sent(&out), ["Hi Carla!"]);
    assert_eq!(run.state, RunState::Completed);
}

#[test]
fn buttons_branch_by_the_tapped_id_or_its_title_and_other_and_timeout() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "menu",
                "message",
                json!({"kind": "buttons", "text": "Pick", "timeout_seconds": 60,
                   "buttons": [{"id": "a", "title": "Alpha"}, {"id": "b", "title": "Beta"}]})
            ),
            n("ma", "message", json!({"kind": "text", "text": "A"})),
            n("mb", "message", json!({"kind": "text", "text": "B"})),
            n("mo", "message", json!({"kind": "text", "text": "other"})),
            n("mt", "message", json!({"kind": "text", "text": "late"}))
        ]),
        json!([
            e("t", "next", "menu"),
            e("menu", "a", "ma"),
            e("menu", "b", "mb"),
            e("menu", "other", "mo"),
            e("menu", "timeout", "mt")
        ]),
    );
    let start = || {
        let mut run = Cursor::new();
        advance(&mut run, &g, Input::Start, &world());
        assert_eq!(run.state, RunState::WaitingInput);
        run
    };
    let mut run = start();
    assert_eq!(
        sent(&advance(&mut run, &g, reply("Alpha", Some("a")), &world())),
        ["A"]
    );
    let mut run = start();
    assert_eq!(
        sent(&advance(&mut run, &g, reply("beta", None), &world())),
        ["B"],
        "the title typed"
    );
    let mut run = start();
    assert_eq!(
        sent(&advance(&mut run, &g, reply("what?", None), &world())),
        ["other"]
    );
    let mut run = start();
    let stale = run.timer_seq - 1;
    assert!(
        advance(&mut run, &g, Input::Timer { seq: stale }, &world()).is_empty(),
        "a stale timer does nothing"
    );
    let seq = run.timer_seq;
    assert_eq!(
        sent(&advance(&mut run, &g, Input::Timer { seq }, &world())),
        ["late"]
    );
    assert!(
        advance(&mut run, &g, reply("Alpha", Some("a")), &world()).is_empty(),
        "a finished run takes no reply"
    );
}

#[test]
fn a_question_retries_then_takes_invalid_and_saves_valid_answers() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "q",
                "question",
                json!({"prompt": "Budget?", "validate": "number", "save_to": "vars.budget", "retries": 1, "retry_prompt": "A number, please"})
            ),
            n(
                "ok",
                "message",
                json!({"kind": "text", "text": "Noted {{vars.budget}}"})
            ),
            n(
                "bad",
                "message",
                json!({"kind": "text", "text": "Never mind"})
            )
        ]),
        json!([
            e("t", "next", "q"),
            e("q", "next", "ok"),
            e("q", "invalid", "bad")
        ]),
    );
    let mut run = Cursor::new();
    assert_eq!(
        sent(&advance(&mut run, &g, Input::Start, &world())),
        ["Budget?"]
    );
    let early = Input::Reply {
        text: "5",
        reply_id: None,
        at: 0,
    };
    assert!(
        advance(&mut run, &g, early, &world()).is_empty(),
        "a message older than the question answers nothing"
    );
    assert_eq!(
        sent(&advance(&mut run, &g, reply("lots", None), &world())),
        ["A number, please"]
    );
    assert_eq!(
        sent(&advance(&mut run, &g, reply("5000", None), &world())),
        ["Noted 5000"]
    );
    assert_eq!(run.vars["budget"], "5000");
    let mut run = Cursor::new();
    advance(&mut run, &g, Input::Start, &world());
    advance(&mut run, &g, reply("x", None), &world());
    assert_eq!(
        sent(&advance(&mut run, &g, reply("y", None), &world())),
        ["Never mind"]
    );
}

#[test]
fn a_question_without_retry_text_says_what_was_wrong_before_asking_again() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "q",
                "question",
                json!({"prompt": "Your email?", "validate": "email", "save_to": "contact.email"})
            )
        ]),
        json!([e("t", "next", "q")]),
    );
    let mut run = Cursor::new();
    advance(&mut run, &g, Input::Start, &world());
    assert_eq!(
        sent(&advance(
            &mut run,
            &g,
            reply("not an address", None),
            &world()
        )),
        ["That doesn't look like an email address. Please check it.\n\nYour email?"]
    );
}

#[test]
fn conditions_take_the_first_branch_that_holds_else_the_else() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "c",
                "condition",
                json!({"branches": [
                   {"id": "vip", "match": "all", "rules": [{"field": "label", "op": "equals", "value": "vip"}]},
                   {"id": "big", "match": "any", "rules": [{"field": "vars.budget", "op": "gt", "value": "1000"},
                                                             {"field": "contact.name", "op": "matches", "value": "^car"}]}]})
            ),
            n("v", "message", json!({"kind": "text", "text": "vip"})),
            n("b", "message", json!({"kind": "text", "text": "big"})),
            n("x", "message", json!({"kind": "text", "text": "else"}))
        ]),
        json!([
            e("t", "next", "c"),
            e("c", "vip", "v"),
            e("c", "big", "b"),
            e("c", "else", "x")
        ]),
    );
    let mut w = world();
    let mut run = Cursor::new();
    assert_eq!(
        sent(&advance(&mut run, &g, Input::Start, &w)),
        ["big"],
        "Carla matches ^car"
    );
    w.contact.insert("name".into(), "Rui".into());
    let mut run = Cursor::new();
    assert_eq!(sent(&advance(&mut run, &g, Input::Start, &w)), ["else"]);
    w.labels.push("VIP".into());
    let mut run = Cursor::new();
    assert_eq!(sent(&advance(&mut run, &g, Input::Start, &w)), ["vip"]);
}

#[test]
fn a_delay_waits_for_its_timer_and_actions_become_effects() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n("d", "delay", json!({"seconds": 5})),
            n(
                "l",
                "action",
                json!({"action": "add_label", "label": "waited"})
            ),
            n(
                "f",
                "action",
                json!({"action": "set_field", "field": "vars.step", "value": "two"})
            ),
            n(
                "h",
                "action",
                json!({"action": "handoff", "note": "over to you"})
            )
        ]),
        json!([
            e("t", "next", "d"),
            e("d", "next", "l"),
            e("l", "next", "f"),
            e("f", "next", "h")
        ]),
    );
    let mut run = Cursor::new();
    let out = advance(&mut run, &g, Input::Start, &world());
    assert_eq!(run.state, RunState::WaitingTimer);
    assert!(out.contains(&Effect::Timer {
        at: 1_005_000,
        seq: 1
    }));
    assert!(
        advance(&mut run, &g, reply("hello?", None), &world()).is_empty(),
        "a delay takes no reply"
    );
    let out = advance(&mut run, &g, Input::Timer { seq: 1 }, &world());
    assert!(out.contains(&Effect::AddLabel("waited".into())));
    assert!(out.contains(&Effect::Handoff("over to you".into())));
    assert_eq!(run.vars["step"], "two");
    assert_eq!(run.state, RunState::Completed);
}

#[test]
fn a_closed_window_sends_the_fallback_template_and_loops_are_stopped() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "m",
                "message",
                json!({"kind": "text", "text": "Hi",
                   "fallback_template": {"name": "hello_world", "language": "en_US", "parameters": []}})
            )
        ]),
        json!([e("t", "next", "m")]),
    );
    let mut w = world();
    w.window_open = false;
    let out = advance(&mut Cursor::new(), &g, Input::Start, &w);
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Send { body, .. } if body["type"] == "template")),
        "{out:?}"
    );

    // Two actions pointing at each other: the step budget ends it.
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n("a", "action", json!({"action": "add_label", "label": "x"})),
            n(
                "b",
                "action",
                json!({"action": "remove_label", "label": "x"})
            )
        ]),
        json!([
            e("t", "next", "a"),
            e("a", "next", "b"),
            e("b", "next", "a")
        ]),
    );
    let mut run = Cursor::new();
    let out = advance(&mut run, &g, Input::Start, &world());
    assert_eq!(run.state, RunState::Failed);
    assert!(out.len() < 3 * MAX_STEPS as usize);
    assert!(
        validate(&g)
            .iter()
            .any(|p| p.message.contains("never waits")),
        "and publishing refuses it"
    );
}

#[test]
fn validation_names_each_broken_rule_and_its_node() {
    let g = graph(
        json!([
            n("t1", "trigger", json!({"on": "keyword", "keywords": []})),
            n("t2", "trigger", json!({"on": "any_message"})),
            n(
                "m",
                "message",
                json!({"kind": "buttons", "text": "x", "buttons": [
                   {"id": "1", "title": "a"}, {"id": "2", "title": "b"}, {"id": "3", "title": "c"}, {"id": "4", "title": "d"}]})
            ),
            n(
                "lonely",
                "message",
                json!({"kind": "text", "text": "nobody reaches me"})
            ),
            n("d", "delay", json!({"seconds": 90_000})),
            n(
                "late",
                "message",
                json!({"kind": "text", "text": "too late"})
            )
        ]),
        json!([
            e("t1", "next", "m"),
            e("m", "1", "d"),
            e("d", "next", "late"),
            e("m", "2", "ghost"),
            e("m", "nope", "late")
        ]),
    );
    let problems = validate(&g);
    let has = |node: &str, text: &str| {
        problems
            .iter()
            .any(|p| p.node_id.as_deref() == Some(node) && p.message.contains(text))
    };
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("exactly one trigger")),
        "{problems:?}"
    );
    assert!(has("t1", "keyword"), "{problems:?}");
    assert!(has("m", "1 to 3 reply buttons"), "{problems:?}");
    assert!(has("m", "dangling"), "{problems:?}");
    assert!(has("m", "handle this node does not have"), "{problems:?}");
    assert!(has("lonely", "no path"), "{problems:?}");
    assert!(has("late", "24 hours"), "{problems:?}");
}

#[test]
fn lists_media_templates_and_every_action_become_their_effects() {
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "img",
                "message",
                json!({"kind": "media", "media_type": "image", "url": "https://x.test/a.jpg", "caption": "For {{contact.name}}"})
            ),
            n(
                "tpl",
                "message",
                json!({"kind": "template", "name": "follow_up", "language": "en_US", "parameters": ["{{contact.name}}", "the sofa"]})
            ),
            n("as", "action", json!({"action": "assign", "to": "pool"})),
            n(
                "no",
                "action",
                json!({"action": "notify", "text": "New lead {{contact.name}}"})
            ),
            n(
                "fu",
                "action",
                json!({"action": "followup", "note": "Call back", "in_seconds": 60})
            ),
            n("cl", "action", json!({"action": "close"})),
            n(
                "list",
                "message",
                json!({"kind": "list", "text": "Pick a store", "button": "Stores",
                   "sections": [{"title": "City", "rows": [{"id": "north", "title": "North"}, {"id": "south", "title": "South"}]}]})
            ),
            n(
                "s",
                "message",
                json!({"kind": "text", "text": "South it is"})
            )
        ]),
        json!([
            e("t", "next", "img"),
            e("img", "next", "tpl"),
            e("tpl", "next", "as"),
            e("as", "next", "no"),
            e("no", "next", "fu"),
            e("fu", "next", "cl"),
            e("cl", "next", "list"),
            e("list", "south", "s")
        ]),
    );
    assert!(validate(&g).is_empty(), "{:?}", validate(&g));
    let mut run = Cursor::new();
    let out = advance(&mut run, &g, Input::Start, &world());
    let bodies: Vec<&Value> = out
        .iter()
        .filter_map(|e| match e {
            Effect::Send { body, .. } => Some(body),
            _ => None,
        })
        .collect();
    assert_eq!(
        bodies[0]["image"],
        json!({"link": "https://x.test/a.jpg", "caption": "For Carla"})
    );
    assert_eq!(
        bodies[1]["template"]["parameters"],
        json!(["Carla", "the sofa"])
    );
    assert_eq!(bodies[2]["interactive"]["type"], "list");
    assert!(out
        .iter()
        .any(|e| matches!(e, Effect::Assign(d) if d["to"] == "pool")));
    assert!(out.contains(&Effect::Notify("New lead Carla".into())));
    assert!(out.contains(&Effect::Followup {
        note: "Call back".into(),
        at: 1_060_000
    }));
    assert!(out.contains(&Effect::Close));
    assert_eq!(run.state, RunState::WaitingInput);
    assert_eq!(
        sent(&advance(
            &mut run,
            &g,
            reply("South", Some("south")),
            &world()
        )),
        ["South it is"]
    );
}

#[test]
fn business_hours_conditions_read_the_clock_in_the_business_time_zone() {
    let hours = json!({"open": "09:00", "close": "18:00", "days": [1, 2, 3, 4, 5], "utc_offset_minutes": 0});
    let g = graph(
        json!([
            n("t", "trigger", json!({"on": "any_message"})),
            n(
                "c",
                "condition",
                json!({"branches": [{"id": "open", "rules": [{"field": "business_hours", "op": "is_open", "value": hours}]}]})
            ),
            n("o", "message", json!({"kind": "text", "text": "open"})),
            n("x", "message", json!({"kind": "text", "text": "closed"}))
        ]),
        json!([
            e("t", "next", "c"),
            e("c", "open", "o"),
            e("c", "else", "x")
        ]),
    );
    let at = |s: &str| World {
        now: chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis(),
        ..world()
    };
    assert_eq!(
        sent(&advance(
            &mut Cursor::new(),
            &g,
            Input::Start,
            &at("2026-11-26T10:00:00Z")
        )),
        ["open"]
    );
    assert_eq!(
        sent(&advance(
            &mut Cursor::new(),
            &g,
            Input::Start,
            &at("2026-11-26T20:00:00Z")
        )),
        ["closed"]
    );
}
