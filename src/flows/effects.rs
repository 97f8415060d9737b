//! What a run's step does to the world, inside the step's own write: messages
//! into the outbox (with the per-conversation cap and the 24-hour window
//! enforced), durable timers, assignment, labels, contact fields, follow-up
//! reminders, webhook calls, notifications, closing and handing off.
use serde_json::{json, Value};

use super::{
    engine::{Effect, RunState, World},
    graph::Graph,
    jobs,
    model::{self, Run, RunEvent},
    runtime,
};
use crate::{
    assignment::{self, Channel},
    contacts,
    conversations::{model::Status, repo, service, Conversation},
    error::{ApiError, ApiResult, Code},
    notifications,
    outbound::{self, compose},
    scheduler,
    store::{ids::MemberId, WriteCtx},
    tenancy::{repo as tenancy, Role},
};

/// Messages one conversation may get from automations per minute.
pub const MAX_SENDS_PER_MINUTE: u32 = 20;

fn fail(run: &mut Run, why: String) {
    run.cursor.state = RunState::Failed;
    run.cursor.error = Some(why);
    run.cursor.timer_at = None;
}

fn conversation(ctx: &WriteCtx, run: &Run) -> ApiResult<Conversation> {
    repo::get(ctx, run.business_id, run.conversation_id)?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// Business rules refusing a step fail the run; the store failing fails the write.
fn refused(e: &ApiError) -> bool {
    !e.code.http().is_server_error()
}

pub fn apply(
    ctx: &mut WriteCtx,
    run: &mut Run,
    g: &Graph,
    effects: Vec<Effect>,
    world: &World,
) -> ApiResult<()> {
    for effect in effects {
        if run.cursor.state == RunState::Failed && !matches!(effect, Effect::Step { .. }) {
            break;
        }
        match effect {
            Effect::Step { node, handle } => {
                match &handle {
                    None => model::count(ctx, run.flow_id, &node, "entered")?,
                    Some(h) => {
                        model::count(ctx, run.flow_id, &node, "completed")?;
                        if let Some(next) = g.next(&node, h) {
                            model::count(ctx, run.flow_id, next, "entered")?;
                        }
                    }
                }
                model::add_event(
                    ctx,
                    run,
                    &RunEvent {
                        at: world.now,
                        node,
                        handle,
                        note: None,
                    },
                )?;
            }
            Effect::Send { node, body } => send(ctx, run, &node, &body, world)?,
            Effect::Timer { at, seq } => {
                scheduler::schedule(
                    ctx,
                    jobs::TIMER,
                    &json!({"business": run.business_id, "run": run.id, "seq": seq}),
                    at,
                    5,
                )?;
            }
            Effect::Webhook { seq, data } => {
                scheduler::schedule(
                    ctx,
                    jobs::WEBHOOK,
                    &json!({"business": run.business_id, "run": run.id, "seq": seq, "call": data}),
                    world.now,
                    1,
                )?;
            }
            Effect::Followup { note, at } => followup(ctx, run, note, at)?,
            Effect::Assign(data) => {
                if let Err(e) = assign(ctx, run, &data) {
                    if !refused(&e) {
                        return Err(e);
                    }
                    fail(run, format!("assigning failed: {}", e.message));
                }
            }
            Effect::AddLabel(l) | Effect::RemoveLabel(l) if l.trim().is_empty() => {}
            Effect::AddLabel(l) => change(ctx, run, |c| {
                if !c.labels.iter().any(|x| x.eq_ignore_ascii_case(&l)) && c.labels.len() < 20 {
                    c.labels.push(l.chars().take(40).collect());
                }
            })?,
            Effect::RemoveLabel(l) => change(ctx, run, |c| {
                c.labels.retain(|x| !x.eq_ignore_ascii_case(&l))
            })?,
            Effect::Close => change(ctx, run, |c| c.status = Status::Closed)?,
            Effect::SetField { field, value } => set_field(ctx, run, &field, &value)?,
            Effect::Notify(text) => tell_team(ctx, run, "flow", &text)?,
            Effect::Handoff(note) => {
                let text = if note.is_empty() {
                    "The automation handed this conversation to a person".to_string()
                } else {
                    note
                };
                tell_team(ctx, run, "handoff", &text)?;
                model::mark_handed_off(
                    ctx,
                    run.business_id,
                    run.conversation_id,
                    crate::time::now_ms(),
                )?;
            }
        }
    }
    Ok(())
}

fn send(
    ctx: &mut WriteCtx,
    run: &mut Run,
    node: &str,
    body: &Value,
    world: &World,
) -> ApiResult<()> {
    let minute = world.now / 60_000;
    if run.sent_minute != minute {
        run.sent_minute = minute;
        run.sent_in_minute = 0;
    }
    run.sent_in_minute += 1;
    if run.sent_in_minute > MAX_SENDS_PER_MINUTE {
        fail(
            run,
            format!("stopped: more than {MAX_SENDS_PER_MINUTE} automated messages in a minute"),
        );
        return Ok(());
    }
    let mut composed = match compose::compose(body) {
        Ok(c) => c,
        Err(e) => {
            fail(
                run,
                format!("node {node}: the message is not valid: {}", e.message),
            );
            return Ok(());
        }
    };
    if !composed.is_template && !world.window_open {
        fail(
            run,
            format!(
                "node {node}: the 24-hour window is closed and the node has no fallback template"
            ),
        );
        return Ok(());
    }
    composed.details["flow"] = json!({"run": run.id, "node": node});
    let c = conversation(ctx, run)?;
    match outbound::enqueue_to(ctx, c, &composed, None, None) {
        Ok(_) => Ok(()),
        Err(e) if refused(&e) => {
            fail(run, format!("node {node}: {}", e.message));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn change(ctx: &mut WriteCtx, run: &Run, f: impl FnOnce(&mut Conversation)) -> ApiResult<()> {
    let before = conversation(ctx, run)?;
    let mut c = before.clone();
    f(&mut c);
    if c != before {
        service::save_changed(ctx, &before, &c, None)?;
    }
    Ok(())
}

fn assign(ctx: &mut WriteCtx, run: &Run, d: &Value) -> ApiResult<()> {
    let b = run.business_id;
    let before = conversation(ctx, run)?;
    let members = tenancy::members(ctx, b)?;
    let id = |k: &str| d[k].as_str().and_then(|s| s.parse().ok());
    let to: Option<MemberId> = match d["to"].as_str() {
        Some("member") => {
            let m: Option<MemberId> = id("member_id");
            Some(
                m.filter(|m| members.iter().any(|x| x.id == *m))
                    .ok_or_else(|| ApiError::field("member_id", "is not a member"))?,
            )
        }
        Some("team") => {
            let team: Option<crate::store::ids::TeamId> =
                d["team_id"].as_str().and_then(|s| s.parse().ok());
            let in_team: Vec<_> = members
                .iter()
                .filter(|m| m.team_id.is_some() && m.team_id == team)
                .collect();
            // The team's least busy would need counts; the first one present is fair enough here.
            in_team
                .iter()
                .find(|m| m.available && m.role == Role::Member)
                .or_else(|| in_team.iter().find(|m| m.available))
                .map(|m| m.id)
        }
        _ => {
            let channel = match before.number_id {
                Some(n) => Channel::WhatsApp(n),
                None => Channel::Manual,
            };
            assignment::assign_new(ctx, b, channel, before.id)?
        }
    };
    let mut c = before.clone();
    c.assignee_id = to.or(before.assignee_id);
    if c != before {
        service::save_changed(ctx, &before, &c, None)?;
    }
    Ok(())
}

fn set_field(ctx: &mut WriteCtx, run: &Run, field: &str, value: &str) -> ApiResult<()> {
    let b = run.business_id;
    let Some(before) = contacts::get(ctx, b, run.contact_id)? else {
        return Ok(());
    };
    let mut c = before.clone();
    match field {
        "name" => c.name = value.chars().take(120).collect(),
        "email" if crate::auth::users::valid_email(value) => {
            let e = value.trim().to_lowercase();
            if contacts::by_email(ctx, b, &e)?.is_none() {
                c.email = Some(e);
            }
        }
        f => {
            if let Some(k) = f
                .strip_prefix("custom.")
                .filter(|k| contacts::valid_field_key(k))
            {
                contacts::set_field(ctx, b, c.id, k, value)?;
            }
        }
    }
    if c != before {
        c.updated_at = crate::time::now_ms();
        contacts::save(ctx, Some(&before), &c)?;
    }
    Ok(())
}

/// A real follow-up, the conversation's assignee's (else an owner's), with
/// its reminder armed like any other.
fn followup(ctx: &mut WriteCtx, run: &Run, note: String, at: i64) -> ApiResult<()> {
    let c = conversation(ctx, run)?;
    let owner = || -> ApiResult<Option<MemberId>> {
        Ok(tenancy::members(ctx, run.business_id)?
            .iter()
            .find(|m| m.role == Role::Owner)
            .map(|m| m.id))
    };
    let Some(who) = c.assignee_id.map_or_else(owner, |m| Ok(Some(m)))? else {
        return Ok(());
    };
    crate::followups::schedule(ctx, run.business_id, c.id, &note, at, who, who)?;
    Ok(())
}

/// The assignee, or (nobody assigned) the owners and leads, get a notification.
pub fn tell_team(ctx: &mut WriteCtx, run: &Run, kind: &str, text: &str) -> ApiResult<()> {
    let c = conversation(ctx, run)?;
    let targets: Vec<MemberId> = match c.assignee_id {
        Some(m) => vec![m],
        None => tenancy::members(ctx, run.business_id)?
            .iter()
            .filter(|m| m.role != Role::Member)
            .map(|m| m.id)
            .collect(),
    };
    for m in targets {
        notifications::notify(
            ctx,
            run.business_id,
            m,
            kind,
            text.chars().take(500).collect(),
            Some(c.id),
        )?;
    }
    Ok(())
}

/// A tapped button of a finished run gets a friendly word, not a silent restart.
pub fn menu_expired(ctx: &mut WriteCtx, c: &Conversation, reply: &str) -> ApiResult<bool> {
    let Some(last) = model::runs_of(ctx, c.business_id, c.id)?
        .into_iter()
        .max_by_key(|r| r.started_at)
    else {
        return Ok(false);
    };
    let Some(loaded) = runtime::load(ctx, last.flow_id, last.version)? else {
        return Ok(false);
    };
    if !runtime::offers_reply(&loaded, reply) || !c.window_open(crate::time::now_ms()) {
        return Ok(false);
    }
    let composed = compose::compose(&json!({"type": "text",
        "text": "This menu has expired. Send us a message and we will pick it up from here."}))?;
    match outbound::enqueue_to(ctx, c.clone(), &composed, None, None) {
        Ok(_) => Ok(true),
        Err(e) if e.code == Code::WindowClosed || refused(&e) => Ok(false),
        Err(e) => Err(e),
    }
}
