//! Flows in production: what starts a run (an inbound message or a new lead
//! on a number with an active flow), what moves it (a reply, a durable timer,
//! a webhook's answer), and what stops it (a person stepping in, an interrupt
//! keyword). Every move is one write: the engine's step, the run's events,
//! its effects (outbox, timers, assignment) and its counters commit together.
use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex, OnceLock},
};

use serde_json::Value;

use super::{
    effects,
    engine::{self, Cursor, Input, RunState, World},
    graph::{reply_ids, Graph},
    model::{self, FlowOptions, Run, RunEvent},
};
use crate::{
    contacts::{self, Contact},
    conversations::{
        model::Message,
        repo,
        service::{Stored, SYSTEM_NOTICE},
        Conversation,
    },
    error::{ApiError, ApiResult},
    store::{
        ids::{BusinessId, ConversationId, RecordId},
        Reader, WriteCtx,
    },
    time::now_ms,
};

/// Words that end any run and call a person, in the languages of our users.
const INTERRUPTS: &[&str] = &[
    "stop",
    "agent",
    "human",
    "humano",
    "atendente",
    "agente",
    "parar",
];

pub struct Loaded {
    pub graph: Arc<Graph>,
    pub options: FlowOptions,
}

type Cache = Mutex<HashMap<(RecordId, u32), Arc<Loaded>>>;

/// Published versions never change: parsed once per process.
fn cache() -> &'static Cache {
    static GRAPHS: OnceLock<Cache> = OnceLock::new();
    GRAPHS.get_or_init(Default::default)
}

pub fn load<R: Reader + ?Sized>(
    r: &R,
    flow: RecordId,
    version: u32,
) -> ApiResult<Option<Arc<Loaded>>> {
    if let Some(l) = cache()
        .lock()
        .ok()
        .and_then(|c| c.get(&(flow, version)).cloned())
    {
        return Ok(Some(l));
    }
    let Some(v) = model::version(r, flow, version)? else {
        return Ok(None);
    };
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let graph = Graph::parse(&parse(&v.nodes), &parse(&v.edges)).map_err(ApiError::internal)?;
    let loaded = Arc::new(Loaded {
        graph: Arc::new(graph),
        options: v.options,
    });
    if let Ok(mut c) = cache().lock() {
        if c.len() > 10_000 {
            c.clear();
        }
        c.insert((flow, version), loaded.clone());
    }
    Ok(Some(loaded))
}

pub fn world(ctx: &WriteCtx, c: &Conversation, contact: &Contact) -> ApiResult<World> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    fields.insert("name".into(), contact.name.clone());
    fields.insert("phone".into(), contact.phone.clone().unwrap_or_default());
    fields.insert("email".into(), contact.email.clone().unwrap_or_default());
    for (k, v) in contacts::fields(ctx, contact.business_id, contact.id)? {
        fields.insert(format!("custom.{k}"), v);
    }
    let now = now_ms();
    Ok(World {
        now,
        contact: fields,
        labels: c.labels.clone(),
        source: serde_json::to_value(c.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        window_open: c.window_open(now),
    })
}

/// Runs one input through the engine and commits what follows.
pub fn drive(ctx: &mut WriteCtx, run: &mut Run, loaded: &Loaded, input: Input) -> ApiResult<()> {
    // Disabling (or deleting) a flow stops its runs where they wait: an
    // answer or a timer that comes later ends them instead of going on.
    let live = model::get(ctx, run.business_id, run.flow_id)?
        .is_some_and(|f| f.status == super::model::FlowStatus::Active);
    if !live {
        return end(ctx, run, RunState::Cancelled, "the flow was disabled");
    }
    let c = repo::get(ctx, run.business_id, run.conversation_id)?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    let contact = contacts::get(ctx, c.business_id, c.contact_id)?
        .ok_or_else(|| ApiError::not_found("contact"))?;
    let world = world(ctx, &c, &contact)?;
    let before = run.cursor.clone();
    let out = engine::advance(&mut run.cursor, &loaded.graph, input, &world);
    effects::apply(ctx, run, &loaded.graph, out, &world)?;
    if before.state != run.cursor.state && run.cursor.state.is_terminal() {
        let metric = match run.cursor.state {
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            _ => "cancelled",
        };
        model::count(ctx, run.flow_id, "", metric)?;
        if let (Some(node), true) = (&before.node, run.cursor.state != RunState::Completed) {
            model::count(ctx, run.flow_id, node, "dropped")?;
        }
        if let Some(e) = &run.cursor.error {
            let e = RunEvent {
                at: world.now,
                node: run.cursor.node.clone().unwrap_or_default(),
                handle: None,
                note: Some(e.clone()),
            };
            model::add_event(ctx, run, &e)?;
        }
    }
    run.updated_at = world.now;
    model::save_run(ctx, run)?;
    Ok(())
}

