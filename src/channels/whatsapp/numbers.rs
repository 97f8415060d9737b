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

pub fn create(ctx: &mut WriteCtx, n: &WaNumber) -> ApiResult<()> {
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
        "created_at": rfc3339(n.created_at),
    })
}

pub fn routes(r: &mut Routes) {
    r.get("/api/whatsapp/numbers", list_numbers)
        .post("/api/whatsapp/numbers", create_number);
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
    phone_number_id: String,
    display_phone_number: String,
    waba_id: String,
    access_token: String,
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
    let number = WaNumber {
        id: NumberId::new(),
        business_id: actor.business.id,
        phone_number_id: body.phone_number_id.trim().to_string(),
        display_phone_number: body.display_phone_number.trim().to_string(),
        waba_id: body.waba_id.trim().to_string(),
        access_token: body.access_token.trim().to_string(),
        sandbox: false,
        created_at: now_ms(),
    };
    let stored = number.clone();
    state.store.write(move |ctx| create(ctx, &stored)).await?;
    Ok(HttpResponse::Created().json(number_json(&number)))
}
