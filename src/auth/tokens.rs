//! Personal API tokens: shown once, stored as a SHA-256 hash, revocable.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::users::verify_id;
use crate::store::{
    self, codec,
    ids::{BusinessId, TokenId, UserId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

pub const PREFIX: &str = "wf_";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub business_id: BusinessId,
    pub name: String,
    pub hash: [u8; 32],
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}
impl Record for ApiToken {}

pub(crate) const TOKENS: Tbl = TableDefinition::new("api_tokens");
/// sha256(token) → token id
pub(crate) const TOKENS_BY_HASH: Tbl = TableDefinition::new("api_tokens_by_hash");
/// (user, token) → ()
pub(crate) const TOKENS_BY_USER: Tbl = TableDefinition::new("api_tokens_by_user");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: TOKENS,
        verify: codec::verify::<ApiToken>,
    },
    TableSpec {
        def: TOKENS_BY_HASH,
        verify: verify_id,
    },
    TableSpec {
        def: TOKENS_BY_USER,
        verify: store::verify_empty,
    },
];

pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub fn generate() -> String {
    format!("{PREFIX}{}", super::session::random_token(32))
}

pub fn by_secret<R: Reader + ?Sized>(r: &R, token: &str) -> Result<Option<ApiToken>, StoreError> {
    match r
        .get_raw(TOKENS_BY_HASH, &hash(token))?
        .and_then(|v| TokenId::from_bytes(&v))
    {
        Some(id) => store::get(r, TOKENS, &id.bytes()),
        None => Ok(None),
    }
}

pub fn get<R: Reader + ?Sized>(r: &R, id: TokenId) -> Result<Option<ApiToken>, StoreError> {
    store::get(r, TOKENS, &id.bytes())
}

pub fn list_for<R: Reader + ?Sized>(
    r: &R,
    user: UserId,
    business: BusinessId,
) -> Result<Vec<ApiToken>, StoreError> {
    let mut out = Vec::new();
    for key in store::scan_keys(r, TOKENS_BY_USER, &user.bytes(), None, usize::MAX)? {
        if let Some(t) = key.get(16..).and_then(TokenId::from_bytes) {
            out.extend(get(r, t)?.filter(|t| t.business_id == business));
        }
    }
    Ok(out)
}

pub fn create(ctx: &mut WriteCtx, token: &ApiToken) -> Result<(), StoreError> {
    ctx.put(TOKENS, &token.id.bytes(), token)?;
    ctx.put_raw(TOKENS_BY_HASH, &token.hash, &token.id.bytes())?;
    ctx.put_raw(
        TOKENS_BY_USER,
        &Key::new()
            .id(token.user_id.bytes())
            .id(token.id.bytes())
            .done(),
        &[],
    )
}

/// How stale `last_used_at` may get before a use is written down: recording
/// every request would turn each API read into a write.
pub const LAST_USED_GRANULARITY_MS: i64 = 60_000;

pub fn touch(ctx: &mut WriteCtx, id: TokenId, at: i64) -> Result<(), StoreError> {
    if let Some(mut t) = get(ctx, id)? {
        t.last_used_at = Some(at);
        ctx.put(TOKENS, &t.id.bytes(), &t)?;
    }
    Ok(())
}

pub fn delete(ctx: &mut WriteCtx, token: &ApiToken) -> Result<(), StoreError> {
    ctx.delete(TOKENS, &token.id.bytes())?;
    ctx.delete(TOKENS_BY_HASH, &token.hash)?;
    ctx.delete(
        TOKENS_BY_USER,
        &Key::new()
            .id(token.user_id.bytes())
            .id(token.id.bytes())
            .done(),
    )?;
    Ok(())
}

/// Index check: both indexes agree with the token records.
pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<ApiToken, _>(r, TOKENS, &[], None, usize::MAX)?;
    for (_, t) in &all {
        if r.get_raw(TOKENS_BY_HASH, &t.hash)?.as_deref() != Some(&t.id.bytes()[..]) {
            problems.push(format!(
                "api_tokens_by_hash: missing entry for token {}",
                t.id
            ));
        }
        let k = Key::new().id(t.user_id.bytes()).id(t.id.bytes()).done();
        if !store::exists(r, TOKENS_BY_USER, &k)? {
            problems.push(format!(
                "api_tokens_by_user: missing entry for token {}",
                t.id
            ));
        }
    }
    let hashes = store::scan_keys(r, TOKENS_BY_HASH, &[], None, usize::MAX)?;
    let users = store::scan_keys(r, TOKENS_BY_USER, &[], None, usize::MAX)?;
    if hashes.len() != all.len() || users.len() != all.len() {
        problems.push(format!(
            "api token indexes disagree: {} tokens, {} hash entries, {} user entries",
            all.len(),
            hashes.len(),
            users.len()
        ));
    }
    Ok(())
}