fn start(
    ctx: &mut WriteCtx,
    c: &Conversation,
    flow: RecordId,
    version: u32,
    loaded: &Loaded,
    first: Option<&str>,
) -> ApiResult<()> {
    let now = now_ms();
    let mut run = Run {
        id: RecordId::new(),
        business_id: c.business_id,
        conversation_id: c.id,
        contact_id: c.contact_id,
        flow_id: flow,
        version,
        cursor: Cursor::new(),
        events: 0,
        sent_minute: 0,
        sent_in_minute: 0,
        started_at: now,
        updated_at: now,
    };
    if let Some(text) = first {
        run.cursor
            .vars
            .insert("last_message".into(), text.chars().take(1000).collect());
    }
    model::count(ctx, flow, "", "started")?;
    drive(ctx, &mut run, loaded, Input::Start)
}

/// The reply id of a tapped button or list row, from a stored message.
fn reply_id(m: &Message) -> Option<String> {
    if m.kind != "interactive" && m.kind != "button" {
        return None;
    }
    let d: Value = serde_json::from_str(&m.details).ok()?;
    d["interactive"]["id"]
        .as_str()
        .or_else(|| d["button"]["payload"].as_str())
        .map(str::to_string)
}

/// An inbound message was stored (in this write): advance the conversation's
/// run, or start the number's flow. Redeliveries never get here.
pub fn on_inbound(ctx: &mut WriteCtx, stored: &Stored) -> ApiResult<()> {
    let new_contact = stored.new_contact;
    let (c, m) = (&stored.conversation, &stored.message);
    let Some(number) = c.number_id else {
        return Ok(());
    };
    if stored.reopened {
        model::clear_handed_off(ctx, c.business_id, c.id)?;
    }
    // Only what the customer wrote drives a flow: not WhatsApp's notices
    // about them, nor a reaction to a message we never had.
    if matches!(m.kind.as_str(), SYSTEM_NOTICE | "reaction") {
        return Ok(());
    }
    let live = model::live_run(ctx, c.business_id, c.id)?;
    let reply = reply_id(m);
    if let Some(mut run) = live {
        if INTERRUPTS.contains(&folded(&m.text).as_str()) {
            model::mark_handed_off(ctx, c.business_id, c.id, m.created_at)?;
            return end(
                ctx,
                &mut run,
                RunState::Cancelled,
                "the customer asked for a person",
            );
        }
        let Some(loaded) = load(ctx, run.flow_id, run.version)? else {
            return Ok(());
        };
        return drive(
            ctx,
            &mut run,
            &loaded,
            Input::Reply {
                text: &m.text,
                reply_id: reply.as_deref(),
                at: m.created_at,
            },
        );
    }
    if let Some(r) = &reply {
        if effects::menu_expired(ctx, c, r)? {
            return Ok(());
        }
    }
    let Some(flow_id) = model::active_on(ctx, c.business_id, number)? else {
        return Ok(());
    };
    if super::pause::paused_until(ctx, c.business_id, number)?.is_some() {
        return Ok(());
    }
    let Some(flow) = model::get(ctx, c.business_id, flow_id)? else {
        return Ok(());
    };
    let Some(version) = flow.published_version else {
        return Ok(());
    };
    let Some(loaded) = load(ctx, flow_id, version)? else {
        return Ok(());
    };
    let Some(trigger) = loaded.graph.trigger() else {
        return Ok(());
    };
    let d = &trigger.data;
    let text = m.text.as_str();
    let fires = match d["on"].as_str().unwrap_or("") {
        "any_message" => true,
        "new_contact" => new_contact && stored.new_conversation,
        "reply" => reply.as_deref() == d["reply_id"].as_str(),
        "outside_hours" => !super::hours::open_at(d, now_ms()),
        "keyword" => keyword_matches(d, text),
        _ => false,
    };
    if !fires || !allowed(ctx, &loaded.options, flow_id, c)? {
        return Ok(());
    }
    // A person has this conversation: the bot stays out until it is closed
    // (a message after that reopens it as a new visit).
    if model::handed_off(ctx, c.business_id, c.id)? {
        return Ok(());
    }
    start(ctx, c, flow_id, version, &loaded, Some(&m.text))
}

