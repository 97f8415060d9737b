//! `/api/followups`: create, list by view (overdue, today, upcoming, done) in
//! the member's time zone, change, snooze, mark done, delete; and a
//! conversation's follow-ups. Everything passes through the actor's scope.
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{delete, due_between, get, of_conversation, reminder, save, Followup};
use crate::{
    auth::MemberActor,
    conversations::{access::Conversations, model::Conversation},
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        ids::{ConversationId, MemberId, RecordId},
        Reader,
    },
    tenancy::repo as tenancy,
    time::{now_ms, rfc3339},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/followups", list)
        .post("/api/followups", create)
        .answers(&[201])
        .patch("/api/followups/{id}", update)
        .delete("/api/followups/{id}", remove)
        .answers(&[204])
        .get("/api/conversations/{id}/followups", of_one);
}

fn json_of(f: &Followup) -> Value {
    json!({"id": f.id, "conversation_id": f.conversation_id, "note": f.note,
           "scheduled_for": rfc3339(f.scheduled_for), "assignee_id": f.assignee_id, "created_by": f.created_by,
           "done": f.done_at.is_some(), "done_at": f.done_at.map(rfc3339), "overdue": f.done_at.is_none() && f.scheduled_for < now_ms(),
           "created_at": rfc3339(f.created_at), "updated_at": rfc3339(f.updated_at)})
}

/// How far back a reminder may be set (a clock a little off, a form left
/// open), and how far ahead.
const PAST_MS: i64 = 86_400_000;
const AHEAD_MS: i64 = 5 * 366 * 86_400_000;

fn parse_time(s: &str) -> ApiResult<i64> {
    let at = parse_any_time(s)?;
    plausible(at)
}

fn parse_any_time(s: &str) -> ApiResult<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            ApiError::field(
                "scheduled_for",
                "must be an RFC 3339 time such as 2026-11-27T14:30:00-03:00",
            )
        })
}

fn plausible(at: i64) -> ApiResult<i64> {
    let now = now_ms();
    if !(now - PAST_MS..=now + AHEAD_MS).contains(&at) {
        return Err(ApiError::field(
            "scheduled_for",
            "must be no more than a day in the past and at most five years ahead",
        ));
    }
    Ok(at)
}

fn check_note(note: &str) -> ApiResult<String> {
    let n = note.trim();
    if n.is_empty() || n.chars().count() > 2000 {
        return Err(ApiError::field("note", "must be 1 to 2000 characters"));
    }
    Ok(n.to_string())
}

