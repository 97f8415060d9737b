//! The editor's simulator: the current draft on the production engine and
//! the production message composer, against a throwaway chat with a virtual
//! clock. Nothing is stored; a session lives in memory for an hour.
use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
    time::{Duration, Instant},
};

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    engine::{self, Cursor, Effect, Input, RunState, World},
    graph::Graph,
    model,
};
use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult},
    http::{AppState, Routes},
    outbound::compose,
    store::ids::{BusinessId, RecordId},
    time::{now_ms, rfc3339},
};

const TTL: Duration = Duration::from_secs(3600);
const PER_BUSINESS: usize = 50;

struct Session {
    business: BusinessId,
    graph: Graph,
    cursor: Cursor,
    clock: i64,
    last_inbound: i64,
    messages: Vec<Value>,
    path: Vec<String>,
    labels: Vec<String>,
    contact: BTreeMap<String, String>,
    timer: Option<(i64, u64)>,
    touched: Instant,
    /// A keyword trigger has not heard its keyword yet: the run has not begun.
    awaiting_trigger: bool,
}

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

pub fn routes(r: &mut Routes) {
    r.post("/api/flows/{id}/simulate", start)
        .answers(&[201])
        .post("/api/flows/simulations/{session}/input", input)
        .post("/api/flows/simulations/{session}/advance", advance)
        .delete("/api/flows/simulations/{session}", stop)
        .answers(&[204]);
}

impl Session {
    fn world(&self) -> World {
        World {
            now: self.clock,
            contact: self.contact.clone(),
            labels: self.labels.clone(),
            source: "whatsapp".into(),
            window_open: self.clock - self.last_inbound < 86_400_000,
        }
    }

    fn step(&mut self, input: Input) {
        let world = self.world();
        let effects = engine::advance(&mut self.cursor, &self.graph, input, &world);
        for e in effects {
            self.apply(e);
        }
        if let Some(node) = &self.cursor.node {
            if self.path.last() != Some(node) {
                self.path.push(node.clone());
            }
        }
    }

    /// Begins the run if `first` is what its trigger waits for, as production would.
    fn begin_with(&mut self, first: &str) {
        let trigger = self.graph.trigger().map(|t| t.data.clone());
        let starts = trigger
            .as_ref()
            .is_none_or(|t| super::runtime::first_message_starts(t, first));
        self.awaiting_trigger = !starts;
        if starts {
            self.cursor
                .vars
                .insert("last_message".into(), first.to_string());
            self.step(Input::Start);
        } else {
            self.note(format!(
                "“{first}” does not start this flow: its trigger waits for {}",
                keywords_of(trigger.as_ref())
            ));
        }
    }

    fn note(&mut self, text: String) {
        self.messages.push(
            json!({"direction": "note", "type": "note", "text": text, "at": rfc3339(self.clock)}),
        );
    }

    fn apply(&mut self, e: Effect) {
        match e {
            Effect::Step { node, .. } => {
                if self.path.last() != Some(&node) {
                    self.path.push(node);
                }
            }
            Effect::Send { body, .. } => match compose::compose(&body) {
                Ok(c) if !c.is_template && !self.world().window_open => {
                    self.cursor.state = RunState::Failed;
                    self.cursor.error = Some(
                        "the 24-hour window is closed and the node has no fallback template".into(),
                    );
                }
                Ok(c) => {
                    let i = &body["interactive"];
                    let mut m = json!({"direction": "out", "type": c.kind, "text": c.text, "at": rfc3339(self.clock)});
                    if i["type"] == "button" {
                        m["buttons"] = i["buttons"].clone();
                    } else if i["type"] == "list" {
                        m["list"] = json!({"button": i["button"], "sections": i["sections"]});
                    }
                    if let Some(t) = c.details.get("template") {
                        m["template"] = t.clone();
                    }
                    self.messages.push(m);
                }
                Err(e) => {
                    self.cursor.state = RunState::Failed;
                    self.cursor.error = Some(format!("the message is not valid: {}", e.message));
                }
            },
            Effect::Timer { at, seq } => self.timer = Some((at, seq)),
            Effect::Webhook { seq, data } => {
                self.note(format!(
                    "→ would call {} (not called in the simulator)",
                    data["url"].as_str().unwrap_or("")
                ));
                let world = self.world();
                let more = engine::advance(
                    &mut self.cursor,
                    &self.graph,
                    Input::WebhookDone {
                        seq,
                        ok: true,
                        vars: Vec::new(),
                    },
                    &world,
                );
                for e in more {
                    self.apply(e);
                }
            }
            Effect::Assign(d) => {
                self.note(format!("→ assign ({})", d["to"].as_str().unwrap_or("pool")))
            }
            Effect::AddLabel(l) => {
                self.note(format!("→ label “{l}” added"));
                self.labels.push(l);
            }
            Effect::RemoveLabel(l) => {
                self.note(format!("→ label “{l}” removed"));
                self.labels.retain(|x| !x.eq_ignore_ascii_case(&l));
            }
            Effect::SetField { field, value } => {
                self.note(format!("→ contact {field} = {value}"));
                self.contact.insert(field, value);
            }
            Effect::Followup { note, at } => {
                self.note(format!("→ follow-up “{note}” at {}", rfc3339(at)))
            }
            Effect::Notify(t) => self.note(format!("→ the team is notified: {t}")),
            Effect::Close => self.note("→ the conversation is closed".into()),
            Effect::Handoff(n) => self.note(format!("→ handed off to a person. {n}")),
        }
    }

