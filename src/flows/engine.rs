//! The flow engine as a pure state machine: given a run, the flow's graph,
//! one input (start, a customer reply, a timer, a webhook's answer) and what
//! the engine may know of the world, it moves the run and returns the side
//! effects to perform. Production applies them in the same write transaction
//! (outbox, timers, assignment); the editor's simulator applies them to a
//! throwaway chat. Nothing here sleeps, reads the clock or touches the store.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    decide::{answer, branch_holds},
    graph::{waits_for_reply, Graph, Node},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    WaitingInput,
    WaitingTimer,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl RunState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RunState::Completed | RunState::Failed | RunState::Cancelled | RunState::Expired
        )
    }
}

/// Where a run is and what it knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub state: RunState,
    pub node: Option<String>,
    pub vars: BTreeMap<String, String>,
    pub visits: BTreeMap<String, u32>,
    /// Failed answers to the current question.
    pub retries: u32,
    /// When the current wait began: a reply sent before it answers nothing.
    pub waiting_since: i64,
    /// Bumped by every wait, so a stale timer finds a different number.
    pub timer_seq: u64,
    pub timer_at: Option<i64>,
    pub error: Option<String>,
}

impl Cursor {
    pub fn new() -> Cursor {
        Cursor {
            state: RunState::Running,
            node: None,
            vars: BTreeMap::new(),
            visits: BTreeMap::new(),
            retries: 0,
            waiting_since: 0,
            timer_seq: 0,
            timer_at: None,
            error: None,
        }
    }
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor::new()
    }
}

pub enum Input<'a> {
    Start,
    /// The customer wrote (`reply_id` for a tapped button or list row), at `at`.
    Reply {
        text: &'a str,
        reply_id: Option<&'a str>,
        at: i64,
    },
    Timer {
        seq: u64,
    },
    WebhookDone {
        seq: u64,
        ok: bool,
        vars: Vec<(String, String)>,
    },
    /// Start again from a chosen node (an operator resuming a failed run).
    ResumeAt(String),
}

/// What the engine may know of the contact and conversation.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub now: i64,
    pub contact: BTreeMap<String, String>,
    pub labels: Vec<String>,
    pub source: String,
    /// Whether the 24-hour customer-service window is open now.
    pub window_open: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A message in the API's shape (`{type: text|interactive|template|image…}`).
    Send {
        node: String,
        body: Value,
    },
    Timer {
        at: i64,
        seq: u64,
    },
    Assign(Value),
    AddLabel(String),
    RemoveLabel(String),
    SetField {
        field: String,
        value: String,
    },
    Followup {
        note: String,
        at: i64,
    },
    Webhook {
        seq: u64,
        data: Value,
    },
    Notify(String),
    Close,
    Handoff(String),
    /// A step for the run's history: the node and the handle it left by.
    Step {
        node: String,
        handle: Option<String>,
    },
}

/// Automatic steps one input may take before the run is stopped.
pub const MAX_STEPS: u32 = 50;
/// Times one run may enter the same node.
pub const MAX_VISITS: u32 = 20;
const DEFAULT_TIMEOUT: i64 = 86_400;

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or("")
}

/// `{{contact.name}}`, `{{vars.x}}` → their values ("" when unknown).
pub fn interpolate(text: &str, run: &Cursor, world: &World) -> String {
    crate::placeholders::fill(text, |name| Some(lookup(name, run, world)))
}

/// A field the conditions and variables name: `vars.x`, `contact.name`…
pub fn lookup(field: &str, run: &Cursor, world: &World) -> String {
    if let Some(k) = field.strip_prefix("vars.") {
        return run.vars.get(k).cloned().unwrap_or_default();
    }
    if let Some(k) = field.strip_prefix("contact.") {
        return world.contact.get(k).cloned().unwrap_or_default();
    }
    match field {
        "source" => world.source.clone(),
        _ => String::new(),
    }
}

pub(super) struct Step<'g> {
    pub(super) g: &'g Graph,
    /// The world as this step leaves it: what a node saves on the contact
    /// is what the nodes after it in the same step read.
    pub(super) world: World,
    pub(super) effects: Vec<Effect>,
}

impl<'g> Step<'g> {
    /// Saves `value` on the contact: now for the rest of this step, and
    /// for good when the effects are applied (by the same rules).
    pub(super) fn set_field(&mut self, field: &str, value: String) {
        let field = field.trim_start_matches("contact.");
        let seen = match field {
            "name" => Some(value.chars().take(120).collect()),
            "email" => crate::auth::users::valid_email(&value).then(|| value.trim().to_lowercase()),
            f => f
                .strip_prefix("custom.")
                .filter(|k| crate::contacts::valid_field_key(k))
                .map(|_| value.clone()),
        };
        if let Some(v) = seen {
            self.world.contact.insert(field.to_string(), v);
        }
        self.effects.push(Effect::SetField {
            field: field.to_string(),
            value,
        });
    }

