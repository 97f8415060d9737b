//! How a run decides: what a customer's reply means for the node it waits
//! on, and which branch of a condition holds.
use serde_json::Value;

use super::{
    engine::{ask, lookup, Cursor, Step, World},
    graph::{reply_ids, Node},
};

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or("")
}

/// The customer answered the node the run waits on.
pub(super) fn answer(
    st: &mut Step,
    run: &mut Cursor,
    node: &Node,
    text: &str,
    reply_id: Option<&str>,
) {
    let d = &node.data;
    let choices = reply_ids(d);
    let picked = reply_id
        .and_then(|r| choices.iter().find(|(id, _)| id == r))
        .or_else(|| {
            choices
                .iter()
                .find(|(_, title)| title.eq_ignore_ascii_case(text.trim()))
        })
        .map(|(id, title)| (id.clone(), title.clone()));
    if node.kind == "message" {
        let handle = picked.map(|(id, _)| id).unwrap_or_else(|| "other".into());
        run.vars
            .insert("last_reply".into(), text.trim().to_string());
        st.leave(run, &node.id, &handle);
        return;
    }
    let value = match s(d, "validate") {
        "choice" => picked.map(|(_, title)| title),
        kind => check_answer(kind, text),
    };
    match value {
        Some(v) => {
            let to = s(d, "save_to");
            if let Some(k) = to.strip_prefix("vars.") {
                run.vars.insert(k.to_string(), v.clone());
            } else if let Some(field) = to.strip_prefix("contact.") {
                st.set_field(field, v.clone());
            }
            run.vars.insert("last_reply".into(), v);
            st.leave(run, &node.id, "next");
        }
        None if run.retries < d["retries"].as_u64().unwrap_or(2) as u32 => {
            run.retries += 1;
            // Without a retry text of its own, the question says what was
            // wrong before asking again: the same words twice read as a bot stuck.
            let again = match s(d, "retry_prompt") {
                "" => format!(
                    "{}\n\n{}",
                    invalid_answer_hint(s(d, "validate")),
                    s(d, "prompt")
                ),
                p => p.to_string(),
            };
            let retries = run.retries;
            ask(st, run, node, &again);
            run.retries = retries;
        }
        None => st.leave(run, &node.id, "invalid"),
    }
}

/// What a question says before asking again when it has no retry text.
pub fn invalid_answer_hint(validate: &str) -> &'static str {
    match validate {
        "number" => "Please answer with a number.",
        "email" => "That doesn't look like an email address. Please check it.",
        "phone" => "Please send a phone number, with its country code.",
        "choice" => "Please pick one of the options.",
        _ => "Sorry, I didn't get that.",
    }
}

/// The answer, cleaned, when it is what the question asked for.
pub fn check_answer(kind: &str, text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match kind {
        "number" => t
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .map(|_| t.to_string()),
        "email" => {
            let ok = t
                .split_once('@')
                .is_some_and(|(u, h)| !u.is_empty() && h.contains('.') && !t.contains(' '));
            ok.then(|| t.to_lowercase())
        }
        "phone" => {
            let digits = t.chars().filter(char::is_ascii_digit).count();
            let ok = (8..=15).contains(&digits)
                && t.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            ok.then(|| t.to_string())
        }
        _ => Some(t.chars().take(1000).collect()),
    }
}

pub(super) fn branch_holds(b: &Value, run: &Cursor, world: &World) -> bool {
    let rules: Vec<&Value> = b["rules"].as_array().into_iter().flatten().collect();
    let hold = |r: &&Value| rule_holds(r, run, world);
    if s(b, "match") == "any" {
        rules.iter().any(hold)
    } else {
        !rules.is_empty() && rules.iter().all(hold)
    }
}

fn rule_holds(r: &Value, run: &Cursor, world: &World) -> bool {
    let field = s(r, "field");
    let want = r["value"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| match &r["value"] {
            Value::Null => String::new(),
            v => v.to_string(),
        });
    if field == "label" {
        let has = world.labels.iter().any(|l| l.eq_ignore_ascii_case(&want));
        return if s(r, "op") == "not_equals" || s(r, "op") == "not_exists" {
            !has
        } else {
            has
        };
    }
    if field == "time" || field == "business_hours" {
        let inside = super::hours::open_at(&r["value"], world.now);
        return if s(r, "op") == "is_closed" {
            !inside
        } else {
            inside
        };
    }
    let have = if field == "message.text" {
        run.vars.get("last_message").cloned().unwrap_or_default()
    } else {
        lookup(field, run, world)
    };
    let (h, w) = (have.to_lowercase(), want.to_lowercase());
    let num = |x: &str| x.trim().replace(',', ".").parse::<f64>().ok();
    match s(r, "op") {
        "equals" => h.trim() == w.trim(),
        "not_equals" => h.trim() != w.trim(),
        "contains" => h.contains(&w),
        "exists" => !h.trim().is_empty(),
        "not_exists" => h.trim().is_empty(),
        "gt" => num(&h).zip(num(&w)).is_some_and(|(a, b)| a > b),
        "lt" => num(&h).zip(num(&w)).is_some_and(|(a, b)| a < b),
        "matches" => regex::RegexBuilder::new(&want)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .is_ok_and(|re| re.is_match(&have)),
        _ => false,
    }
}
