//! The conversation API: the scoped list, one conversation, its messages and
//! notes; assign, close and reopen, labels, read markers.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    access::{Conversations, ListQuery, View},
    model::{Conversation, Message, Note, Source, Status},
    repo,
};
use crate::{
    auth::MemberActor,
    channels::whatsapp::media,
    contacts,
    error::{ApiError, ApiResult, Code},
    http::{AppState, Routes},
    store::{
        ids::{ConversationId, MemberId, MessageId, NumberId},
        Reader,
    },
    tenancy::{repo as tenancy_repo, Scope},
    time::{now_ms, rfc3339, serde_ms},
};

pub fn routes(r: &mut Routes) {
    r.get("/api/conversations", list)
        .get("/api/conversations/{id}", show)
        .patch("/api/conversations/{id}", update)
        .get("/api/conversations/{id}/messages", messages)
        .post("/api/conversations/{id}/messages", send)
        .answers(&[202])
        .post("/api/conversations/{id}/messages/{message_id}/retry", retry)
        .answers(&[202])
        .get("/api/conversations/{id}/notes", notes)
        .post("/api/conversations/{id}/notes", add_note)
        .answers(&[201])
        .post("/api/conversations/{id}/read", mark_read)
        .answers(&[204]);
}

pub fn contact_json<R: Reader + ?Sized>(r: &R, c: &Conversation) -> ApiResult<Value> {
    let contact = contacts::get(r, c.business_id, c.contact_id)?;
    Ok(match contact {
        Some(k) => json!({"id": k.id, "name": k.name, "phone": k.phone, "email": k.email}),
        None => json!({"id": c.contact_id, "name": "", "phone": null, "email": null}),
    })
}

/// Where the list shows a reply last, whether it reached the customer: a
/// failed send must not look sent. One read of the newest message, for such rows only.
fn last_sent_status<R: Reader + ?Sized>(
    r: &R,
    c: &Conversation,
    p: &super::model::Preview,
) -> ApiResult<Option<super::model::MessageStatus>> {
    if p.direction != super::model::Direction::Out {
        return Ok(None);
    }
    Ok(repo::messages(r, c.business_id, c.id, None, 1)?
        .into_iter()
        .next()
        .filter(|m| m.direction == super::model::Direction::Out)
        .map(|m| m.status))
}

pub fn conversation_json<R: Reader + ?Sized>(
    r: &R,
    c: &Conversation,
    scope: &Scope,
) -> ApiResult<Value> {
    let unread = c
        .inbound_count
        .saturating_sub(repo::seen(r, c, scope.member_id)?);
    let now = now_ms();
    Ok(json!({
        "id": c.id,
        "contact": contact_json(r, c)?,
        "source": c.source,
        "status": c.status,
        "assignee_id": c.assignee_id,
        "number_id": c.number_id,
        "labels": c.labels,
        "last_message": match c.last_message.as_ref() {
            Some(p) => json!({
                "text": p.text, "type": p.kind, "direction": p.direction, "created_at": rfc3339(p.at),
                "status": last_sent_status(r, c, p)?,
            }),
            None => Value::Null,
        },
        "unread_count": unread,
        "window": {
            "open": c.window_open(now),
            "expires_at": c.window_expires_at().map(rfc3339),
        },
        "created_at": rfc3339(c.created_at),
        "updated_at": rfc3339(c.updated_at),
    }))
}

#[derive(Serialize)]
struct MessageView<'a> {
    id: MessageId,
    direction: super::model::Direction,
    #[serde(rename = "type")]
    kind: &'a str,
    text: &'a str,
    details: Value,
    media: Option<Value>,
    status: super::model::MessageStatus,
    error: &'a Option<String>,
    wa_message_id: &'a Option<String>,
    reply_to: &'a Option<String>,
    reactions: Vec<Value>,
    author_id: Option<MemberId>,
    #[serde(with = "serde_ms")]
    created_at: i64,
}