    pub(super) fn wait(&mut self, run: &mut Cursor, state: RunState, seconds: i64) {
        run.state = state;
        run.timer_seq += 1;
        run.waiting_since = self.world.now;
        let at = self.world.now + seconds * 1000;
        run.timer_at = Some(at);
        self.effects.push(Effect::Timer {
            at,
            seq: run.timer_seq,
        });
    }

    pub(super) fn send(&mut self, node: &Node, body: Value) {
        self.effects.push(Effect::Send {
            node: node.id.clone(),
            body,
        });
    }

    /// Leaves `node` by `handle`: the next node, or the end of the run.
    pub(super) fn leave(&mut self, run: &mut Cursor, node: &str, handle: &str) {
        self.effects.push(Effect::Step {
            node: node.to_string(),
            handle: Some(handle.to_string()),
        });
        run.retries = 0;
        run.timer_at = None;
        match self.g.next(node, handle) {
            Some(next) => {
                run.node = Some(next.to_string());
                run.state = RunState::Running;
            }
            None => {
                run.node = None;
                run.state = RunState::Completed;
            }
        }
    }

    pub(super) fn fail(&mut self, run: &mut Cursor, why: &str) {
        run.state = RunState::Failed;
        run.error = Some(why.to_string());
        run.timer_at = None;
    }
}

/// Moves the run by one input, then automatically until it waits or ends.
pub fn advance(run: &mut Cursor, g: &Graph, input: Input, world: &World) -> Vec<Effect> {
    let mut st = Step {
        g,
        world: world.clone(),
        effects: Vec::new(),
    };
    match input {
        Input::Start => match g.trigger() {
            Some(t) => {
                st.effects.push(Effect::Step {
                    node: t.id.clone(),
                    handle: None,
                });
                st.leave(run, &t.id.clone(), "next");
            }
            None => st.fail(run, "the flow has no trigger"),
        },
        Input::ResumeAt(node) => {
            if g.node(&node).is_none() {
                st.fail(run, "no such node to resume at");
                return st.effects;
            }
            run.node = Some(node);
            run.state = RunState::Running;
            run.error = None;
        }
        Input::Reply { text, reply_id, at } => {
            // WhatsApp stamps messages to the second: within the second the
            // question went out, a reply counts as after it.
            if run.state != RunState::WaitingInput || at / 1000 < run.waiting_since / 1000 {
                return st.effects;
            }
            let Some(node) = run.node.clone().and_then(|id| g.node(&id).cloned()) else {
                return st.effects;
            };
            run.vars.insert(
                "last_message".into(),
                text.trim().chars().take(1000).collect(),
            );
            answer(&mut st, run, &node, text, reply_id);
        }
        Input::Timer { seq } => {
            let waiting = matches!(run.state, RunState::WaitingInput | RunState::WaitingTimer);
            if !waiting || seq != run.timer_seq {
                return st.effects;
            }
            let Some(node) = run.node.clone() else {
                return st.effects;
            };
            // A webhook that never answered ends by its error handle.
            let webhook = g.node(&node).is_some_and(|n| n.kind == "action");
            let handle = match run.state {
                RunState::WaitingTimer if webhook => "error",
                RunState::WaitingTimer => "next",
                _ => "timeout",
            };
            st.leave(run, &node, handle);
            // Nobody answered and the flow says nothing more: the run expired.
            if handle == "timeout" && run.state == RunState::Completed {
                run.state = RunState::Expired;
            }
        }
        Input::WebhookDone { seq, ok, vars } => {
            if run.state != RunState::WaitingTimer || seq != run.timer_seq {
                return st.effects;
            }
            run.vars.extend(vars);
            let Some(node) = run.node.clone() else {
                return st.effects;
            };
            st.leave(run, &node, if ok { "next" } else { "error" });
        }
    }
    let mut steps = 0;
    while run.state == RunState::Running {
        steps += 1;
        if steps > MAX_STEPS {
            st.fail(
                run,
                "stopped: too many automatic steps for one message (a loop?)",
            );
            break;
        }
        let Some(node) = run.node.clone().and_then(|id| g.node(&id).cloned()) else {
            st.fail(run, "the run points at a node that is gone");
            break;
        };
        let visits = run.visits.entry(node.id.clone()).or_insert(0);
        *visits += 1;
        if *visits > MAX_VISITS {
            st.fail(run, "stopped: this run entered the same node too often");
            break;
        }
        execute(&mut st, run, &node);
    }
    st.effects
}

