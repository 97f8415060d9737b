//! What a flow must pass beyond its graph's own rules: people its actions
//! name must exist in the business, and its JSON must stay of a sane shape.
use serde_json::Value;

use super::{
    graph::Graph,
    model::Flow,
    validate::{validate, Problem},
};
use crate::{
    error::ApiResult,
    store::{
        ids::{BusinessId, MemberId, TeamId},
        Reader,
    },
    tenancy,
};

pub(super) fn problems_of<R: Reader + ?Sized>(r: &R, f: &Flow) -> ApiResult<Vec<Problem>> {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut out = match Graph::parse(&parse(&f.nodes), &parse(&f.edges)) {
        Ok(g) => {
            let mut out = validate(&g);
            out.extend(missing_people(r, f.business_id, &g)?);
            out
        }
        Err(e) => vec![Problem {
            node_id: None,
            message: e,
        }],
    };
    if f.number_id.is_none() {
        out.insert(
            0,
            Problem {
                node_id: None,
                message: "choose the WhatsApp number this flow answers on".into(),
            },
        );
    }
    Ok(out)
}

/// An assignment to a member or team this business does not have would only
/// fail when a customer reaches it.
fn missing_people<R: Reader + ?Sized>(r: &R, b: BusinessId, g: &Graph) -> ApiResult<Vec<Problem>> {
    let mut out = Vec::new();
    for n in g
        .nodes
        .iter()
        .filter(|n| n.kind == "action" && n.data["action"] == "assign")
    {
        let id = |k: &str| n.data[k].as_str().unwrap_or("").trim().to_string();
        let missing = match n.data["to"].as_str() {
            Some("member") => match id("member_id").parse::<MemberId>() {
                Ok(m) => tenancy::repo::member(r, b, m)?.is_none(),
                Err(_) => true,
            },
            Some("team") => match id("team_id").parse::<TeamId>() {
                Ok(t) => tenancy::repo::team(r, b, t)?.is_none(),
                Err(_) => true,
            },
            _ => false,
        };
        if missing {
            out.push(Problem {
                node_id: Some(n.id.clone()),
                message: "assign to someone (or a team) this business has".into(),
            });
        }
    }
    Ok(out)
}

/// A node's data is a few levels deep; the editor would choke on more.
pub(super) const MAX_NESTING: usize = 32;

/// How deep arrays and objects nest in valid JSON text, counted without
/// recursion (a 100,000-deep body must not cost a stack).
pub(super) fn nesting(json: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}
