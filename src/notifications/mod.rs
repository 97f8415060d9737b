//! In-app notifications: a member's own list ("Carla Souza was assigned to
//! you"), with read state, delivered live as `notification.new` to that
//! member's sockets only. Email and push reminders build on this list.
pub mod prefs;

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    auth::MemberActor,
    contacts,
    conversations::{access::Conversations, model::Conversation},
    error::{ApiError, ApiResult, Code},
    events::Event,
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, MemberId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub member_id: MemberId,
    pub kind: String,
    pub text: String,
    pub conversation_id: Option<ConversationId>,
    pub created_at: i64,
    pub read: bool,
}
impl Record for Notification {}

/// (business, member, notification) → Notification; ULIDs keep arrival order.
const NOTIFICATIONS: Tbl = TableDefinition::new("notifications");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: NOTIFICATIONS,
    verify: codec::verify::<Notification>,
}];

fn prefix(b: BusinessId, m: MemberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(m.bytes()).done()
}

fn key(n: &Notification) -> Vec<u8> {
    Key::new()
        .raw(&prefix(n.business_id, n.member_id))
        .id(n.id.bytes())
        .done()
}

pub fn json_of(n: &Notification) -> Value {
    json!({"id": n.id, "kind": n.kind, "text": n.text, "conversation_id": n.conversation_id,
           "created_at": rfc3339(n.created_at), "read": n.read})
}

/// Writes a notification and sends it to the member's open sockets.
pub fn notify(
    ctx: &mut WriteCtx,
    b: BusinessId,
    member: MemberId,
    kind: &str,
    text: String,
    conversation: Option<ConversationId>,
) -> Result<(), StoreError> {
    let n = Notification {
        id: RecordId::new(),
        business_id: b,
        member_id: member,
        kind: kind.into(),
        text,
        conversation_id: conversation,
        created_at: now_ms(),
        read: false,
    };
    ctx.put(NOTIFICATIONS, &key(&n), &n)?;
    let mut data = json_of(&n);
    data["recipient_id"] = json!(member);
    ctx.emit(Event::new(Some(b), "notification.new", data));
    Ok(())
}

/// Tells every owner of the business: something only an owner can put right.
pub fn owners(ctx: &mut WriteCtx, b: BusinessId, kind: &str, text: &str) -> Result<(), StoreError> {
    for m in crate::tenancy::repo::members(ctx, b)?
        .into_iter()
        .filter(|m| m.role == crate::tenancy::model::Role::Owner)
    {
        notify(ctx, b, m.id, kind, text.to_string(), None)?;
    }
    Ok(())
}

/// Deletes the business's notifications about these conversations (they name
/// the contact).
pub fn forget_conversations(
    ctx: &mut WriteCtx,
    b: BusinessId,
    gone: &[ConversationId],
) -> Result<(), StoreError> {
    for (k, n) in store::scan::<Notification, _>(ctx, NOTIFICATIONS, &b.bytes(), None, usize::MAX)?
    {
        if n.conversation_id.is_some_and(|c| gone.contains(&c)) {
            ctx.delete(NOTIFICATIONS, &k)?;
        }
    }
    Ok(())
}

/// A member's unread notifications looked at when one is withdrawn: the
/// assignment being taken back is among their latest.
const WITHDRAW_SCAN: usize = 50;

