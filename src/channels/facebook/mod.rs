//! Facebook Lead Ads: pages connected through Facebook Login, each subscribed
//! to `leadgen` and owning an assignment pool. A lead's webhook only names
//! it; a durable job reads it from Graph with the page's token and captures
//! it like every other source. `leadgen_id` is the dedup key across webhook
//! redeliveries and historical imports.
pub mod data_deletion;
pub mod graph;
pub mod import;
pub mod leads;
pub mod login;
pub mod oauth;
pub mod refresh;
pub mod routes;
pub mod vault;
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
    pub token: PageToken,
    /// A simulated page: its leads come from the built-in simulator.
    pub sandbox: bool,
    pub token_invalid: bool,
    pub last_error: Option<String>,
    /// Lead forms: (form id, name).
    pub forms: Vec<(String, String)>,
    pub connected_at: i64,
    pub last_lead_at: Option<i64>,
    /// Why the page no longer works until someone connects it again (the
    /// person whose login connected it had their data deleted).
    pub disconnected: Option<String>,
}

/// A page token and what it is sealed under. Debug never prints it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum PageToken {
    #[default]
    None,
    /// Stored before tokens were sealed (record version 1).
    Plain(String),
    /// Sealed under the key of the Facebook login it came from.
    Sealed { login: RecordId, bytes: Vec<u8> },
}

impl std::fmt::Debug for PageToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageToken::None => f.write_str("None"),
            PageToken::Plain(_) => f.write_str("Plain([redacted])"),
            PageToken::Sealed { login, .. } => write!(f, "Sealed {{ login: {login} }}"),
        }
    }
}

impl PageToken {
    pub fn login(&self) -> Option<RecordId> {
        match self {
            PageToken::Sealed { login, .. } => Some(*login),
            _ => None,
        }
    }

    /// The token in clear, or empty when there is none (any Graph call then fails as unauthorised).
    pub fn open(&self, vault: &vault::Vault) -> String {
        match self {
            PageToken::None => String::new(),
            PageToken::Plain(t) => t.clone(),
            PageToken::Sealed { login, bytes } => vault
                .open(&login::key_id(*login), bytes)
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default(),
        }
    }
}

/// Version 1: a plain page token and the user token on the page.
#[derive(Deserialize)]
struct FbPageV1 {
    id: RecordId,
    business_id: BusinessId,
    page_id: String,
    name: String,
    token: String,
    sandbox: bool,
    token_invalid: bool,
    last_error: Option<String>,
    forms: Vec<(String, String)>,
    _user_token: Option<String>,
    _user_token_expires_at: Option<i64>,
    connected_at: i64,
    last_lead_at: Option<i64>,
}

impl Record for FbPage {
    const VERSION: u8 = 2;
    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        if version != 1 {
            return Err(codec::CodecError::NoUpgrade(version));
        }
        let v1: FbPageV1 = codec::decode_body(body)?;
        Ok(FbPage {
            id: v1.id,
            business_id: v1.business_id,
            page_id: v1.page_id,
            name: v1.name,
            token: if v1.token.is_empty() {
                PageToken::None
            } else {
                PageToken::Plain(v1.token)
            },
            sandbox: v1.sandbox,
            token_invalid: v1.token_invalid,
            last_error: v1.last_error,
            forms: v1.forms,
            connected_at: v1.connected_at,
            last_lead_at: v1.last_lead_at,
            disconnected: None,
        })
    }
}

impl FbPage {
    /// The page token in clear for a Graph call; empty when it cannot be opened.
    pub fn token_for_graph(&self, store: &store::Store) -> String {
        match vault::of(store.dir()) {
            Ok(v) => self.token.open(&v),
            Err(e) => {
                tracing::error!("opening the Facebook keyring: {e}");
                String::new()
            }
        }
    }

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

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    /// The layout version 1 wrote.
    #[derive(Serialize, Deserialize)]
    struct V1 {
        id: RecordId,
        business_id: BusinessId,
        page_id: String,
        name: String,
        token: String,
        sandbox: bool,
        token_invalid: bool,
        last_error: Option<String>,
        forms: Vec<(String, String)>,
        user_token: Option<String>,
        user_token_expires_at: Option<i64>,
        connected_at: i64,
        last_lead_at: Option<i64>,
    }
    impl Record for V1 {}

    #[test]
    fn a_version_1_page_keeps_its_plain_token_and_drops_the_user_token() {
        let old = V1 {
            id: RecordId::new(),
            business_id: BusinessId::new(),
            page_id: "153".into(),
            name: "Loja".into(),
            token: "PAGE-T".into(),
            sandbox: false,
            token_invalid: false,
            last_error: None,
            forms: vec![("f".into(), "Form".into())],
            user_token: Some("USER-T".into()),
            user_token_expires_at: Some(5),
            connected_at: 7,
            last_lead_at: Some(9),
        };
        let page: FbPage = codec::decode(&codec::encode(&old)).unwrap();
        assert_eq!(page.token, PageToken::Plain("PAGE-T".into()));
        assert_eq!((page.connected_at, page.last_lead_at), (7, Some(9)));
        assert_eq!(page.disconnected, None);
        let mut sandbox = old;
        sandbox.token = String::new();
        let page: FbPage = codec::decode(&codec::encode(&sandbox)).unwrap();
        assert_eq!(page.token, PageToken::None);
        // And version 2 round-trips.
        assert_eq!(
            codec::decode::<FbPage>(&codec::encode(&page)).unwrap(),
            page
        );
    }
}
