//! Channels of our own, each with an assignment pool: external webhook
//! channels (`/hooks/{id}`, a secret token and a field mapping) and walk-in
//! channels (a public form at `/w/{slug}` with its QR code and poster).
pub mod hooks;
pub mod qr;
pub mod walkin;
mod walkin_pages;

use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    assignment::{self, Channel as PoolChannel},
    audit::{self, Action, Note, Origin, Who},
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
    Walkin,
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
    /// The walk-in form's address: `/w/{slug}`.
    pub slug: Option<String>,
}

impl Record for CustomChannel {
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        #[derive(Deserialize)]
        struct V1 {
            id: RecordId,
            business_id: BusinessId,
            kind: Kind,
            name: String,
            token_hash: [u8; 32],
            mapping: Vec<(String, String)>,
            created_at: i64,
        }
        match version {
            1 => {
                let v: V1 = codec::decode_body(body)?;
                Ok(CustomChannel {
                    id: v.id,
                    business_id: v.business_id,
                    kind: v.kind,
                    name: v.name,
                    token_hash: v.token_hash,
                    mapping: v.mapping,
                    created_at: v.created_at,
                    slug: None,
                })
            }
            v => Err(codec::CodecError::NoUpgrade(v)),
        }
    }
}

/// id → CustomChannel (ids are global: `/hooks/{id}` names no business)
const CHANNELS: Tbl = TableDefinition::new("custom_channels");
/// (business, id) → ()
const BY_BUSINESS: Tbl = TableDefinition::new("custom_channels_by_business");
/// walk-in slug → channel id
const BY_SLUG: Tbl = TableDefinition::new("custom_channels_by_slug");

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
        verify: hooks::verify_seen,
    },
    TableSpec {
        def: BY_SLUG,
        verify: crate::auth::users::verify_id,
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

/// The walk-in channel behind `/w/{slug}`.
pub fn by_slug<R: Reader + ?Sized>(r: &R, slug: &str) -> Result<Option<CustomChannel>, StoreError> {
    match r
        .get_raw(BY_SLUG, slug.as_bytes())?
        .and_then(|v| RecordId::from_bytes(&v))
    {
        Some(id) => get(r, id),
        None => Ok(None),
    }
}

pub fn save(ctx: &mut WriteCtx, c: &CustomChannel) -> Result<(), StoreError> {
    ctx.put(CHANNELS, &c.id.bytes(), c)?;
    if let Some(slug) = &c.slug {
        ctx.put_raw(BY_SLUG, slug.as_bytes(), &c.id.bytes())?;
    }
    ctx.put_raw(
        BY_BUSINESS,
        &Key::new().id(c.business_id.bytes()).id(c.id.bytes()).done(),
        &[],
    )
}

/// Removes the channel; its conversations stay, its pool and form go.
fn delete(ctx: &mut WriteCtx, c: &CustomChannel) -> Result<(), StoreError> {
    ctx.delete(CHANNELS, &c.id.bytes())?;
    ctx.delete(
        BY_BUSINESS,
        &Key::new().id(c.business_id.bytes()).id(c.id.bytes()).done(),
    )?;
    if let Some(slug) = &c.slug {
        ctx.delete(BY_SLUG, slug.as_bytes())?;
    }
    assignment::remove_pool(ctx, c.business_id, PoolChannel::Custom(c.id))
}

pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<CustomChannel>, StoreError> {
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
        .answers(&[201])
        .delete("/api/channels/{id}", delete_channel)
        .answers(&[204])
        .get("/api/channels/{id}/pool", show_pool)
        .put("/api/channels/{id}/pool", replace_pool)
        .post("/api/channels/{id}/token", rotate_token);
    hooks::routes(r);
    walkin::routes(r);
}

fn channel_json(state: &AppState, c: &CustomChannel, token: Option<&str>) -> Value {
    let base = state.config.server.public_url.trim_end_matches('/');
    match (c.kind, &c.slug) {
        (Kind::Walkin, Some(slug)) => json!({
            "id": c.id, "kind": c.kind, "name": c.name, "slug": slug,
            "form_url": format!("{base}/w/{slug}"),
            "qr_url": format!("{base}/w/{slug}/qr.svg"),
            "qr_png_url": format!("{base}/w/{slug}/qr.png"),
            "poster_url": format!("{base}/w/{slug}/poster"),
            "created_at": rfc3339(c.created_at),
        }),
        _ => json!({
            "id": c.id, "kind": c.kind, "name": c.name,
            "webhook_url": format!("{base}/hooks/{}", c.id),
            "token": token,
            "mapping": c.mapping.iter().map(|(f, p)| (f.clone(), json!(p))).collect::<serde_json::Map<_, _>>(),
            "created_at": rfc3339(c.created_at),
        }),
    }
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

/// A new channel with the default mapping; a webhook channel's token comes
/// with it, to be shown once.
pub fn new_channel(
    business: BusinessId,
    kind: Kind,
    name: &str,
) -> (CustomChannel, Option<String>) {
    let token = format!("wfh_{}", random_token(32));
    let channel = CustomChannel {
        id: RecordId::new(),
        business_id: business,
        kind,
        slug: (kind == Kind::Walkin).then(|| walkin::new_slug(name)),
        name: name.to_string(),
        token_hash: hashed(&token),
        mapping: if kind == Kind::Webhook {
            default_mapping()
        } else {
            Vec::new()
        },
        created_at: now_ms(),
    };
    (channel, (kind == Kind::Webhook).then_some(token))
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
        "walkin" => Some(Kind::Walkin),
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
    let kind = kind.unwrap_or(Kind::Webhook);
    let (mut channel, token) = new_channel(actor.business.id, kind, &name);
    if kind == Kind::Webhook {
        channel.mapping = mapping;
    }
    let stored = channel.clone();
    state
        .store
        .write(move |ctx| {
            // Slugs carry 24 random bits after the name; a clash is refused, never shared.
            if let Some(slug) = &stored.slug {
                if by_slug(ctx, slug)?.is_some() {
                    return Err(ApiError::new(
                        crate::error::Code::Conflict,
                        "That form address was just taken; please try again",
                    ));
                }
            }
            save(ctx, &stored)?;
            if let Some(p) = &pool {
                assignment::set_pool(ctx, stored.business_id, PoolChannel::Custom(stored.id), p)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Created().json(channel_json(&state, &channel, token.as_deref())))
}

async fn delete_channel(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let channel = own(&state, &actor, id.into_inner())?;
    may_manage(&actor)?;
    state
        .store
        .write(move |ctx| Ok(delete(ctx, &channel)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn show_pool(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let channel = own(&state, &actor, id.into_inner())?;
    assignment::routes::show_pool(&state, &actor, PoolChannel::Custom(channel.id))
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
    origin: Origin,
    id: web::Path<RecordId>,
) -> ApiResult<HttpResponse> {
    let mut channel = own(&state, &actor, id.into_inner())?;
    may_manage(&actor)?;
    if channel.kind != Kind::Webhook {
        return Err(ApiError::new(
            crate::error::Code::Conflict,
            "Only webhook channels have a token",
        ));
    }
    let token = format!("wfh_{}", random_token(32));
    channel.token_hash = hashed(&token);
    let stored = channel.clone();
    let note = Note::new(
        Action::ChannelTokenRotated,
        Some(actor.business.id),
        Who::user(&actor.user),
        format!(
            "Rotated the token of the webhook channel \"{}\"; the old one stopped working",
            channel.name
        ),
    )
    .target("channel", channel.id);
    state
        .store
        .write(move |ctx| {
            save(ctx, &stored)?;
            audit::record(ctx, &origin, &note)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(channel_json(&state, &channel, Some(&token))))
}
