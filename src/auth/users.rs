//! User accounts: identity and credentials, independent of any business.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::{
    error::{ApiError, ApiResult, Code},
    store::{self, codec, ids::UserId, Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    User,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    /// PHC string (argon2id); None until the user sets one (invite, reset).
    pub password_hash: Option<String>,
    pub account_type: AccountType,
    /// Bumped on password change: every session issued before dies.
    pub token_version: u32,
    pub created_at: i64,
}
impl Record for User {}

pub(crate) const USERS: Tbl = TableDefinition::new("users");
pub(crate) const USERS_BY_EMAIL: Tbl = TableDefinition::new("users_by_email");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: USERS,
        verify: codec::verify::<User>,
    },
    TableSpec {
        def: USERS_BY_EMAIL,
        verify: |v| verify_id(v),
    },
];

pub(crate) fn verify_id(v: &[u8]) -> Result<(), store::CodecError> {
    store::verify_len::<16>(v)
}

/// Emails are compared case-insensitively and without surrounding space.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What is wrong with a person's name, if anything: it is shown in lists,
/// mail headers and the audit log.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is required")
    } else if name.chars().count() > 100 {
        Some("must be at most 100 characters")
    } else if name.contains(char::is_control) {
        Some("must not hold control characters")
    } else {
        None
    }
}

/// A pragmatic shape check: one @, a dot in the domain, no spaces, sane length.
pub fn valid_email(email: &str) -> bool {
    let e = email.trim();
    if e.len() > 254 || e.contains(char::is_whitespace) || e.contains(char::is_control) {
        return false;
    }
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

pub fn get<R: Reader + ?Sized>(r: &R, id: UserId) -> Result<Option<User>, StoreError> {
    store::get(r, USERS, &id.bytes())
}

pub fn by_email<R: Reader + ?Sized>(r: &R, email: &str) -> Result<Option<User>, StoreError> {
    let key = Key::new().str(&normalize_email(email)).done();
    match r.get_raw(USERS_BY_EMAIL, &key)? {
        Some(id) => match UserId::from_bytes(&id) {
            Some(id) => get(r, id),
            None => Ok(None),
        },
        None => Ok(None),
    }
}

pub fn any_exists<R: Reader + ?Sized>(r: &R) -> Result<bool, StoreError> {
    Ok(!store::scan_keys(r, USERS, &[], None, 1)?.is_empty())
}

pub fn list<R: Reader + ?Sized>(r: &R) -> Result<Vec<User>, StoreError> {
    store::records::<User, _>(r, USERS, &[], usize::MAX)
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub account_type: AccountType,
}

/// Creates a user; 409 `email_taken` when the address is in use.
pub fn create(ctx: &mut WriteCtx, new: &NewUser) -> ApiResult<User> {
    let email = normalize_email(&new.email);
    if by_email(ctx, &email)?.is_some() {
        return Err(ApiError::new(
            Code::EmailTaken,
            "This email address is already in use",
        ));
    }
    let user = User {
        id: UserId::new(),
        email,
        name: new.name.trim().to_string(),
        password_hash: new.password_hash.clone(),
        account_type: new.account_type,
        token_version: 0,
        created_at: crate::time::now_ms(),
    };
    save(ctx, &user)?;
    ctx.put_raw(
        USERS_BY_EMAIL,
        &Key::new().str(&user.email).done(),
        &user.id.bytes(),
    )?;
    Ok(user)
}

/// Saves a changed user (the email, and so its index, never changes here).
pub fn save(ctx: &mut WriteCtx, user: &User) -> Result<(), StoreError> {
    ctx.put(USERS, &user.id.bytes(), user)
}

/// Sets a new password and kills every session issued before.
pub fn set_password(ctx: &mut WriteCtx, id: UserId, hash: &str) -> ApiResult<User> {
    let mut user = get(ctx, id)?.ok_or_else(|| ApiError::not_found("user"))?;
    user.password_hash = Some(hash.to_string());
    user.token_version = user.token_version.wrapping_add(1);
    save(ctx, &user)?;
    super::reset::forget_all_for(ctx, id)?;
    Ok(user)
}

/// Index check: every email entry points at a user with that email, and back.
pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let users = list(r)?;
    for u in &users {
        let key = Key::new().str(&u.email).done();
        match r.get_raw(USERS_BY_EMAIL, &key)? {
            Some(id) if id == u.id.bytes() => {}
            _ => problems.push(format!(
                "users_by_email: missing or wrong entry for user {}",
                u.id
            )),
        }
    }
    for key in store::scan_keys(r, USERS_BY_EMAIL, &[], None, usize::MAX)? {
        let id = r
            .get_raw(USERS_BY_EMAIL, &key)?
            .and_then(|v| UserId::from_bytes(&v));
        let ok = match id {
            Some(id) => get(r, id)?.is_some_and(|u| Key::new().str(&u.email).done() == key),
            None => false,
        };
        if !ok {
            problems.push(format!(
                "users_by_email: entry {} points at no such user",
                String::from_utf8_lossy(&key)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        assert!(valid_email("ana@example.com"));
        assert!(valid_email("  Ana.B+x@sub.example.co  "));
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "a@b",
            "a@@b.com",
            "a@.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert_eq!(normalize_email(" Ana@Example.COM "), "ana@example.com");
    }
}