/// "Carla Souza was assigned to you", unless the assignee did it themselves.
/// `previous`: who had it; their unread "assigned to you" about it is moot
/// now (a flow or a colleague took it on), so it is marked read.
pub fn assigned(
    ctx: &mut WriteCtx,
    c: &Conversation,
    previous: Option<MemberId>,
    actor: Option<MemberId>,
) -> ApiResult<()> {
    if let Some(p) = previous.filter(|p| Some(*p) != c.assignee_id) {
        for mut n in page(ctx, c.business_id, p, None, WITHDRAW_SCAN)? {
            if !n.read && n.kind == "assigned" && n.conversation_id == Some(c.id) {
                n.read = true;
                ctx.put(NOTIFICATIONS, &key(&n), &n)?;
            }
        }
    }
    let Some(m) = c.assignee_id.filter(|m| Some(*m) != actor) else {
        return Ok(());
    };
    let name = contacts::get(ctx, c.business_id, c.contact_id)?
        .map(|k| k.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "A new contact".into());
    let source = serde_json::to_value(c.source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let text = format!("{name} ({source}) was assigned to you");
    notify(ctx, c.business_id, m, "assigned", text.clone(), Some(c.id))?;
    // A lead is worth a phone's buzz: answered in minutes, it is won far more often.
    if prefs::get(ctx, c.business_id, m)?.push {
        crate::push::notify(
            ctx,
            c.business_id,
            m,
            &crate::push::PushMessage {
                title: "New conversation for you".into(),
                body: text,
                url: format!("/inbox/{}", c.id),
                tag: format!("assigned-{}", c.id),
            },
        )?;
    }
    Ok(())
}

/// Newest first, from before `cursor`.
fn page<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: MemberId,
    before: Option<RecordId>,
    limit: usize,
) -> Result<Vec<Notification>, StoreError> {
    let p = prefix(b, m);
    let end = match before {
        Some(id) => Key::new().raw(&p).id(id.bytes()).done(),
        None => store::prefix_end(&p).unwrap_or_default(),
    };
    let entries = r.range_raw(
        NOTIFICATIONS,
        std::ops::Bound::Included(p.as_slice()),
        std::ops::Bound::Excluded(end.as_slice()),
        limit,
        true,
    )?;
    store::decode_entries(NOTIFICATIONS, entries)
}

/// Unread ones among the latest this many are counted for the badge.
const COUNTED: usize = 500;

pub fn routes(r: &mut Routes) {
    r.get("/api/notifications", list)
        .post("/api/notifications/read", mark_read)
        .answers(&[204]);
}

#[derive(Deserialize)]
struct ListParams {
    cursor: Option<String>,
    limit: Option<usize>,
}

async fn list(
    state: web::Data<AppState>,
    actor: MemberActor,
    q: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(c.parse::<RecordId>().map_err(|_| {
            ApiError::new(Code::BadRequest, format!("`{c}` is not a valid cursor"))
        })?),
        None => None,
    };
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let (b, m) = (actor.business.id, actor.scope.member_id);
    let read = state.store.read()?;
    let items = page(&read, b, m, before, limit)?;
    let unread = page(&read, b, m, None, COUNTED)?
        .iter()
        .filter(|n| !n.read)
        .count();
    let next = (items.len() == limit)
        .then(|| items.last().map(|n| n.id))
        .flatten();
    // A conversation the member has since lost (reassigned, team changed) is
    // no longer linked: opening it would only be refused.
    let conversations = Conversations::new(&read, &actor.scope);
    let items: Vec<Value> = items
        .iter()
        .map(|n| {
            let mut item = json_of(n);
            if n.conversation_id
                .is_some_and(|c| conversations.get(c).is_err())
            {
                item["conversation_id"] = Value::Null;
            }
            item
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "items": items,
        "unread": unread, "next_cursor": next,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadBody {
    ids: Option<Vec<RecordId>>,
}

async fn mark_read(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<ReadBody>,
) -> ApiResult<HttpResponse> {
    let ids = body.into_inner().ids;
    if ids.as_ref().is_some_and(|i| i.len() > 500) {
        return Err(ApiError::field("ids", "at most 500 at a time"));
    }
    let (b, m) = (actor.business.id, actor.scope.member_id);
    state
        .store
        .write(move |ctx| {
            // Named ones are found by key whatever their age; "all" is all of them.
            let chosen = match &ids {
                Some(ids) => {
                    let mut found = Vec::new();
                    for id in ids {
                        let k = Key::new().raw(&prefix(b, m)).id(id.bytes()).done();
                        found.extend(store::get::<Notification, _>(ctx, NOTIFICATIONS, &k)?);
                    }
                    found
                }
                None => page(ctx, b, m, None, usize::MAX)?,
            };
            for mut n in chosen {
                if !n.read {
                    n.read = true;
                    ctx.put(NOTIFICATIONS, &key(&n), &n)?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
