//! What was done to a conversation (closed, reopened, assigned), shown in
//! its thread between the messages. Kept beside the messages rather than
//! among them: the messages API stays the customer's and the team's words.
use std::ops::Bound::{Excluded, Included, Unbounded};

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    access::Conversations,
    model::{Conversation, Status},
};
use crate::{
    auth::MemberActor,
    error::ApiResult,
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, ConversationId, MemberId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: RecordId,
    pub conversation_id: ConversationId,
    /// Who did it; none for the system (a pool, an automation, the customer's message).
    pub actor_id: Option<MemberId>,
    /// `closed`, `reopened`, `assigned` or `unassigned`.
    pub kind: String,
    pub assignee_id: Option<MemberId>,
    pub created_at: i64,
}
impl Record for Activity {}

/// (business, conversation, activity) → Activity; ULIDs keep time order.
pub(crate) const ACTIVITY: Tbl = TableDefinition::new("conversation_activity");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: ACTIVITY,
    verify: codec::verify::<Activity>,
}];

/// The most recent entries a thread shows.
const SHOWN: usize = 200;

pub fn prefix(b: BusinessId, c: ConversationId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

/// Notes what changed between `before` and `after`: its status, its assignee.
pub fn record(
    ctx: &mut WriteCtx,
    before: &Conversation,
    after: &Conversation,
    actor: Option<MemberId>,
) -> Result<(), StoreError> {
    let mut kinds = Vec::new();
    if before.status != after.status {
        kinds.push(match after.status {
            Status::Closed => "closed",
            Status::Open => "reopened",
        });
    }
    if before.assignee_id != after.assignee_id {
        kinds.push(if after.assignee_id.is_some() {
            "assigned"
        } else {
            "unassigned"
        });
    }
    for kind in kinds {
        let a = Activity {
            id: RecordId::new(),
            conversation_id: after.id,
            actor_id: actor,
            kind: kind.into(),
            assignee_id: after.assignee_id,
            created_at: now_ms(),
        };
        let key = Key::new()
            .raw(&prefix(after.business_id, after.id))
            .id(a.id.bytes())
            .done();
        ctx.put(ACTIVITY, &key, &a)?;
    }
    Ok(())
}

/// The latest entries, oldest first.
pub fn latest<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<Activity>, StoreError> {
    let start = prefix(b, c);
    let end = store::prefix_end(&start);
    let entries = r.range_raw(
        ACTIVITY,
        Included(start.as_slice()),
        end.as_deref().map_or(Unbounded, Excluded),
        SHOWN,
        true,
    )?;
    let mut items: Vec<Activity> = store::decode_entries(ACTIVITY, entries)?;
    items.reverse();
    Ok(items)
}

pub fn routes(r: &mut Routes) {
    r.get("/api/conversations/{id}/activity", list);
}

/// A member's display name, so a thread names people its reader cannot list
/// (a member sees their team, not the owner); none for someone since removed.
fn name_of<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: Option<MemberId>,
) -> ApiResult<Option<String>> {
    let Some(member) = m
        .map(|m| crate::tenancy::repo::member(r, b, m))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    Ok(crate::auth::users::get(r, member.user_id)?.map(|u| u.name))
}

fn json_of<R: Reader + ?Sized>(r: &R, b: BusinessId, a: &Activity) -> ApiResult<Value> {
    Ok(json!({"id": a.id, "kind": a.kind,
              "actor_id": a.actor_id, "actor_name": name_of(r, b, a.actor_id)?,
              "assignee_id": a.assignee_id, "assignee_name": name_of(r, b, a.assignee_id)?,
              "created_at": rfc3339(a.created_at)}))
}

async fn list(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<ConversationId>,
) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let c = Conversations::new(&read, &actor.scope).get(id.into_inner())?;
    let items = latest(&read, c.business_id, c.id)?
        .iter()
        .map(|a| json_of(&read, c.business_id, a))
        .collect::<ApiResult<Vec<Value>>>()?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}
