//! Facebook Lead Ads: pages connected through Facebook Login, each subscribed
//! to `leadgen` and owning an assignment pool. A lead's webhook only names
//! it; a durable job reads it from Graph with the page's token and captures
//! it like every other source. `leadgen_id` is the dedup key across webhook
//! redeliveries and historical imports.
pub mod graph;
pub mod import;
pub mod leads;
pub mod oauth;
pub mod refresh;
pub mod routes;
pub mod webhook;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::{
    assignment,
    store::{
        self, codec,
        ids::{BusinessId, RecordId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FbPage {
    pub id: RecordId,
    pub business_id: BusinessId,
    /// Facebook's page id.
    pub page_id: String,
    pub name: String,
    /// The page access token: stored, never returned.
    pub token: String,
    /// A simulated page: its leads come from the built-in simulator.
    pub sandbox: bool,
    pub token_invalid: bool,
    pub last_error: Option<String>,
    /// Lead forms: (form id, name).
    pub forms: Vec<(String, String)>,
    /// The long-lived user token the page token came from, refreshed before it expires.
    pub user_token: Option<String>,
    pub user_token_expires_at: Option<i64>,
    pub connected_at: i64,
    pub last_lead_at: Option<i64>,
}
impl Record for FbPage {}

impl FbPage {
    pub fn form_name(&self, form_id: &str) -> Option<&str> {
        self.forms
            .iter()
            .find(|(id, _)| id == form_id)
            .map(|(_, n)| n.as_str())
    }
}

/// id → FbPage
const PAGES: Tbl = TableDefinition::new("facebook_pages");
/// (business, id) → ()
const BY_BUSINESS: Tbl = TableDefinition::new("facebook_pages_by_business");
/// Facebook page id → id: a page belongs to one business.
const BY_PAGE_ID: Tbl = TableDefinition::new("facebook_pages_by_page_id");
/// leadgen_id → conversation id once stored; empty while its fetch is pending.
pub(crate) const LEADGEN_SEEN: Tbl = TableDefinition::new("facebook_leadgen_seen");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: PAGES,
        verify: codec::verify::<FbPage>,
    },
    TableSpec {
        def: BY_BUSINESS,
        verify: store::verify_empty,
    },
    TableSpec {
        def: BY_PAGE_ID,
        verify: crate::auth::users::verify_id,
    },
    TableSpec {
        def: LEADGEN_SEEN,
        verify: verify_seen,
    },
    TableSpec {
        def: import::IMPORTS,
        verify: codec::verify::<import::FbImport>,
    },
];

fn verify_seen(v: &[u8]) -> Result<(), codec::CodecError> {
    match v.len() {
        0 | 16 => Ok(()),
        n => Err(codec::CodecError::Bincode(format!(
            "a seen leadgen holds 0 or 16 bytes, not {n}"
        ))),
    }
}

pub fn get<R: Reader + ?Sized>(r: &R, id: RecordId) -> Result<Option<FbPage>, StoreError> {
    store::get(r, PAGES, &id.bytes())
}

pub fn by_page_id<R: Reader + ?Sized>(r: &R, page_id: &str) -> Result<Option<FbPage>, StoreError> {
    match r
        .get_raw(BY_PAGE_ID, page_id.as_bytes())?
        .and_then(|v| RecordId::from_bytes(&v))
    {
        Some(id) => get(r, id),
        None => Ok(None),
    }
}

pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<FbPage>, StoreError> {
    let mut out = Vec::new();
    for k in store::scan_keys(r, BY_BUSINESS, &b.bytes(), None, usize::MAX)? {
        if let Some(id) = k.get(16..).and_then(RecordId::from_bytes) {
            out.extend(get(r, id)?);
        }
    }
    Ok(out)
}

/// Every connected page of every business (the token check runs over them).
pub fn all<R: Reader + ?Sized>(r: &R) -> Result<Vec<FbPage>, StoreError> {
    Ok(store::scan::<FbPage, _>(r, PAGES, &[], None, usize::MAX)?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
}

pub fn save(ctx: &mut WriteCtx, p: &FbPage) -> Result<(), StoreError> {
    ctx.put(PAGES, &p.id.bytes(), p)?;
    ctx.put_raw(
        BY_BUSINESS,
        &Key::new().id(p.business_id.bytes()).id(p.id.bytes()).done(),
        &[],
    )?;
    ctx.put_raw(BY_PAGE_ID, p.page_id.as_bytes(), &p.id.bytes())
}

/// Disconnects a page: its conversations stay; its pool and token go.
pub fn delete(ctx: &mut WriteCtx, p: &FbPage) -> Result<(), StoreError> {
    ctx.delete(PAGES, &p.id.bytes())?;
    ctx.delete(
        BY_BUSINESS,
        &Key::new().id(p.business_id.bytes()).id(p.id.bytes()).done(),
    )?;
    ctx.delete(BY_PAGE_ID, p.page_id.as_bytes())?;
    assignment::remove_pool(ctx, p.business_id, assignment::Channel::Facebook(p.id))
}