/// Handing a follow-up to someone follows the rule of handing out
/// conversations, and goes only to someone who can open the conversation.
fn may_give<R: Reader + ?Sized>(
    r: &R,
    actor: &MemberActor,
    c: &Conversation,
    to: MemberId,
) -> ApiResult<()> {
    let member = tenancy::member(r, actor.business.id, to)?
        .ok_or_else(|| ApiError::field("assignee_id", "no such member"))?;
    let scope = &actor.scope;
    let may = to == scope.member_id || scope.may_assign(Some(to));
    if may && tenancy::scope_for(r, &member)?.sees_conversation(c.assignee_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "That member cannot open this conversation (or is not yours to give work to); assign it to them first",
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewFollowup {
    conversation_id: ConversationId,
    note: String,
    scheduled_for: String,
    assignee_id: Option<MemberId>,
}

async fn create(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<NewFollowup>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let note = check_note(&body.note)?;
    let at = parse_time(&body.scheduled_for)?;
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(body.conversation_id)?;
    let assignee = body.assignee_id.unwrap_or(actor.scope.member_id);
    may_give(&read, &actor, &c, assignee)?;
    drop(read);
    let now = now_ms();
    let f = Followup {
        id: RecordId::new(),
        business_id: c.business_id,
        conversation_id: c.id,
        note,
        scheduled_for: at,
        assignee_id: assignee,
        created_by: actor.scope.member_id,
        done_at: None,
        timer_seq: 0,
        reminded_seq: 0,
        created_at: now,
        updated_at: now,
    };
    let f = state
        .store
        .write(move |ctx| {
            let mut f = f.clone();
            reminder::arm(ctx, &mut f)?;
            save(ctx, None, &f)?;
            Ok(f)
        })
        .await?;
    Ok(HttpResponse::Created().json(json_of(&f)))
}

/// A follow-up is seen by those who see its assignee's work, while they can
/// still open its conversation (which may have moved on to someone else).
fn visible<R: Reader + ?Sized>(r: &R, actor: &MemberActor, f: &Followup) -> bool {
    actor.scope.sees_conversation(Some(f.assignee_id))
        && (actor.scope.sees_all()
            || Conversations::new(r, &actor.scope)
                .get(f.conversation_id)
                .is_ok())
}

fn own(state: &AppState, actor: &MemberActor, id: RecordId) -> ApiResult<Followup> {
    let read = state.store.read()?;
    get(&read, actor.business.id, id)?
        .filter(|f| visible(&read, actor, f))
        .ok_or_else(|| ApiError::not_found("follow-up"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Changes {
    note: Option<String>,
    scheduled_for: Option<String>,
    assignee_id: Option<MemberId>,
    done: Option<bool>,
    /// Moves the due time to now + this many minutes.
    snooze_minutes: Option<u32>,
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<Changes>,
) -> ApiResult<HttpResponse> {
    let before = own(&state, &actor, id.into_inner())?;
    let ch = body.into_inner();
    let mut f = before.clone();
    if let Some(n) = &ch.note {
        f.note = check_note(n)?;
    }
    if let Some(t) = &ch.scheduled_for {
        let at = parse_any_time(t)?;
        // The edit form sends the time back with the note: an old overdue
        // follow-up keeps its time (to the minute the form shows) unchecked.
        if (at - before.scheduled_for).abs() >= 60_000 {
            f.scheduled_for = plausible(at)?;
        }
    }
    if let Some(m) = ch.snooze_minutes {
        if !(1..=60 * 24 * 365).contains(&m) {
            return Err(ApiError::field(
                "snooze_minutes",
                "must be 1 minute to a year",
            ));
        }
        f.scheduled_for = now_ms() + i64::from(m) * 60_000;
    }
    if let Some(m) = ch.assignee_id {
        let read = state.store.read()?;
        let c = Conversations::new(&read, &actor.scope).get(f.conversation_id)?;
        may_give(&read, &actor, &c, m)?;
        f.assignee_id = m;
    }
    if let Some(d) = ch.done {
        f.done_at = if d {
            Some(before.done_at.unwrap_or_else(now_ms))
        } else {
            None
        };
    }
    f.updated_at = now_ms();
    let rearm = f.scheduled_for != before.scheduled_for
        || f.done_at.is_some() != before.done_at.is_some()
        || f.assignee_id != before.assignee_id;
    let f = state
        .store
        .write(move |ctx| {
            let mut f = f.clone();
            if rearm {
                reminder::arm(ctx, &mut f)?;
            }
            save(ctx, Some(&before), &f)?;
            Ok(f)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json_of(&f)))
}

async fn remove(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let f = own(&state, &actor, id.into_inner())?;
    state.store.write(move |ctx| Ok(delete(ctx, &f)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
struct ListParams {
    view: Option<String>,
    assignee_id: Option<MemberId>,
    /// The member's offset from UTC, for "today" (the browser sends it).
    tz_offset_minutes: Option<i64>,
    limit: Option<usize>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Where a follow-up sits in its view's order: its due time (its completion
/// time, newest first, in "done") and its id. A cursor names the last one sent.
fn place(f: &Followup, done: bool) -> (i64, RecordId) {
    if done {
        (-f.done_at.unwrap_or(0), f.id)
    } else {
        (f.scheduled_for, f.id)
    }
}

fn parse_cursor(c: &str) -> ApiResult<(i64, RecordId)> {
    c.split_once('.')
        .and_then(|(t, id)| Some((t.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| ApiError::new(Code::BadRequest, format!("`{c}` is not a valid cursor")))
}

/// Follow-ups examined per request at most.
const SCAN: usize = 20_000;
const DAY: i64 = 86_400_000;

async fn list(
    state: web::Data<AppState>,
    actor: MemberActor,
    q: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let now = now_ms();
    let offset = q.tz_offset_minutes.unwrap_or(0).clamp(-14 * 60, 14 * 60) * 60_000;
    let day_start = (now + offset).div_euclid(DAY) * DAY - offset;
    let (from, to, done) = match q.view.as_deref().unwrap_or("upcoming") {
        "overdue" => (i64::MIN / 2, now, false),
        "today" => (day_start, day_start + DAY, false),
        "upcoming" => (now, i64::MAX / 2, false),
        "done" => (i64::MIN / 2, i64::MAX / 2, true),
        other => {
            return Err(ApiError::new(
                Code::BadRequest,
                format!("`{other}` is not a view (overdue, today, upcoming, done)"),
            ))
        }
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(parse_cursor(c)?),
        None => None,
    };
    // Open views read on from the cursor's due time; "done" is ordered in memory.
    let from = match after {
        Some((t, _)) if !done => from.max(t),
        _ => from,
    };
    let read = state.store.read()?;
    let mut items: Vec<Followup> = due_between(&read, actor.business.id, from, to, SCAN)?
        .into_iter()
        .filter(|f| f.done_at.is_some() == done && visible(&read, &actor, f))
        .filter(|f| q.assignee_id.is_none_or(|m| f.assignee_id == m))
        .filter(|f| after.is_none_or(|a| place(f, done) > a))
        .collect();
    items.sort_by_key(|f| place(f, done));
    let next = (items.len() > limit)
        .then(|| items.get(limit - 1).map(|f| place(f, done)))
        .flatten()
        .map(|(t, id)| format!("{t}.{id}"));
    items.truncate(limit);
    Ok(HttpResponse::Ok()
        .json(json!({"items": items.iter().map(json_of).collect::<Vec<_>>(), "next_cursor": next})))
}

async fn of_one(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(id.into_inner())?;
    // Whoever may open the conversation sees all that is planned for it.
    let items: Vec<Value> = of_conversation(&read, c.business_id, c.id)?
        .iter()
        .map(json_of)
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}