fn message_body(node: &Node, run: &Cursor, world: &World) -> Value {
    let d = &node.data;
    let text = interpolate(s(d, "text"), run, world);
    let template = |t: &Value| {
        let params: Vec<Value> = t["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| json!(interpolate(p.as_str().unwrap_or(""), run, world)))
            .collect();
        json!({"type": "template", "template": {"name": s(t, "name"), "language": s(t, "language"), "parameters": params}})
    };
    let fallback = &d["fallback_template"];
    if !world.window_open && d["kind"] != "template" && !s(fallback, "name").is_empty() {
        return template(fallback);
    }
    match s(d, "kind") {
        "buttons" => json!({"type": "interactive", "interactive": {"type": "button", "body": text,
            "buttons": d["buttons"].as_array().into_iter().flatten()
                .map(|b| json!({"id": s(b, "id"), "title": s(b, "title")})).collect::<Vec<_>>()}}),
        "list" => json!({"type": "interactive", "interactive": {"type": "list", "body": text,
            "button": s(d, "button"), "sections": d["sections"]}}),
        "media" => {
            let kind = s(d, "media_type");
            let mut media = json!({"link": s(d, "url")});
            let caption = interpolate(s(d, "caption"), run, world);
            if !caption.is_empty() && kind != "audio" {
                media["caption"] = json!(caption);
            }
            json!({"type": kind, kind: media})
        }
        "template" => template(d),
        _ => json!({"type": "text", "text": text}),
    }
}

fn execute(st: &mut Step, run: &mut Cursor, node: &Node) {
    let d = &node.data;
    match node.kind.as_str() {
        "trigger" => st.leave(run, &node.id, "next"),
        "message" => {
            st.send(node, message_body(node, run, &st.world));
            if waits_for_reply(node) {
                let secs = d["timeout_seconds"].as_i64().unwrap_or(DEFAULT_TIMEOUT);
                st.wait(run, RunState::WaitingInput, secs);
            } else {
                st.leave(run, &node.id, "next");
            }
        }
        "question" => {
            ask(st, run, node, s(d, "prompt"));
        }
        "condition" => {
            let branch = d["branches"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|b| branch_holds(b, run, &st.world))
                .map(|b| s(b, "id").to_string());
            st.leave(run, &node.id, branch.as_deref().unwrap_or("else"));
        }
        "delay" => {
            let secs = d["seconds"].as_i64().unwrap_or(1).max(1);
            st.wait(run, RunState::WaitingTimer, secs);
        }
        "action" => act(st, run, node),
        other => st.fail(run, &format!("unknown node type {other}")),
    }
}

pub(super) fn ask(st: &mut Step, run: &mut Cursor, node: &Node, prompt: &str) {
    let d = &node.data;
    let text = interpolate(prompt, run, &st.world);
    let body = if s(d, "validate") == "choice" {
        json!({"type": "interactive", "interactive": {"type": "button", "body": text,
            "buttons": d["choices"].as_array().into_iter().flatten()
                .map(|b| json!({"id": s(b, "id"), "title": s(b, "title")})).collect::<Vec<_>>()}})
    } else {
        json!({"type": "text", "text": text})
    };
    st.send(node, body);
    let secs = d["timeout_seconds"].as_i64().unwrap_or(DEFAULT_TIMEOUT);
    st.wait(run, RunState::WaitingInput, secs);
}

fn act(st: &mut Step, run: &mut Cursor, node: &Node) {
    let d = &node.data;
    let text = |k: &str| interpolate(s(d, k), run, &st.world);
    match s(d, "action") {
        "assign" => st.effects.push(Effect::Assign(d.clone())),
        "add_label" => {
            let label = text("label");
            if !st
                .world
                .labels
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&label))
            {
                st.world.labels.push(label.clone());
            }
            st.effects.push(Effect::AddLabel(label));
        }
        "remove_label" => {
            let label = text("label");
            st.world.labels.retain(|l| !l.eq_ignore_ascii_case(&label));
            st.effects.push(Effect::RemoveLabel(label));
        }
        "set_field" => {
            let (field, value) = (s(d, "field").to_string(), text("value"));
            match field.strip_prefix("vars.") {
                Some(k) => {
                    run.vars.insert(k.to_string(), value);
                }
                None => st.set_field(&field, value),
            }
        }
        "followup" => st.effects.push(Effect::Followup {
            note: text("note"),
            at: st.world.now + d["in_seconds"].as_i64().unwrap_or(3600) * 1000,
        }),
        "notify" => st.effects.push(Effect::Notify(text("text"))),
        "close" => st.effects.push(Effect::Close),
        "webhook" => {
            let mut data = d.clone();
            data["body"] = json!(text("body"));
            data["url"] = json!(text("url"));
            let secs = d["timeout_seconds"].as_i64().unwrap_or(10).clamp(1, 60)
                * (1 + d["retries"].as_i64().unwrap_or(2).clamp(0, 5));
            st.wait(run, RunState::WaitingTimer, secs + 30);
            st.effects.push(Effect::Webhook {
                seq: run.timer_seq,
                data,
            });
            return;
        }
        "handoff" => {
            st.effects.push(Effect::Handoff(text("note")));
            st.effects.push(Effect::Step {
                node: node.id.clone(),
                handle: None,
            });
            run.state = RunState::Completed;
            run.node = None;
            return;
        }
        _ => {
            st.fail(run, "unknown action");
            return;
        }
    }
    st.leave(run, &node.id, "next");
}
