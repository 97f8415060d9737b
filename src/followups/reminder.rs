//! The reminder of a follow-up: a durable timer at its due time. It reminds
//! the assignee in-app (a notification and a `followup.due` event) once: a
//! timer that is not the follow-up's latest, or that already reminded, does
//! nothing, so neither a reschedule nor a restart repeats it.
use std::sync::Arc;

use serde_json::{json, Value};

use super::{get, save, Followup};
use crate::{
    contacts,
    conversations::repo,
    events::Event,
    notifications,
    scheduler::{self, Handler, Job, Outcome},
    store::{
        ids::{BusinessId, RecordId},
        Store, StoreError, WriteCtx,
    },
};

pub const JOB: &str = "followup_due";

/// Arms the timer for the follow-up's current due time (call on every change).
pub fn arm(ctx: &mut WriteCtx, f: &mut Followup) -> Result<(), StoreError> {
    f.timer_seq += 1;
    if f.done_at.is_none() {
        scheduler::schedule(
            ctx,
            JOB,
            &json!({"business": f.business_id, "id": f.id, "seq": f.timer_seq}),
            f.scheduled_for,
            5,
        )?;
    }
    Ok(())
}

/// How a reminder reaches people beyond the app.
#[derive(Clone)]
pub struct Reach {
    pub smtp: bool,
    pub public_url: String,
}

/// Due ones waiting longer than this are not swept into a later group: their
/// own timer (a restart fires it at once) reminds them.
const GROUP_LOOKBACK_MS: i64 = 7 * 24 * 3_600_000;

fn remind(
    ctx: &mut WriteCtx,
    reach: &Reach,
    b: BusinessId,
    id: RecordId,
    seq: u64,
) -> crate::error::ApiResult<()> {
    let Some(first) = get(ctx, b, id)? else {
        return Ok(());
    };
    if first.done_at.is_some() || first.timer_seq != seq || first.reminded_seq == seq {
        return Ok(());
    }
    // Several due together (a busy morning, or a restart after downtime) make
    // one reminder; their own timers then find them reminded and stay quiet.
    let now = crate::time::now_ms();
    let member = first.assignee_id;
    let mut group = vec![first.clone()];
    for f in super::due_between(ctx, b, now - GROUP_LOOKBACK_MS, now + 1, 200)? {
        let pending = f.done_at.is_none() && f.reminded_seq != f.timer_seq;
        if f.id != first.id && f.assignee_id == member && pending {
            group.push(f);
        }
    }
    // Someone who can no longer open the conversation (it was unassigned
    // from them, or their team changed) is not told about its customer.
    let scope = match crate::tenancy::repo::member(ctx, b, member)? {
        Some(m) => Some(crate::tenancy::repo::scope_for(ctx, &m)?),
        None => None,
    };
    let mut lines = Vec::with_capacity(group.len());
    for before in &group {
        let mut f = before.clone();
        f.reminded_seq = f.timer_seq;
        save(ctx, Some(before), &f)?;
        let assignee = repo::get(ctx, b, f.conversation_id)?.map(|c| c.assignee_id);
        let opens = matches!((&scope, assignee), (Some(s), Some(a)) if s.sees_conversation(a));
        if opens {
            lines.push((contact_name(ctx, b, &f)?, f));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let (title, text, path) = match lines.as_slice() {
        [(who, f)] => (
            format!("Follow up with {who}"),
            format!("It is time to follow up with {who}: {}", f.note),
            format!("/inbox/{}", f.conversation_id),
        ),
        many => (
            format!("{} follow-ups are due", many.len()),
            many.iter()
                .map(|(who, f)| format!("{who}: {}", f.note))
                .collect::<Vec<_>>()
                .join("\n"),
            "/followups".to_string(),
        ),
    };
    let single = (lines.len() == 1).then(|| lines[0].1.conversation_id);
    let in_app = match lines.as_slice() {
        [(_, f)] => format!("{title}: {}", f.note),
        many => format!(
            "{title}: {}",
            many.iter()
                .map(|(who, _)| who.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    notifications::notify(ctx, b, member, "followup", in_app, single)?;
    let prefs = notifications::prefs::get(ctx, b, member)?;
    if prefs.email {
        email(ctx, reach, b, member, &title, &text, &path)?;
    }
    if prefs.push {
        crate::push::notify(
            ctx,
            b,
            member,
            &crate::push::PushMessage {
                title: title.clone(),
                // A push message is at most one 4 KB record, keys and all.
                body: text.chars().take(1_000).collect(),
                url: path.clone(),
                tag: format!("followup-{}", first.id),
            },
        )?;
    }
    for (_, f) in &lines {
        ctx.emit(Event::new(
            Some(b),
            "followup.due",
            json!({"recipient_id": member, "id": f.id, "conversation_id": f.conversation_id, "note": f.note,
                   "scheduled_for": crate::time::rfc3339(f.scheduled_for)}),
        ));
    }
    Ok(())
}

fn contact_name(ctx: &mut WriteCtx, b: BusinessId, f: &Followup) -> Result<String, StoreError> {
    Ok(repo::get(ctx, b, f.conversation_id)?
        .and_then(|c| contacts::get(ctx, b, c.contact_id).ok().flatten())
        .map(|c| c.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "a contact".into()))
}

fn email(
    ctx: &mut WriteCtx,
    reach: &Reach,
    b: BusinessId,
    member: crate::store::ids::MemberId,
    subject: &str,
    text: &str,
    path: &str,
) -> Result<(), StoreError> {
    let user = crate::tenancy::repo::member(ctx, b, member)?
        .and_then(|m| crate::auth::users::get(ctx, m.user_id).ok().flatten());
    let Some(u) = user else {
        return Ok(());
    };
    let link = format!("{}{path}", reach.public_url.trim_end_matches('/'));
    let content = crate::mail::with_link(
        &format!("Hello {},", u.name),
        text,
        if path.starts_with("/inbox/") {
            "Open the conversation"
        } else {
            "Open your follow-ups"
        },
        &link,
        "You get this because these follow-ups are yours in wafunnel. Choose how you are reminded in your profile.",
    );
    crate::mail::enqueue(ctx, reach.smtp, Some(b), &u.email, subject, content)?;
    Ok(())
}

pub fn handler(store: Store, reach: Reach) -> Handler {
    Arc::new(move |job: Job| {
        let (store, reach) = (store.clone(), reach.clone());
        Box::pin(async move {
            let args: Value = serde_json::from_str(&job.payload).unwrap_or(Value::Null);
            let (Some(b), Some(id), Some(seq)) = (
                args["business"]
                    .as_str()
                    .and_then(|s| s.parse::<BusinessId>().ok()),
                args["id"].as_str().and_then(|s| s.parse::<RecordId>().ok()),
                args["seq"].as_u64(),
            ) else {
                return Outcome::Fail(format!("malformed job payload: {}", job.payload));
            };
            match store
                .write(move |ctx| remind(ctx, &reach, b, id, seq))
                .await
            {
                Ok(()) => Outcome::Done,
                Err(e) if e.code.http().is_server_error() => Outcome::Retry(e.message),
                Err(e) => Outcome::Fail(e.message),
            }
        })
    })
}