/// Words as people type them on a phone: case, accents, punctuation and
/// doubled spaces aside ("Olá!" is "ola", "preço  do sofá" is "preco do sofa").
fn folded(s: &str) -> String {
    let mut a = crate::search::schema::analyzer();
    let mut stream = a.token_stream(s);
    let mut words = Vec::new();
    while let Some(t) = stream.next() {
        words.push(t.text.clone());
    }
    words.join(" ")
}

/// Whether a first message of `text` starts a flow with this trigger, for
/// the editor's test (a new contact, any hour: only keywords can say no).
pub(super) fn first_message_starts(trigger: &Value, text: &str) -> bool {
    trigger["on"].as_str() != Some("keyword") || keyword_matches(trigger, text)
}

fn keyword_matches(d: &Value, text: &str) -> bool {
    let words = d["keywords"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str())
        .map(str::trim)
        .filter(|w| !w.is_empty());
    let how = d["match"].as_str().unwrap_or("exact");
    let said = folded(text);
    words.into_iter().any(|w| match how {
        "contains" => {
            let w = folded(w);
            !w.is_empty() && said.contains(&w)
        }
        // The pattern as written: lower-casing it would turn `\D` into `\d`.
        "regex" => regex::RegexBuilder::new(w)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .is_ok_and(|re| re.is_match(text.trim())),
        _ => {
            let w = folded(w);
            !w.is_empty() && said == w
        }
    })
}

fn allowed(
    ctx: &mut WriteCtx,
    o: &FlowOptions,
    flow: RecordId,
    c: &Conversation,
) -> ApiResult<bool> {
    if o.only_if_unassigned && c.assignee_id.is_some() {
        return Ok(false);
    }
    if o.once_per_contact && !model::first_time(ctx, flow, c.contact_id)? {
        return Ok(false);
    }
    Ok(true)
}

