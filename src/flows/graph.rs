//! A flow as the engine reads it: React Flow's nodes and edges, parsed once,
//! with each node's outgoing edges by source handle. The stored JSON stays
//! exactly as the editor sent it; this is only a view of it.
use std::collections::HashMap;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    /// `trigger`, `message`, `question`, `condition`, `delay`, `action`.
    pub kind: String,
    pub data: Value,
}

#[derive(Debug, Clone)]
pub struct Edge {
    pub id: String,
    pub source: String,
    pub target: String,
    /// The source handle; `next` when the editor gave none.
    pub handle: String,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    index: HashMap<String, usize>,
    out: HashMap<(String, String), String>,
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_string()
}

impl Graph {
    /// Reads React Flow JSON; the error names what is not nodes and edges at all.
    pub fn parse(nodes: &Value, edges: &Value) -> Result<Graph, String> {
        let (Some(nodes), Some(edges)) = (nodes.as_array(), edges.as_array()) else {
            return Err("nodes and edges must be JSON arrays".into());
        };
        let mut g = Graph::default();
        for n in nodes {
            let node = Node {
                id: text(n, "id"),
                kind: text(n, "type"),
                data: n.get("data").cloned().unwrap_or(Value::Null),
            };
            g.index.entry(node.id.clone()).or_insert(g.nodes.len());
            g.nodes.push(node);
        }
        for e in edges {
            let handle = match e["sourceHandle"].as_str() {
                Some(h) if !h.is_empty() => h.to_string(),
                _ => "next".to_string(),
            };
            let edge = Edge {
                id: text(e, "id"),
                source: text(e, "source"),
                target: text(e, "target"),
                handle,
            };
            g.out
                .entry((edge.source.clone(), edge.handle.clone()))
                .or_insert_with(|| edge.target.clone());
            g.edges.push(edge);
        }
        Ok(g)
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).map(|i| &self.nodes[*i])
    }

    pub fn trigger(&self) -> Option<&Node> {
        self.nodes.iter().find(|n| n.kind == "trigger")
    }

    /// Where `handle` of `node` leads, if anywhere.
    pub fn next(&self, node: &str, handle: &str) -> Option<&str> {
        self.out
            .get(&(node.to_string(), handle.to_string()))
            .map(String::as_str)
    }
}

/// The ids of a message's buttons or list rows, in order.
pub fn reply_ids(data: &Value) -> Vec<(String, String)> {
    let pairs = |arr: &Value| -> Vec<(String, String)> {
        arr.as_array()
            .into_iter()
            .flatten()
            .map(|b| (text(b, "id"), text(b, "title")))
            .collect()
    };
    match data["kind"].as_str() {
        Some("buttons") => pairs(&data["buttons"]),
        Some("list") => data["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| pairs(&s["rows"]))
            .collect(),
        _ => pairs(&data["choices"]),
    }
}

/// The title of the button or row `id` anywhere in the flow (what the
/// customer's tap shows as text).
pub fn reply_ids_in(g: &Graph, id: &str) -> Option<String> {
    g.nodes
        .iter()
        .flat_map(|n| reply_ids(&n.data))
        .find(|(i, _)| i == id)
        .map(|(_, title)| title)
}

/// Whether the node stops and waits for the customer.
pub fn waits_for_reply(n: &Node) -> bool {
    n.kind == "question"
        || (n.kind == "message" && matches!(n.data["kind"].as_str(), Some("buttons" | "list")))
}

/// The source handles a node offers.
pub fn handles(n: &Node) -> Vec<String> {
    let fixed = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match n.kind.as_str() {
        "trigger" | "delay" => fixed(&["next"]),
        "message" if waits_for_reply(n) => {
            let mut h: Vec<String> = reply_ids(&n.data).into_iter().map(|(id, _)| id).collect();
            h.extend(fixed(&["other", "timeout"]));
            h
        }
        "message" => fixed(&["next"]),
        "question" => fixed(&["next", "invalid", "timeout"]),
        "condition" => {
            let mut h: Vec<String> = n.data["branches"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| text(b, "id"))
                .collect();
            h.push("else".into());
            h
        }
        "action" => match n.data["action"].as_str() {
            Some("handoff") => Vec::new(),
            Some("webhook") => fixed(&["next", "error"]),
            _ => fixed(&["next"]),
        },
        _ => Vec::new(),
    }
}
