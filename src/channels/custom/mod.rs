//! Channels of our own: external webhook channels (`/hooks/{id}`), each with a
//! secret token, a field mapping and an assignment pool. (Walk-in forms will
//! join them here.)
pub mod hooks;

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    assignment::{self, Channel as PoolChannel},
    auth::{session::random_token, MemberActor},
    error::{ApiError, ApiResult, Validator},
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::Permission,
    time::{now_ms, rfc3339},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Webhook,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomChannel {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub kind: Kind,
    pub name: String,
    /// sha256 of the bearer token; the token itself is shown once.
    pub token_hash: [u8; 32],
    /// Lead field → JSON pointer into the posted body.
    pub mapping: Vec<(String, String)>,
    pub created_at: i64,
}
impl Record for CustomChannel {}

/// id → CustomChannel (ids are global: `/hooks/{id}` names no business)
const CHANNELS: Tbl = TableDefinition::new("custom_channels");
/// (business, id) → ()
const BY_BUSINESS: Tbl = TableDefinition::new("custom_channels_by_business");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: CHANNELS,
        verify: codec::verify::<CustomChannel>,
    },
    TableSpec {
        def: BY_BUSINESS,
        verify: store::verify_empty,
    },
    TableSpec {
        def: hooks::SEEN,
        verify: store::verify_len::<32>,
    },
];

pub const FIELDS: &[&str] = &["name", "phone", "email", "note"];

fn default_mapping() -> Vec<(String, String)> {
    FIELDS
        .iter()
        .map(|f| (f.to_string(), format!("/{f}")))
        .collect()
}

pub fn get<R: Reader + ?Sized>(r: &R, id: RecordId) -> Result<Option<CustomChannel>, StoreError> {
    store::get(r, CHANNELS, &id.bytes())
}

fn save(ctx: &mut WriteCtx, c: &CustomChannel) -> Result<(), StoreError> {
    ctx.put(CHANNELS, &c.id.bytes(), c)?;
    ctx.put_raw(
        BY_BUSINESS,
        &Key::new().id(c.business_id.bytes()).id(c.id.bytes()).done(),
        &[],
    )
}

fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<CustomChannel>, StoreError> {
    let mut out = Vec::new();
    for k in store::scan_keys(r, BY_BUSINESS, &b.bytes(), None, usize::MAX)? {
        if let Some(c) = k.get(16..).and_then(RecordId::from_bytes) {
            out.extend(get(r, c)?);
        }
    }
    Ok(out)
}

pub fn routes(r: &mut Routes) {
    r.get("/api/channels", list_channels)
        .post("/api/channels", create_channel)
        .put("/api/channels/{id}/pool", replace_pool)
        .post("/api/channels/{id}/token", rotate_token);
    hooks::routes(r);
}

fn channel_json(state: &AppState, c: &CustomChannel, token: Option<&str>) -> Value {
    let base = state.config.server.public_url.trim_end_matches('/');
    json!({
        "id": c.id, "kind": c.kind, "name": c.name,
        "webhook_url": format!("{base}/hooks/{}", c.id),
        "token": token,
        "mapping": c.mapping.iter().map(|(f, p)| (f.clone(), json!(p))).collect::<serde_json::Map<_, _>>(),
        "created_at": rfc3339(c.created_at),
    })
}

fn may_manage(actor: &MemberActor) -> ApiResult<()> {
    if actor.scope.has(Permission::ManageChannels) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Channels need the manage_channels permission",
        ))
    }
}

async fn list_channels(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let items: Vec<Value> = list(&state.store.read()?, actor.business.id)?
        .iter()
        .map(|c| channel_json(&state, c, None))
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelBody {
    kind: String,
    name: String,
    pool: Option<Value>,
    mapping: Option<std::collections::BTreeMap<String, String>>,
}

fn hashed(token: &str) -> [u8; 32] {
    crate::auth::tokens::hash(token)
}

async fn create_channel(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<ChannelBody>,
) -> ApiResult<HttpResponse> {
    may_manage(&actor)?;
    let body = body.into_inner();
    let mut v = Validator::default();
    let kind = match body.kind.as_str() {
        "webhook" => Some(Kind::Webhook),
        "walkin" => {
            v.check(false, "kind", "walk-in channels are not available yet");
            None
        }
        _ => {
            v.check(false, "kind", "must be webhook or walkin");
            None
        }
    };
    let name = body.name.trim().to_string();
    v.check(
        !name.is_empty() && name.chars().count() <= 80,
        "name",
        "must be 1 to 80 characters",
    );
    let mut mapping = default_mapping();
    for (field, pointer) in body.mapping.iter().flatten() {
        v.check(
            FIELDS.contains(&field.as_str()) || field.starts_with("custom:"),
            "mapping",
            "maps name, phone, email, note or custom:<key>",
        )
        .check(
            pointer.is_empty() || pointer.starts_with('/'),
            "mapping",
            "values are JSON pointers such as /contact/phone",
        );
        mapping.retain(|(f, _)| f != field);
        mapping.push((field.clone(), pointer.clone()));
    }
    let pool = match &body.pool {
        Some(p) => Some(assignment::routes::parse_pool(&state, &actor, p.clone())?),
        None => None,
    };
    v.finish()?;
    let token = format!("wfh_{}", random_token(32));
    let channel = CustomChannel {
        id: RecordId::new(),
        business_id: actor.business.id,
        kind: kind.unwrap_or(Kind::Webhook),
        name,
        token_hash: hashed(&token),
        mapping,
        created_at: now_ms(),
    };
    let stored = channel.clone();
    state
        .store
        .write(move |ctx| {
            save(ctx, &stored)?;
            if let Some(p) = &pool {
                assignment::set_pool(ctx, stored.business_id, PoolChannel::Custom(stored.id), p)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(channel_json(&state, &channel, Some(&token))))
}

fn own(state: &AppState, actor: &MemberActor, id: RecordId) -> ApiResult<CustomChannel> {
    get(&state.store.read()?, id)?
        .filter(|c| c.business_id == actor.business.id)
        .ok_or_else(|| ApiError::not_found("channel"))
}

async fn replace_pool(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
    body: web::Json<Value>,
) -> ApiResult<HttpResponse> {
    let channel = own(&state, &actor, id.into_inner())?;
    assignment::routes::replace_pool(
        &state,
        &actor,
        PoolChannel::Custom(channel.id),
        body.into_inner(),
    )
    .await
}

/// A new token; the old one stops working at once.
async fn rotate_token(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let mut channel = own(&state, &actor, id.into_inner())?;
    may_manage(&actor)?;
    let token = format!("wfh_{}", random_token(32));
    channel.token_hash = hashed(&token);
    let stored = channel.clone();
    state
        .store
        .write(move |ctx| Ok(save(ctx, &stored)?))
        .await?;
    Ok(HttpResponse::Ok().json(channel_json(&state, &channel, Some(&token))))
}