pub fn message_json(m: &Message) -> Value {
    let details: Value = serde_json::from_str(&m.details).unwrap_or(Value::Null);
    let media = details
        .get("media")
        .filter(|m| m.is_object())
        .cloned()
        .map(|mut media| {
            media["url"] = json!(format!(
                "/api/conversations/{}/messages/{}/media",
                m.conversation_id, m.id
            ));
            media
        });
    serde_json::to_value(MessageView {
        id: m.id,
        direction: m.direction,
        kind: &m.kind,
        text: &m.text,
        details,
        media,
        status: m.status,
        error: &m.error,
        wa_message_id: &m.wa_message_id,
        reply_to: &m.reply_to,
        reactions: m
            .reactions
            .iter()
            .map(|r| json!({"emoji": r.emoji, "from_customer": r.from_customer, "created_at": rfc3339(r.at)}))
            .collect(),
        author_id: m.author_id,
        created_at: m.created_at,
    })
    .unwrap_or(Value::Null)
}

/// The list's filters, shared with the CSV export of the same list.
#[derive(Deserialize)]
pub(crate) struct ListParams {
    view: Option<String>,
    source: Option<String>,
    status: Option<String>,
    number_id: Option<NumberId>,
    label: Option<String>,
    assignee_id: Option<MemberId>,
    cursor: Option<String>,
    limit: Option<usize>,
}

fn bad(field: &str, value: &str) -> ApiError {
    ApiError::new(
        Code::BadRequest,
        format!("`{value}` is not a valid {field}"),
    )
}

impl ListParams {
    pub(crate) fn query(self) -> ApiResult<ListQuery> {
        let view = match self.view.as_deref() {
            None | Some("all") => View::All,
            Some("mine") => View::Mine,
            Some("unassigned") => View::Unassigned,
            Some(other) => return Err(bad("view (mine, unassigned, all)", other)),
        };
        let source = match self.source.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(Source::parse(s).ok_or_else(|| bad("source", s))?),
            None => None,
        };
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            Some("open") => Some(Status::Open),
            Some("closed") => Some(Status::Closed),
            Some(other) => return Err(bad("status (open, closed)", other)),
            None => None,
        };
        let after = match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(
                hex::decode(c)
                    .ok()
                    .filter(|b| b.len() == 24)
                    .ok_or_else(|| bad("cursor", c))?,
            ),
            None => None,
        };
        Ok(ListQuery {
            view,
            source,
            status,
            number_id: self.number_id,
            label: self.label.filter(|l| !l.is_empty()),
            assignee_id: self.assignee_id,
            after,
            limit: self.limit.unwrap_or(50).clamp(1, 200),
        })
    }
}

async fn list(
    state: web::Data<AppState>,
    actor: MemberActor,
    params: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let q = params.into_inner().query()?;
    let read = state.store.read()?;
    let (items, next) = Conversations::new(&read, &actor.scope).list(&q)?;
    let items = items
        .iter()
        .map(|c| conversation_json(&read, c, &actor.scope))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next.map(hex::encode)})))
}

async fn show(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(id.into_inner())?;
    let mut out = conversation_json(&read, &c, &actor.scope)?;
    // Why it went to whom: the latest assignment's explanation.
    out["assignment"] = crate::assignment::explanation(&read, c.business_id, c.id)?
        .map(|e| json!({
            "channel": e.channel, "mode": e.mode, "member_id": e.member_id, "credit": e.credit,
            "position": e.position, "outcome": e.outcome, "at": rfc3339(e.at),
            "skipped": e.skipped.iter().map(|(m, why)| json!({"member_id": m, "reason": why})).collect::<Vec<_>>(),
        }))
        .unwrap_or(Value::Null);
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "crate::http::parse::double_option")]
    assignee_id: Option<Option<MemberId>>,
    status: Option<Status>,
    labels: Option<Vec<String>>,
}

