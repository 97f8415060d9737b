//! WhatsApp numbers registered by a business. The access token is stored for
//! the sender but never returned by the API nor written to logs.
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
        ids::{BusinessId, NumberId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    tenancy::Permission,
    time::{now_ms, rfc3339},
};

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WaNumber {
    pub id: NumberId,
    pub business_id: BusinessId,
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub waba_id: String,
    pub access_token: String,
    /// A built-in simulator number: messages never go to Meta.
    pub sandbox: bool,
    pub created_at: i64,
    /// Meta said the token is invalid (190): nothing is sent until it is replaced.
    pub token_dead: bool,
    /// Meta blocked sending for spam or policy (131048, 368): sends wait until then.
    pub paused_until: i64,
    pub last_error: Option<String>,
}

impl WaNumber {
    pub fn status(&self, now: i64) -> &'static str {
        if self.token_dead {
            "token_invalid"
        } else if self.paused_until > now {
            "paused"
        } else {
            "active"
        }
    }
}
impl Record for WaNumber {}

impl std::fmt::Debug for WaNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaNumber")
            .field("id", &self.id)
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// (business, number) → WaNumber
const NUMBERS: Tbl = TableDefinition::new("wa_numbers");
/// phone_number_id → (business, number)
const BY_PNID: Tbl = TableDefinition::new("wa_numbers_by_phone_number_id");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: NUMBERS,
        verify: codec::verify::<WaNumber>,
    },
    TableSpec {
        def: BY_PNID,
        verify: store::verify_len::<32>,
    },
];

fn key(b: BusinessId, n: NumberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(n.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    n: NumberId,
) -> Result<Option<WaNumber>, StoreError> {
    store::get(r, NUMBERS, &key(b, n))
}

pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<WaNumber>, StoreError> {
    store::records::<WaNumber, _>(r, NUMBERS, &b.bytes(), usize::MAX)
}

pub fn by_phone_number_id<R: Reader + ?Sized>(
    r: &R,
    pnid: &str,
) -> Result<Option<WaNumber>, StoreError> {
    let Some(loc) = r.get_raw(BY_PNID, &Key::new().str(pnid).done())? else {
        return Ok(None);
    };
    match (
        BusinessId::from_bytes(&loc),
        loc.get(16..).and_then(NumberId::from_bytes),
    ) {
        (Some(b), Some(n)) => get(r, b, n),
        _ => Ok(None),
    }
}

/// The number a lead that did not come in on WhatsApp is answered from:
/// the business's first real number, else its sandbox one.
pub fn default_for<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
) -> Result<Option<NumberId>, StoreError> {
    let numbers = list(r, b)?;
    Ok(numbers
        .iter()
        .find(|n| !n.sandbox)
        .or_else(|| numbers.first())
        .map(|n| n.id))
}

/// Numbers of a business (a key count, no decoding).
pub fn count<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<usize, StoreError> {
    Ok(store::scan_keys(r, NUMBERS, &b.bytes(), None, usize::MAX)?.len())
}

pub fn save(ctx: &mut WriteCtx, n: &WaNumber) -> Result<(), StoreError> {
    ctx.put(NUMBERS, &key(n.business_id, n.id), n)
}

pub fn create(ctx: &mut WriteCtx, n: &WaNumber) -> ApiResult<()> {
    let used = count(ctx, n.business_id)?;
    crate::tenancy::limits::ensure_room(
        ctx,
        n.business_id,
        crate::tenancy::limits::Limited::Numbers,
        used,
    )?;
    if by_phone_number_id(ctx, &n.phone_number_id)?.is_some() {
        return Err(ApiError::new(
            Code::Conflict,
            "This phone_number_id is already registered to a business",
        ));
    }
    ctx.put(NUMBERS, &key(n.business_id, n.id), n)?;
    ctx.put_raw(
        BY_PNID,
        &Key::new().str(&n.phone_number_id).done(),
        &Key::new().id(n.business_id.bytes()).id(n.id.bytes()).done(),
    )?;
    if n.sandbox {
        // A sandbox number has no WABA to sync from: it comes with samples.
        let samples =
            super::templates::from_meta(&crate::simulator::sample_templates(), n.created_at);
        super::templates::replace_all(ctx, n.business_id, n.id, &samples)?;
    }
    Ok(())
}

pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<WaNumber, _>(r, NUMBERS, &[], None, usize::MAX)?;
    for (_, n) in &all {
        if by_phone_number_id(r, &n.phone_number_id)?.map(|x| x.id) != Some(n.id) {
            problems.push(format!(
                "wa_numbers_by_phone_number_id: missing entry for {}",
                n.id
            ));
        }
    }
    let entries = store::scan_keys(r, BY_PNID, &[], None, usize::MAX)?.len();
    if entries != all.len() {
        problems.push(format!(
            "wa_numbers_by_phone_number_id: {entries} entries for {} numbers",
            all.len()
        ));
    }
    Ok(())
}

pub fn number_json(n: &WaNumber) -> Value {
    json!({
        "id": n.id,
        "phone_number_id": n.phone_number_id,
        "display_phone_number": n.display_phone_number,
        "waba_id": n.waba_id,
        "sandbox": n.sandbox,
        "status": n.status(now_ms()),
        "paused_until": (n.paused_until > now_ms()).then(|| rfc3339(n.paused_until)),
        "last_error": n.last_error,
        "created_at": rfc3339(n.created_at),
    })
}

