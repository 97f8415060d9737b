//! The rules a flow must meet before it is published, each problem naming its
//! node: one trigger, no dangling edges, every node reachable, the fields each
//! node needs, WhatsApp's limits, loops only through a node that waits for the
//! customer, and no free-form message that could only go out after the
//! 24-hour window closed.
use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;
use serde_json::Value;

use super::graph::{handles, reply_ids, waits_for_reply, Graph, Node};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub node_id: Option<String>,
    pub message: String,
}

const KINDS: &[&str] = &[
    "trigger",
    "message",
    "question",
    "condition",
    "delay",
    "action",
];
pub const MAX_DELAY_SECS: i64 = 30 * 86_400;
const WINDOW_SECS: i64 = 86_400;

struct Check<'a> {
    out: Vec<Problem>,
    node: Option<&'a str>,
}

impl<'a> Check<'a> {
    fn on(&mut self, node: &'a str) -> &mut Self {
        self.node = Some(node);
        self
    }
    fn need(&mut self, ok: bool, message: &str) -> &mut Self {
        if !ok {
            self.out.push(Problem {
                node_id: self.node.map(str::to_string),
                message: message.to_string(),
            });
        }
        self
    }
}

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or("").trim()
}

fn chars(v: &str) -> usize {
    v.chars().count()
}

pub fn validate(g: &Graph) -> Vec<Problem> {
    let mut c = Check {
        out: Vec::new(),
        node: None,
    };
    let triggers = g.nodes.iter().filter(|n| n.kind == "trigger").count();
    c.need(triggers == 1, "a flow has exactly one trigger");
    let mut seen = HashSet::new();
    for n in &g.nodes {
        c.on(&n.id)
            .need(
                !n.id.is_empty() && seen.insert(n.id.as_str()),
                "node ids must be unique and not empty",
            )
            .need(KINDS.contains(&n.kind.as_str()), "unknown node type");
        fields(&mut c, n);
    }
    edges(&mut c, g);
    reachable(&mut c, g);
    loops(&mut c, g);
    window(&mut c, g);
    c.out
}

fn fields<'a>(c: &mut Check<'a>, n: &'a Node) {
    let d = &n.data;
    c.on(&n.id);
    match n.kind.as_str() {
        "trigger" => {
            let on = s(d, "on");
            c.need(
                [
                    "any_message",
                    "keyword",
                    "new_contact",
                    "new_lead",
                    "reply",
                    "outside_hours",
                ]
                .contains(&on),
                "the trigger needs what starts it",
            );
            if on == "keyword" {
                let words: Vec<&str> = d["keywords"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_str())
                    .filter(|k| !k.trim().is_empty())
                    .collect();
                c.need(!words.is_empty(), "add at least one keyword");
                c.need(
                    ["", "exact", "contains", "regex"].contains(&s(d, "match")),
                    "keywords match exactly, by containing, or by a regular expression",
                );
                if s(d, "match") == "regex" {
                    for w in words {
                        c.need(regex_ok(w), "a keyword is not a valid regular expression");
                    }
                }
            }
            if on == "reply" {
                c.need(
                    !s(d, "reply_id").is_empty(),
                    "name the button or list row id",
                );
            }
            if on == "outside_hours" {
                c.need(hours_ok(d), "set opening hours as HH:MM");
            }
        }
        "message" => message(c, d),
        "question" => {
            c.need(
                !s(d, "prompt").is_empty() && chars(s(d, "prompt")) <= 1024,
                "the question needs a prompt (at most 1024 characters)",
            )
            .need(
                ["text", "number", "email", "phone", "choice"].contains(&s(d, "validate")),
                "choose how the answer is checked",
            );
            if s(d, "validate") == "choice" {
                buttons(c, &d["choices"]);
            }
            let to = s(d, "save_to");
            c.need(
                to.is_empty() || to == "contact.name" || to == "contact.email" || to.strip_prefix("vars.").or_else(|| to.strip_prefix("contact.custom.")).is_some_and(|k| !k.is_empty()),
                "save the answer to vars.<name>, contact.name, contact.email or contact.custom.<key>",
            );
        }
        "condition" => {
            let branches = d["branches"].as_array().cloned().unwrap_or_default();
            c.need(!branches.is_empty(), "add at least one branch");
            for b in &branches {
                let rules = b["rules"].as_array().map_or(0, Vec::len);
                c.need(
                    !s(b, "id").is_empty() && rules > 0,
                    "every branch needs an id and a rule",
                );
            }
        }
        "delay" => {
            let secs = d["seconds"].as_i64().unwrap_or(0);
            c.need(
                (1..=MAX_DELAY_SECS).contains(&secs),
                "a delay is 1 second to 30 days",
            );
        }
        "action" => {
            let need = |k: &str| !s(d, k).is_empty();
            let ok = match s(d, "action") {
                "assign" => match s(d, "to") {
                    "member" => need("member_id"),
                    "team" => need("team_id"),
                    "pool" => true,
                    _ => false,
                },
                "add_label" | "remove_label" => need("label"),
                "set_field" => need("field"),
                "followup" => need("note") && d["in_seconds"].as_i64().is_some_and(|x| x > 0),
                "webhook" => {
                    s(d, "url").starts_with("http://") || s(d, "url").starts_with("https://")
                }
                "notify" => need("text"),
                "close" | "handoff" => true,
                _ => false,
            };
            c.need(ok, "the action is missing what it needs");
        }
        _ => {}
    }
}