    fn view(&self, id: &str) -> Value {
        json!({
            "session_id": id, "state": self.cursor.state, "current_node": self.cursor.node,
            "path": self.path, "variables": self.cursor.vars, "error": self.cursor.error,
            "clock": rfc3339(self.clock),
            "next_timer_at": self.timer.filter(|_| !self.cursor.state.is_terminal()).map(|(at, _)| rfc3339(at)),
            "messages": self.messages, "awaiting_trigger": self.awaiting_trigger,
        })
    }
}

/// A keyword trigger's first keyword (a regex's pattern is no message), else "Hi".
fn first_keyword(trigger: Option<&Value>) -> String {
    trigger
        .filter(|t| t["on"] == "keyword" && t["match"] != "regex")
        .and_then(|t| t["keywords"].as_array()?.iter().find_map(|k| k.as_str()))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .unwrap_or("Hi")
        .to_string()
}

/// "carro, car, comprar (contains)": what the note of a first message that starts nothing names.
fn keywords_of(trigger: Option<&Value>) -> String {
    let Some(t) = trigger else {
        return String::new();
    };
    let words: Vec<&str> = t["keywords"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
        .collect();
    format!(
        "{} ({})",
        words.join(", "),
        t["match"].as_str().unwrap_or("exact")
    )
}

fn sessions(state: &AppState) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
    let mut map = state.flow_sims.0.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, s| s.touched.elapsed() < TTL);
    map
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Said {
    text: Option<String>,
    reply_id: Option<String>,
}

async fn start(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: Option<web::Json<Said>>,
) -> ApiResult<HttpResponse> {
    super::routes::may_edit(&actor)?;
    let f = model::get(&state.store.read()?, actor.business.id, id.into_inner())?
        .ok_or_else(|| ApiError::not_found("flow"))?;
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let graph = Graph::parse(&parse(&f.nodes), &parse(&f.edges))
        .map_err(|e| ApiError::field("nodes", &e))?;
    // Unless the tester says otherwise, the customer opens with what the
    // trigger waits for, so the test runs the flow as a customer would meet it.
    let first = body
        .and_then(|b| b.into_inner().text)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| first_keyword(graph.trigger().map(|t| &t.data)));
    let now = now_ms();
    let mut s = Session {
        business: actor.business.id,
        graph,
        cursor: Cursor::new(),
        clock: now,
        last_inbound: now,
        messages: vec![
            json!({"direction": "in", "type": "text", "text": first, "at": rfc3339(now)}),
        ],
        path: Vec::new(),
        labels: Vec::new(),
        contact: BTreeMap::from([
            ("name".into(), actor.user.name.clone()),
            ("phone".into(), "+15550100000".into()),
        ]),
        timer: None,
        touched: Instant::now(),
        awaiting_trigger: false,
    };
    s.begin_with(&first);
    let sid = RecordId::new().to_string();
    let view = s.view(&sid);
    let mut map = sessions(&state);
    if map
        .values()
        .filter(|x| x.business == actor.business.id)
        .count()
        >= PER_BUSINESS
    {
        return Err(ApiError::rate_limited(60));
    }
    map.insert(sid, s);
    Ok(HttpResponse::Created().json(view))
}

fn with_session(
    state: &AppState,
    actor: &MemberActor,
    sid: &str,
    f: impl FnOnce(&mut Session),
) -> ApiResult<HttpResponse> {
    super::routes::may_edit(actor)?;
    let mut map = sessions(state);
    let s = map
        .get_mut(sid)
        .filter(|s| s.business == actor.business.id)
        .ok_or_else(|| ApiError::not_found("simulation"))?;
    s.touched = Instant::now();
    f(s);
    Ok(HttpResponse::Ok().json(s.view(sid)))
}

async fn input(
    state: web::Data<AppState>,
    actor: MemberActor,
    sid: web::Path<String>,
    body: web::Json<Said>,
) -> ApiResult<HttpResponse> {
    let said = body.into_inner();
    with_session(&state, &actor, &sid, |s| {
        let text = said.text.clone().unwrap_or_default();
        let shown = match (&said.reply_id, text.is_empty()) {
            (Some(r), true) => {
                crate::flows::graph::reply_ids_in(&s.graph, r).unwrap_or_else(|| r.clone())
            }
            _ => text.clone(),
        };
        s.clock += 1000;
        s.last_inbound = s.clock;
        s.messages.push(
            json!({"direction": "in", "type": "text", "text": shown, "at": rfc3339(s.clock)}),
        );
        if s.awaiting_trigger {
            s.begin_with(&shown);
            return;
        }
        s.step(Input::Reply {
            text: &shown,
            reply_id: said.reply_id.as_deref(),
            at: s.clock,
        });
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

async fn advance(
    state: web::Data<AppState>,
    actor: MemberActor,
    sid: web::Path<String>,
    body: web::Json<Advance>,
) -> ApiResult<HttpResponse> {
    let secs = body.seconds.clamp(0, 60 * 86_400);
    with_session(&state, &actor, &sid, |s| {
        s.clock += secs * 1000;
        // Every timer that came due fires, in order, as production would.
        while let Some((at, seq)) = s.timer {
            if at > s.clock || s.cursor.state.is_terminal() {
                break;
            }
            s.timer = None;
            let clock = s.clock;
            s.clock = at;
            s.step(Input::Timer { seq });
            s.clock = clock.max(s.clock);
        }
    })
}

async fn stop(
    state: web::Data<AppState>,
    actor: MemberActor,
    sid: web::Path<String>,
) -> ApiResult<HttpResponse> {
    super::routes::may_edit(&actor)?;
    let mut map = sessions(&state);
    if map
        .get(sid.as_str())
        .is_some_and(|s| s.business == actor.business.id)
    {
        map.remove(sid.as_str());
    }
    Ok(HttpResponse::NoContent().finish())
}