fn clean_labels(labels: &[String]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = labels
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    out.sort();
    out.dedup();
    if out.len() > 20 || out.iter().any(|l| l.chars().count() > 40) {
        return Err(ApiError::field(
            "labels",
            "at most 20 labels of up to 40 characters",
        ));
    }
    Ok(out)
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
    body: web::Json<UpdateBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let body = body.into_inner();
    let labels = body.labels.as_deref().map(clean_labels).transpose()?;
    let scope = actor.scope.clone();
    let conversation = state
        .store
        .write(move |ctx| {
            let before = Conversations::new(ctx, &scope).get(id)?;
            let mut c = before.clone();
            if let Some(assignee) = body.assignee_id {
                if let Some(m) = assignee {
                    tenancy_repo::member(ctx, scope.business_id, m)?
                        .ok_or_else(|| ApiError::field("assignee_id", "no such member"))?;
                }
                if !scope.may_assign(assignee) {
                    return Err(ApiError::forbidden(
                        "You cannot assign this conversation to that member",
                    ));
                }
                c.assignee_id = assignee;
            }
            if let Some(s) = body.status {
                c.status = s;
            }
            if let Some(l) = &labels {
                c.labels = l.clone();
            }
            if c != before {
                c.updated_at = now_ms().max(before.updated_at);
                super::service::save_changed(ctx, &before, &c, Some(scope.member_id))?;
                if c.assignee_id != before.assignee_id {
                    crate::assignment::explain_by_person(ctx, &c)?;
                    crate::flows::runtime::pause_for_person(
                        ctx,
                        c.business_id,
                        c.id,
                        "assigned by a person",
                    )?;
                }
            }
            Ok(c)
        })
        .await?;
    let read = state.store.read()?;
    Ok(HttpResponse::Ok().json(conversation_json(&read, &conversation, &actor.scope)?))
}

#[derive(Deserialize)]
struct PageParams {
    cursor: Option<String>,
    limit: Option<usize>,
    /// Everything from the newest message back to this one (a search hit).
    until: Option<String>,
}

/// How far back `until` reaches; a deeper message opens the thread as usual.
const UNTIL_MAX: usize = 2_000;

async fn messages(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let before = match params.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse::<MessageId>().map_err(|_| bad("cursor", c))?),
        None => None,
    };
    let until = match params.until.as_deref().filter(|c| !c.is_empty()) {
        Some(u) => Some(u.parse::<MessageId>().map_err(|_| bad("until", u))?),
        None => None,
    };
    let mut limit = params.limit.unwrap_or(50).clamp(1, 200);
    let read = state.store.read()?;
    let conversations = Conversations::new(&read, &actor.scope);
    let id = id.into_inner();
    let found = match until {
        Some(u) => conversations.messages_until(id, u, UNTIL_MAX)?,
        None => None,
    };
    let page = match found {
        Some(page) => {
            // The next page goes on from the target, older.
            limit = page.len();
            page
        }
        None => conversations.messages(id, before, limit)?,
    };
    let next = (page.len() == limit)
        .then(|| page.last().map(|m| m.id.to_string()))
        .flatten();
    let items = page
        .iter()
        .map(|m| {
            let mut v = message_json(m);
            media::annotate(&read, m, &mut v)?;
            Ok(v)
        })
        .collect::<ApiResult<Vec<Value>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": next})))
}

/// Queues a reply; the sender delivers it (202: accepted, not yet sent).
async fn send(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let composed = crate::outbound::compose::compose(&body)?;
    let reply_to = match &body["reply_to"] {
        Value::Null => None,
        Value::String(r) => Some(r.clone()),
        _ => return Err(ApiError::field("reply_to", QUOTE_WHAT)),
    };
    let id = id.into_inner();
    let scope = actor.scope.clone();
    let message = state
        .store
        .write(move |ctx| {
            let quoted = match reply_to.as_deref() {
                Some(r) => {
                    Conversations::new(ctx, &scope).get(id)?;
                    Some(quoted_wamid(ctx, scope.business_id, id, r)?)
                }
                None => None,
            };
            crate::outbound::enqueue(ctx, &scope, id, &composed, quoted.as_deref())
        })
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(json!({"id": message.id, "status": "queued"})))
}

const QUOTE_WHAT: &str = "must be the id (or WhatsApp id) of a message in this conversation";