fn buttons(c: &mut Check, arr: &Value) {
    let list = arr.as_array().cloned().unwrap_or_default();
    c.need(
        (1..=3).contains(&list.len()),
        "WhatsApp allows 1 to 3 reply buttons",
    );
    let mut ids = HashSet::new();
    for b in &list {
        c.need(
            !s(b, "title").is_empty() && chars(s(b, "title")) <= 20,
            "a button title is 1 to 20 characters",
        )
        .need(
            !s(b, "id").is_empty() && ids.insert(s(b, "id").to_string()),
            "button ids must be unique",
        );
    }
}

fn message(c: &mut Check, d: &Value) {
    let body_ok = |max| !s(d, "text").is_empty() && chars(s(d, "text")) <= max;
    match s(d, "kind") {
        "text" => {
            c.need(
                body_ok(4096),
                "the message needs text (at most 4096 characters)",
            );
        }
        "buttons" => {
            c.need(
                body_ok(1024),
                "the message needs text (at most 1024 characters)",
            );
            buttons(c, &d["buttons"]);
        }
        "list" => {
            c.need(
                body_ok(1024),
                "the message needs text (at most 1024 characters)",
            )
            .need(
                !s(d, "button").is_empty() && chars(s(d, "button")) <= 20,
                "the list button is 1 to 20 characters",
            );
            let rows = reply_ids(d);
            c.need(
                (1..=10).contains(&rows.len()),
                "WhatsApp allows 1 to 10 list rows",
            );
            let mut ids = HashSet::new();
            for (id, title) in &rows {
                c.need(
                    !title.is_empty() && chars(title) <= 24,
                    "a row title is 1 to 24 characters",
                )
                .need(
                    !id.is_empty() && ids.insert(id.clone()),
                    "row ids must be unique",
                );
            }
        }
        "media" => {
            c.need(
                ["image", "video", "document", "audio"].contains(&s(d, "media_type")),
                "choose the media type",
            )
            .need(
                s(d, "url").starts_with("https://") || s(d, "url").starts_with("http://"),
                "the media needs a public URL",
            );
        }
        "template" => {
            c.need(
                !s(d, "name").is_empty() && !s(d, "language").is_empty(),
                "choose a template and its language",
            );
        }
        _ => {
            c.need(false, "choose what the message is");
        }
    }
}

pub fn regex_ok(pattern: &str) -> bool {
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .is_ok()
}

fn hours_ok(d: &Value) -> bool {
    let hm = |k: &str| chrono::NaiveTime::parse_from_str(s(d, k), "%H:%M").is_ok();
    hm("open") && hm("close")
}

