//! A Facebook Login identity inside one business: the person who connected
//! pages, linked to the wafunnel user who clicked "Connect". Their id,
//! profile and long-lived user token are stored only sealed under the login's
//! own key (see `vault`); the record is found by a keyed hash of their id.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::vault::Vault;
use crate::store::{
    self, codec,
    ids::{BusinessId, RecordId, UserId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FbLogin {
    pub id: RecordId,
    pub business_id: BusinessId,
    /// Keyed hash of the app-scoped Facebook user id.
    pub user_hash: String,
    /// The wafunnel user who signed in with it.
    pub linked_user: Option<UserId>,
    /// `Profile` as JSON, sealed under the key named by `id`.
    pub sealed: Vec<u8>,
    pub user_token_expires_at: Option<i64>,
    pub connected_at: i64,
}
impl Record for FbLogin {}

/// What we keep of the person, only ever sealed; Debug prints none of it.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub fb_user_id: String,
    pub name: String,
    pub email: Option<String>,
    pub picture_url: Option<String>,
    pub user_token: String,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Profile([redacted])")
    }
}

impl Profile {
    /// Every value the deletion scan must not find afterwards.
    pub fn needles(&self) -> Vec<String> {
        let mut v = vec![self.fb_user_id.clone(), self.user_token.clone()];
        v.push(self.name.clone());
        v.extend(self.email.clone());
        v.extend(self.picture_url.clone());
        v.retain(|s| !s.trim().is_empty());
        v
    }
}

impl FbLogin {
    pub fn key_id(&self) -> String {
        key_id(self.id)
    }

    pub fn profile(&self, vault: &Vault) -> Option<Profile> {
        let plain = vault.open(&self.key_id(), &self.sealed)?;
        serde_json::from_slice(&plain).ok()
    }
}

pub fn key_id(login: RecordId) -> String {
    format!("login:{login}")
}

/// id → FbLogin
const LOGINS: Tbl = TableDefinition::new("facebook_logins");
/// (user hash, login id) → (): a person's logins in every business.
const BY_USER: Tbl = TableDefinition::new("facebook_logins_by_user");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: LOGINS,
        verify: codec::verify::<FbLogin>,
    },
    TableSpec {
        def: BY_USER,
        verify: store::verify_empty,
    },
];

fn by_user_key(hash: &str, id: RecordId) -> Vec<u8> {
    Key::new().str(hash).id(id.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(r: &R, id: RecordId) -> Result<Option<FbLogin>, StoreError> {
    store::get(r, LOGINS, &id.bytes())
}

/// Every login of the person with this user hash, in every business.
pub fn of_user<R: Reader + ?Sized>(r: &R, hash: &str) -> Result<Vec<FbLogin>, StoreError> {
    let prefix = Key::new().str(hash).done();
    let mut out = Vec::new();
    for k in store::scan_keys(r, BY_USER, &prefix, None, usize::MAX)? {
        if let Some(id) = k.get(prefix.len()..).and_then(RecordId::from_bytes) {
            out.extend(get(r, id)?);
        }
    }
    Ok(out)
}

pub fn all<R: Reader + ?Sized>(r: &R) -> Result<Vec<FbLogin>, StoreError> {
    Ok(store::scan::<FbLogin, _>(r, LOGINS, &[], None, usize::MAX)?
        .into_iter()
        .map(|(_, l)| l)
        .collect())
}

pub fn save(ctx: &mut WriteCtx, l: &FbLogin) -> Result<(), StoreError> {
    ctx.put(LOGINS, &l.id.bytes(), l)?;
    ctx.put_raw(BY_USER, &by_user_key(&l.user_hash, l.id), &[])
}

pub fn delete(ctx: &mut WriteCtx, l: &FbLogin) -> Result<(), StoreError> {
    ctx.delete(LOGINS, &l.id.bytes())?;
    ctx.delete(BY_USER, &by_user_key(&l.user_hash, l.id))?;
    Ok(())
}