/// A lead was captured (in this write): a number's flow that starts on new
/// leads of this source takes it, and the lead's conversation joins that number.
pub fn on_lead(ctx: &mut WriteCtx, c: &Conversation) -> ApiResult<()> {
    if model::live_run(ctx, c.business_id, c.id)?.is_some() {
        return Ok(());
    }
    let source = serde_json::to_value(c.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    // Only active flows can start; their index names them, one per number.
    for (number, flow_id) in model::active(ctx, c.business_id)? {
        if c.number_id.is_some_and(|n| n != number) {
            continue;
        }
        let Some(flow) = model::get(ctx, c.business_id, flow_id)? else {
            continue;
        };
        let Some(version) = flow.published_version else {
            continue;
        };
        let Some(loaded) = load(ctx, flow.id, version)? else {
            continue;
        };
        let Some(t) = loaded.graph.trigger() else {
            continue;
        };
        let wanted = t.data["source"].as_str().unwrap_or("any");
        if t.data["on"] != "new_lead" || (wanted != "any" && !wanted.is_empty() && wanted != source)
        {
            continue;
        }
        let mut joined = c.clone();
        if joined.number_id.is_none() {
            joined.number_id = Some(number);
            repo::save(ctx, Some(c), &joined)?;
        }
        if allowed(ctx, &loaded.options, flow.id, &joined)? {
            start(ctx, &joined, flow.id, version, &loaded, None)?;
        }
        return Ok(());
    }
    Ok(())
}

/// Ends a run now (a person stepped in, the customer asked for one, an operator).
pub fn end(ctx: &mut WriteCtx, run: &mut Run, state: RunState, why: &str) -> ApiResult<()> {
    if run.cursor.state.is_terminal() {
        return Ok(());
    }
    run.cursor.state = state;
    run.cursor.error = Some(why.to_string());
    run.cursor.timer_at = None;
    let e = RunEvent {
        at: now_ms(),
        node: run.cursor.node.clone().unwrap_or_default(),
        handle: None,
        note: Some(why.to_string()),
    };
    model::add_event(ctx, run, &e)?;
    let metric = if state == RunState::Failed {
        "failed"
    } else {
        "cancelled"
    };
    model::count(ctx, run.flow_id, "", metric)?;
    run.updated_at = now_ms();
    model::save_run(ctx, run)?;
    Ok(())
}

/// A message a run sent failed for good (Meta refused it, or reported it
/// failed). A run waiting for the answer to it is over: the customer never
/// got the question, and the team sees why instead of a run stuck for a day.
pub fn message_failed(ctx: &mut WriteCtx, m: &Message) -> ApiResult<()> {
    let details: Value = serde_json::from_str(&m.details).unwrap_or_default();
    let Some(run_id) = details["flow"]["run"]
        .as_str()
        .and_then(|r| r.parse::<RecordId>().ok())
    else {
        return Ok(());
    };
    let node = details["flow"]["node"].as_str().unwrap_or_default();
    let Some(mut run) = model::run(ctx, m.business_id, run_id)? else {
        return Ok(());
    };
    if run.cursor.state != RunState::WaitingInput || run.cursor.node.as_deref() != Some(node) {
        return Ok(());
    }
    let why = format!(
        "node {node}: the question did not reach the customer ({})",
        m.error.as_deref().unwrap_or("Meta refused it")
    );
    end(ctx, &mut run, RunState::Failed, &why)
}

/// A person wrote in the conversation or assigned it: its run pauses (ends,
/// resumable by an operator) when its flow says so.
pub fn person_stepped_in(ctx: &mut WriteCtx, m: &Message, why: &str) -> ApiResult<()> {
    pause_for_person(ctx, m.business_id, m.conversation_id, why)
}

pub fn pause_for_person(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
    why: &str,
) -> ApiResult<()> {
    let Some(mut run) = model::live_run(ctx, b, c)? else {
        return Ok(());
    };
    let pause =
        load(ctx, run.flow_id, run.version)?.is_some_and(|l| l.options.pause_on_human_reply);
    if pause {
        model::mark_handed_off(ctx, b, c, now_ms())?;
        end(ctx, &mut run, RunState::Cancelled, why)?;
    }
    Ok(())
}

/// Whether the replies of this flow version name `reply`.
pub fn offers_reply(loaded: &Loaded, reply: &str) -> bool {
    loaded
        .graph
        .nodes
        .iter()
        .any(|n| reply_ids(&n.data).iter().any(|(id, _)| id == reply))
}

#[cfg(test)]
mod keyword_tests {
    use serde_json::json;

    use super::keyword_matches;

    #[test]
    fn keywords_match_as_people_type_them() {
        let exact = json!({"keywords": ["Olá", "preço"], "match": "exact"});
        for said in ["ola", "OLÁ!", "  olá  ", "Preço?"] {
            assert!(keyword_matches(&exact, said), "{said}");
        }
        assert!(!keyword_matches(&exact, "olá, tudo bem?"));
        let contains = json!({"keywords": ["sofá azul"], "match": "contains"});
        assert!(keyword_matches(&contains, "Quero o SOFA  azul, por favor"));
        assert!(!keyword_matches(&contains, "sofá verde"));
        // A pattern keeps its meaning: \\D is "not a digit", whatever the case.
        let regex = json!({"keywords": ["^\\D+$"], "match": "regex"});
        assert!(keyword_matches(&regex, "abc"));
        assert!(!keyword_matches(&regex, "123"));
        let empty = json!({"keywords": ["!!"], "match": "exact"});
        assert!(
            !keyword_matches(&empty, "!!"),
            "a keyword with no word matches nothing"
        );
    }
}