fn edges<'a>(c: &mut Check<'a>, g: &'a Graph) {
    let mut used = HashSet::new();
    for e in &g.edges {
        c.on(&e.source);
        let (from, to) = (g.node(&e.source), g.node(&e.target));
        c.need(
            from.is_some() && to.is_some(),
            "an edge leads nowhere (dangling)",
        );
        if let Some(to) = to {
            c.need(to.kind != "trigger", "nothing leads into the trigger");
        }
        if let Some(from) = from {
            c.need(
                handles(from).contains(&e.handle),
                "an edge leaves from a handle this node does not have",
            );
        }
        c.need(
            used.insert((&e.source, &e.handle)),
            "one handle leads to one node",
        );
    }
}

fn reachable<'a>(c: &mut Check<'a>, g: &'a Graph) {
    let Some(t) = g.trigger() else { return };
    let mut seen: HashSet<&str> = HashSet::from([t.id.as_str()]);
    let mut queue = VecDeque::from([t.id.as_str()]);
    while let Some(id) = queue.pop_front() {
        for e in g.edges.iter().filter(|e| e.source == id) {
            if g.node(&e.target).is_some() && seen.insert(e.target.as_str()) {
                queue.push_back(&e.target);
            }
        }
    }
    for n in &g.nodes {
        c.on(&n.id).need(
            seen.contains(n.id.as_str()),
            "no path from the trigger reaches this node",
        );
    }
}

/// A loop must pass a node that waits for the customer, or it would spin.
fn loops<'a>(c: &mut Check<'a>, g: &'a Graph) {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &g.edges {
        if g.node(&e.source).is_some_and(|n| !waits_for_reply(n)) {
            next.entry(e.source.as_str())
                .or_default()
                .push(e.target.as_str());
        }
    }
    // 0 unvisited, 1 on the stack, 2 done.
    let mut state: HashMap<&str, u8> = HashMap::new();
    let mut flagged = HashSet::new();
    for start in g.nodes.iter().map(|n| n.id.as_str()) {
        if state.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((id, i)) = stack.pop() {
            let outs = next.get(id).cloned().unwrap_or_default();
            if i < outs.len() {
                stack.push((id, i + 1));
                let to = outs[i];
                match state.get(to).copied().unwrap_or(0) {
                    0 => {
                        state.insert(to, 1);
                        stack.push((to, 0));
                    }
                    1 => {
                        flagged.insert(to);
                    }
                    _ => {}
                }
            } else {
                state.insert(id, 2);
            }
        }
    }
    for n in &g.nodes {
        if flagged.contains(n.id.as_str()) {
            c.on(&n.id).need(
                false,
                "this loop never waits for the customer; route it through a question",
            );
        }
    }
}

/// The longest wait, along any path, between the customer's last message and
/// each free-form message: past 24 hours only a template may go out.
fn window<'a>(c: &mut Check<'a>, g: &'a Graph) {
    let Some(t) = g.trigger() else { return };
    let mut worst: HashMap<&str, i64> = HashMap::new();
    let mut queue = VecDeque::from([(t.id.as_str(), 0i64)]);
    let mut budget = 10_000;
    while let Some((id, waited)) = queue.pop_front() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        if worst.get(id).is_some_and(|w| *w >= waited) && id != t.id {
            continue;
        }
        worst.insert(id, waited);
        let Some(n) = g.node(id) else { continue };
        let after = if waits_for_reply(n) {
            0
        } else if n.kind == "delay" {
            (waited + n.data["seconds"].as_i64().unwrap_or(0)).min(i64::MAX / 4)
        } else {
            waited
        };
        for e in g.edges.iter().filter(|e| e.source == id) {
            // A timeout branch fires without a new customer message.
            let carried = if e.handle == "timeout" {
                waited + n.data["timeout_seconds"].as_i64().unwrap_or(86_400)
            } else {
                after
            };
            queue.push_back((e.target.as_str(), carried));
        }
    }
    for n in &g.nodes {
        let free_form =
            n.kind == "message" && s(&n.data, "kind") != "template" || n.kind == "question";
        let has_fallback = n.data["fallback_template"]["name"]
            .as_str()
            .is_some_and(|x| !x.is_empty());
        if free_form && !has_fallback && worst.get(n.id.as_str()).is_some_and(|w| *w >= WINDOW_SECS)
        {
            c.on(&n.id).need(
                false,
                "this message could go out more than 24 hours after the customer's last message: use a template or add a fallback template",
            );
        }
    }
}