pub fn routes(r: &mut Routes) {
    r.get("/api/whatsapp/numbers", list_numbers)
        .post("/api/whatsapp/numbers", create_number)
        .answers(&[201])
        .patch("/api/whatsapp/numbers/{id}", update_number);
}

async fn list_numbers(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let items: Vec<Value> = list(&state.store.read()?, actor.business.id)?
        .iter()
        .map(number_json)
        .collect();
    Ok(HttpResponse::Ok().json(json!({"items": items, "next_cursor": null})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NumberBody {
    #[serde(default)]
    phone_number_id: String,
    #[serde(default)]
    display_phone_number: String,
    #[serde(default)]
    waba_id: String,
    #[serde(default)]
    access_token: String,
    /// A simulator number: no Meta ids or token, messages stay on this server.
    #[serde(default)]
    sandbox: bool,
}

fn id_like(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

async fn create_number(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<NumberBody>,
) -> ApiResult<HttpResponse> {
    if !actor.scope.has(Permission::ManageChannels) {
        return Err(ApiError::forbidden(
            "Connecting numbers needs the manage_channels permission",
        ));
    }
    let body = body.into_inner();
    let number = if body.sandbox {
        sandbox_number(actor.business.id, &body.display_phone_number)?
    } else {
        meta_number(actor.business.id, body)?
    };
    let stored = number.clone();
    state.store.write(move |ctx| create(ctx, &stored)).await?;
    Ok(HttpResponse::Created().json(number_json(&number)))
}

/// A simulator number gets ids of its own, so it can never match Meta's.
pub fn sandbox_number(business: BusinessId, display: &str) -> ApiResult<WaNumber> {
    let display = display.trim();
    if display.len() > 32 {
        return Err(ApiError::field(
            "display_phone_number",
            "must be at most 32 characters",
        ));
    }
    let id = NumberId::new();
    let tag = id.to_string().to_lowercase();
    Ok(WaNumber {
        id,
        business_id: business,
        phone_number_id: format!("sandbox-{tag}"),
        display_phone_number: if display.is_empty() {
            "+1 555 010 0000".into()
        } else {
            display.to_string()
        },
        waba_id: format!("sandbox-{tag}"),
        access_token: String::new(),
        sandbox: true,
        created_at: now_ms(),
        token_dead: false,
        paused_until: 0,
        last_error: None,
    })
}

fn meta_number(business: BusinessId, body: NumberBody) -> ApiResult<WaNumber> {
    let mut v = Validator::default();
    v.check(
        id_like(body.phone_number_id.trim()),
        "phone_number_id",
        "must be Meta's numeric id",
    )
    .check(
        id_like(body.waba_id.trim()),
        "waba_id",
        "must be Meta's WhatsApp Business Account id",
    )
    .check(
        !body.display_phone_number.trim().is_empty() && body.display_phone_number.len() <= 32,
        "display_phone_number",
        "is required",
    )
    .check(
        !body.access_token.trim().is_empty() && body.access_token.len() <= 4096,
        "access_token",
        "is required",
    );
    v.finish()?;
    Ok(WaNumber {
        id: NumberId::new(),
        business_id: business,
        phone_number_id: body.phone_number_id.trim().to_string(),
        display_phone_number: body.display_phone_number.trim().to_string(),
        waba_id: body.waba_id.trim().to_string(),
        access_token: body.access_token.trim().to_string(),
        sandbox: false,
        created_at: now_ms(),
        token_dead: false,
        paused_until: 0,
        last_error: None,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateNumber {
    access_token: Option<String>,
    display_phone_number: Option<String>,
}

/// Replaces the token (which revives a number whose token died) or the display number.
async fn update_number(
    state: web::Data<AppState>,
    actor: MemberActor,
    id: web::Path<NumberId>,
    body: web::Json<UpdateNumber>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let business = actor.business.id;
    if get(&state.store.read()?, business, id)?.is_none() {
        return Err(ApiError::not_found("number"));
    }
    if !actor.scope.has(Permission::ManageChannels) {
        return Err(ApiError::forbidden(
            "Changing numbers needs the manage_channels permission",
        ));
    }
    let body = body.into_inner();
    let mut v = Validator::default();
    if let Some(t) = &body.access_token {
        v.check(
            !t.trim().is_empty() && t.len() <= 4096,
            "access_token",
            "is required",
        );
    }
    if let Some(d) = &body.display_phone_number {
        v.check(
            !d.trim().is_empty() && d.len() <= 32,
            "display_phone_number",
            "is required",
        );
    }
    v.finish()?;
    let number = state
        .store
        .write(move |ctx| {
            let mut n = get(ctx, business, id)?.ok_or_else(|| ApiError::not_found("number"))?;
            if let Some(t) = &body.access_token {
                n.access_token = t.trim().to_string();
                n.token_dead = false;
                n.last_error = None;
            }
            if let Some(d) = &body.display_phone_number {
                n.display_phone_number = d.trim().to_string();
            }
            save(ctx, &n)?;
            if body.access_token.is_some() {
                // What waited for a working token goes out now.
                crate::outbound::release_number(ctx, business, id)?;
            }
            Ok(n)
        })
        .await?;
    state.outbox_wake.notify_one();
    Ok(HttpResponse::Ok().json(number_json(&number)))
}