/// A reply names our message id or Meta's wamid of a message in this
/// conversation; Meta needs the wamid, and quietly sends an unknown one unquoted.
fn quoted_wamid(
    ctx: &crate::store::WriteCtx,
    b: crate::store::ids::BusinessId,
    c: ConversationId,
    reply_to: &str,
) -> ApiResult<String> {
    let found = match reply_to.parse::<MessageId>() {
        Ok(mid) => repo::message(ctx, b, c, mid)?,
        Err(_) => repo::by_wamid_in(ctx, b, Some(c), reply_to)?
            .filter(|m| m.business_id == b && m.conversation_id == c),
    };
    let m = found.ok_or_else(|| ApiError::field("reply_to", QUOTE_WHAT))?;
    m.wa_message_id.ok_or_else(|| {
        ApiError::field(
            "reply_to",
            "that message has not reached WhatsApp yet, so it cannot be quoted",
        )
    })
}

/// Puts a failed message back in the outbox as it was composed.
async fn retry(
    state: web::Data<AppState>,
    actor: MemberActor,
    path: web::Path<(ConversationId, MessageId)>,
) -> ApiResult<HttpResponse> {
    let (id, message_id) = path.into_inner();
    let scope = actor.scope.clone();
    let message = state
        .store
        .write(move |ctx| crate::outbound::retry::retry(ctx, &scope, id, message_id))
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Accepted().json(json!({"id": message.id, "status": "queued"})))
}

fn note_json(n: &Note) -> Value {
    json!({"id": n.id, "author_id": n.author_id, "text": n.text, "created_at": rfc3339(n.created_at)})
}

async fn notes(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let b = actor.business.id;
    let mut names: std::collections::HashMap<crate::store::ids::MemberId, String> =
        std::collections::HashMap::new();
    let mut items: Vec<Value> = Vec::new();
    for n in Conversations::new(&read, &actor.scope).notes(id.into_inner())? {
        // Whoever wrote it is named, even someone outside the reader's
        // directory (the owner, for a member).
        let name = match names.entry(n.author_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                let name = crate::tenancy::repo::member(&read, b, n.author_id)?
                    .map(|m| crate::auth::users::get(&read, m.user_id))
                    .transpose()?
                    .flatten()
                    .map(|u| u.name)
                    .unwrap_or_default();
                slot.insert(name)
            }
        };
        let mut item = note_json(&n);
        item["author_name"] = json!(name);
        items.push(item);
    }
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    text: String,
}

async fn add_note(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
    body: web::Json<NoteBody>,
) -> ApiResult<HttpResponse> {
    let text = body.text.trim().to_string();
    if text.is_empty() || text.chars().count() > 4096 {
        return Err(ApiError::field("text", "must be 1 to 4096 characters"));
    }
    let id = id.into_inner();
    let scope = actor.scope.clone();
    let note = state
        .store
        .write(move |ctx| {
            let c = Conversations::new(ctx, &scope).get(id)?;
            let note = Note {
                id: MessageId::new(),
                conversation_id: c.id,
                author_id: scope.member_id,
                text: text.clone(),
                created_at: now_ms(),
            };
            repo::add_note(ctx, c.business_id, &note)?;
            // Colleagues with the conversation open see it at once.
            ctx.emit(crate::events::Event::new(
                Some(c.business_id),
                "note.new",
                json!({"conversation_id": c.id, "note_id": note.id, "author_id": note.author_id,
                       "assignee_id": c.assignee_id}),
            ));
            Ok(note)
        })
        .await?;
    Ok(HttpResponse::Created().json(note_json(&note)))
}

/// Marks every inbound message so far as seen by the calling member.
async fn mark_read(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let scope = actor.scope.clone();
    state
        .store
        .write(move |ctx| {
            let c = Conversations::new(ctx, &scope).get(id)?;
            repo::mark_seen(ctx, &c, scope.member_id)?;
            // The reader's other tabs and devices fetch the row again and drop
            // it from their unread; nobody else's count changed.
            ctx.emit(crate::events::Event::new(
                Some(c.business_id),
                "conversation.updated",
                json!({"conversation_id": c.id, "recipient_id": scope.member_id,
                       "read": true, "activity_only": true}),
            ));
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
