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

fn remind(
    ctx: &mut WriteCtx,
    reach: &Reach,
    b: BusinessId,
    id: RecordId,
    seq: u64,
) -> crate::error::ApiResult<()> {
    let Some(before) = get(ctx, b, id)? else {
        return Ok(());
    };
    if before.done_at.is_some() || before.timer_seq != seq || before.reminded_seq == seq {
        return Ok(());
    }
    let mut f = before.clone();
    f.reminded_seq = seq;
    save(ctx, Some(&before), &f)?;
    let who = repo::get(ctx, b, f.conversation_id)?
        .and_then(|c| contacts::get(ctx, b, c.contact_id).ok().flatten())
        .map(|c| c.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "a contact".into());
    notifications::notify(
        ctx,
        b,
        f.assignee_id,
        "followup",
        format!("Follow up with {who}: {}", f.note),
        Some(f.conversation_id),
    )?;
    let user = crate::tenancy::repo::member(ctx, b, f.assignee_id)?
        .and_then(|m| crate::auth::users::get(ctx, m.user_id).ok().flatten());
    if let Some(u) = user {
        let link = format!(
            "{}/inbox/{}",
            reach.public_url.trim_end_matches('/'),
            f.conversation_id
        );
        let content = crate::mail::with_link(
            &format!("Hello {},", u.name),
            &format!("It is time to follow up with {who}: {}", f.note),
            "Open the conversation",
            &link,
            "You get this because the follow-up is yours in wafunnel.",
        );
        crate::mail::enqueue(
            ctx,
            reach.smtp,
            Some(b),
            &u.email,
            &format!("Follow up with {who}"),
            content,
        )?;
    }
    ctx.emit(Event::new(
        Some(b),
        "followup.due",
        json!({"recipient_id": f.assignee_id, "id": f.id, "conversation_id": f.conversation_id, "note": f.note,
               "scheduled_for": crate::time::rfc3339(f.scheduled_for)}),
    ));
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
