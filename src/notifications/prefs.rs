//! How each member wants to be reminded: in the app always, and by email
//! and browser push unless they turned those off in their profile.
use actix_web::{web, HttpResponse};
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{
    auth::MemberActor,
    error::ApiResult,
    http::{AppState, Routes},
    store::{
        self, codec,
        ids::{BusinessId, MemberId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReminderPrefs {
    pub email: bool,
    pub push: bool,
}
impl Record for ReminderPrefs {}

impl Default for ReminderPrefs {
    fn default() -> Self {
        ReminderPrefs {
            email: true,
            push: true,
        }
    }
}

/// (business, member) → ReminderPrefs; absent = the defaults.
const PREFS: Tbl = TableDefinition::new("reminder_prefs");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: PREFS,
    verify: codec::verify::<ReminderPrefs>,
}];

fn key(b: BusinessId, m: MemberId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(m.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    m: MemberId,
) -> Result<ReminderPrefs, StoreError> {
    Ok(store::get(r, PREFS, &key(b, m))?.unwrap_or_default())
}

pub fn set(
    ctx: &mut WriteCtx,
    b: BusinessId,
    m: MemberId,
    p: &ReminderPrefs,
) -> Result<(), StoreError> {
    ctx.put(PREFS, &key(b, m), p)
}

pub fn routes(r: &mut Routes) {
    r.get("/api/profile/reminders", show)
        .put("/api/profile/reminders", update);
}

fn json_of(p: &ReminderPrefs) -> serde_json::Value {
    json!({"in_app": true, "email": p.email, "push": p.push})
}

async fn show(state: web::Data<AppState>, actor: MemberActor) -> ApiResult<HttpResponse> {
    let read = state.store.read()?;
    let p = get(&read, actor.business.id, actor.scope.member_id)?;
    Ok(HttpResponse::Ok().json(json_of(&p)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    email: Option<bool>,
    push: Option<bool>,
    /// Shown for completeness; in-app reminders cannot be turned off.
    #[serde(rename = "in_app")]
    _in_app: Option<bool>,
}

async fn update(
    state: web::Data<AppState>,
    actor: MemberActor,
    body: web::Json<Update>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let (b, m) = (actor.business.id, actor.scope.member_id);
    let saved = state
        .store
        .write(move |ctx| {
            let mut p = get(ctx, b, m)?;
            p.email = body.email.unwrap_or(p.email);
            p.push = body.push.unwrap_or(p.push);
            set(ctx, b, m, &p)?;
            Ok(p)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json_of(&saved)))
}
