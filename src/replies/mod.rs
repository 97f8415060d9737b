//! Quick replies: a business's saved answers, which the composer inserts when
//! a member types `/shortcut`. Everyone reads them; owners and leads keep them.
use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    auth::MemberActor,
    error::{ApiError, ApiResult, Code, Validator},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::{Role, Scope},
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub shortcut: String,
    pub text: String,
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for QuickReply {}

/// (business, reply) → QuickReply
const REPLIES: Tbl = TableDefinition::new("quick_replies");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: REPLIES,
    verify: codec::verify::<QuickReply>,
}];

/// Enough for any team; a list the composer can hold in memory.
const MAX_PER_BUSINESS: usize = 500;

fn reply_key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<QuickReply>, StoreError> {
    let mut all: Vec<QuickReply> =
        store::scan::<QuickReply, _>(r, REPLIES, &b.bytes(), None, usize::MAX)?
            .into_iter()
            .map(|(_, q)| q)
            .collect();
    all.sort_by(|a, b| a.shortcut.cmp(&b.shortcut));
    Ok(all)
}

pub fn create(ctx: &mut WriteCtx, q: &QuickReply) -> ApiResult<()> {
    let existing = list(ctx, q.business_id)?;
    if existing.len() >= MAX_PER_BUSINESS {
        return Err(ApiError::new(
            Code::Conflict,
            format!("A business keeps at most {MAX_PER_BUSINESS} quick replies"),
        ));
    }
    save(ctx, &existing, q)
}

fn save(ctx: &mut WriteCtx, existing: &[QuickReply], q: &QuickReply) -> ApiResult<()> {
    if existing
        .iter()
        .any(|o| o.id != q.id && o.shortcut == q.shortcut)
    {
        return Err(ApiError::new(
            Code::Conflict,
            format!("The shortcut /{} is taken", q.shortcut),
        ));
    }
    Ok(ctx.put(REPLIES, &reply_key(q.business_id, q.id), q)?)
}

pub fn routes(r: &mut Routes) {
    r.get("/api/quick-replies", list_replies)
        .post("/api/quick-replies", create_reply)
        .answers(&[201])
        .patch("/api/quick-replies/{id}", update_reply)
        .delete("/api/quick-replies/{id}", delete_reply)
        .answers(&[204]);
}

fn reply_json(q: &QuickReply) -> Value {
    json!({"id": q.id, "shortcut": q.shortcut, "text": q.text, "updated_at": rfc3339(q.updated_at)})
}

fn may_edit(scope: &Scope) -> ApiResult<()> {
    if scope.role == Role::Member {
        return Err(ApiError::forbidden(
            "Quick replies are kept by owners and leads",
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyBody {
    shortcut: Option<String>,
    text: Option<String>,
}

/// A shortcut is typed after `/`: lower-case letters, digits, `-` and `_`.
fn clean(body: ReplyBody, v: &mut Validator) -> (Option<String>, Option<String>) {
    let shortcut = body
        .shortcut
        .map(|s| s.trim().trim_start_matches('/').to_lowercase());
    if let Some(s) = &shortcut {
        v.check(
            (1..=32).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "shortcut",
            "must be 1 to 32 letters, digits, - or _",
        );
    }
    let text = body.text.map(|t| t.trim().to_string());
    if let Some(t) = &text {
        v.check(
            !t.is_empty() && t.chars().count() <= 4096,
            "text",
            "must be 1 to 4096 characters",
        );
    }
    (shortcut, text)
}

async fn list_replies(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let items: Vec<Value> = list(&state.store.read()?, actor.business.id)?
        .iter()
        .map(reply_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

async fn create_reply(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<ReplyBody>,
) -> ApiResult<HttpResponse> {
    may_edit(&actor.scope)?;
    let mut v = Validator::default();
    let body = body.into_inner();
    v.check(body.shortcut.is_some(), "shortcut", "is required")
        .check(body.text.is_some(), "text", "is required");
    let (shortcut, text) = clean(body, &mut v);
    v.finish()?;
    let now = now_ms();
    let reply = QuickReply {
        id: RecordId::new(),
        business_id: actor.business.id,
        shortcut: shortcut.unwrap_or_default(),
        text: text.unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    let stored = reply.clone();
    state.store.write(move |ctx| create(ctx, &stored)).await?;
    Ok(HttpResponse::Created().json(reply_json(&reply)))
}

async fn update_reply(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<ReplyBody>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let b = actor.business.id;
    let exists = store::get::<QuickReply, _>(&state.store.read()?, REPLIES, &reply_key(b, id))?;
    if exists.is_none() {
        return Err(ApiError::not_found("quick reply"));
    }
    may_edit(&actor.scope)?;
    let mut v = Validator::default();
    let (shortcut, text) = clean(body.into_inner(), &mut v);
    v.finish()?;
    let reply = state
        .store
        .write(move |ctx| {
            let all = list(ctx, b)?;
            let mut q = all
                .iter()
                .find(|q| q.id == id)
                .cloned()
                .ok_or_else(|| ApiError::not_found("quick reply"))?;
            if let Some(s) = &shortcut {
                q.shortcut = s.clone();
            }
            if let Some(t) = &text {
                q.text = t.clone();
            }
            q.updated_at = now_ms();
            save(ctx, &all, &q)?;
            Ok(q)
        })
        .await?;
    Ok(HttpResponse::Ok().json(reply_json(&reply)))
}

async fn delete_reply(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let k = reply_key(actor.business.id, id.into_inner());
    if store::get::<QuickReply, _>(&state.store.read()?, REPLIES, &k)?.is_none() {
        return Err(ApiError::not_found("quick reply"));
    }
    may_edit(&actor.scope)?;
    state
        .store
        .write(move |ctx| {
            ctx.delete(REPLIES, &k)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
