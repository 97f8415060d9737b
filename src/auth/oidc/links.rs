//! What Google sign-in keeps: the link between a Google account (`sub`, its
//! stable id) and a user, both ways, and the `state` values already spent, so
//! a callback can never be replayed.
use redb::TableDefinition;

use crate::{
    store::{self, ids::UserId, Key, Reader, StoreError, TableSpec, Tbl, WriteCtx},
    time::now_ms,
};

/// Google `sub` → user id
const BY_SUB: Tbl = TableDefinition::new("google_by_sub");
/// user id → Google `sub` (UTF-8)
const BY_USER: Tbl = TableDefinition::new("google_by_user");
/// sha256(state) → expiry (ms, big-endian): spent sign-in attempts.
const SPENT: Tbl = TableDefinition::new("oidc_spent_states");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: BY_SUB,
        verify: |v| store::verify_len::<16>(v),
    },
    TableSpec {
        def: BY_USER,
        verify: store::verify_utf8,
    },
    TableSpec {
        def: SPENT,
        verify: |v| store::verify_len::<8>(v),
    },
];

fn sub_key(sub: &str) -> Vec<u8> {
    Key::new().str(sub).done()
}

pub fn user_of<R: Reader + ?Sized>(r: &R, sub: &str) -> Result<Option<UserId>, StoreError> {
    Ok(r.get_raw(BY_SUB, &sub_key(sub))?
        .and_then(|v| UserId::from_bytes(&v)))
}

pub fn sub_of<R: Reader + ?Sized>(r: &R, user: UserId) -> Result<Option<String>, StoreError> {
    Ok(r.get_raw(BY_USER, &user.bytes())?
        .and_then(|v| String::from_utf8(v).ok()))
}

pub fn link(ctx: &mut WriteCtx, user: UserId, sub: &str) -> Result<(), StoreError> {
    ctx.put_raw(BY_SUB, &sub_key(sub), &user.bytes())?;
    ctx.put_raw(BY_USER, &user.bytes(), sub.as_bytes())
}

/// Spends a `state`: false when it was spent before. Spent states are kept
/// until they would have expired anyway; the expired ones are swept here,
/// which keeps the table as small as the sign-ins of the last minutes.
pub fn spend(
    ctx: &mut WriteCtx,
    state_hash: &[u8; 32],
    expires_at: i64,
) -> Result<bool, StoreError> {
    if ctx.get_raw(SPENT, state_hash)?.is_some() {
        return Ok(false);
    }
    let now = now_ms();
    let stale: Vec<Vec<u8>> = store::scan_raw(ctx, SPENT, &[], 10_000)?
        .into_iter()
        .filter(|(_, v)| {
            <[u8; 8]>::try_from(v.as_slice()).map_or(true, |b| i64::from_be_bytes(b) < now)
        })
        .map(|(k, _)| k)
        .collect();
    for k in stale {
        ctx.delete(SPENT, &k)?;
    }
    ctx.put_raw(SPENT, state_hash, &expires_at.to_be_bytes())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_spent_once_and_expired_ones_are_swept() {
        let (_dir, store) = crate::store::temp();
        let outcome = store
            .write_blocking(|ctx| {
                let (old, a) = ([1u8; 32], [2u8; 32]);
                let now = now_ms();
                let first_old = spend(ctx, &old, now - 1)?;
                let first = spend(ctx, &a, now + 600_000)?;
                let again = spend(ctx, &a, now + 600_000)?;
                let old_swept = ctx.get_raw(SPENT, &old)?.is_none();
                Ok((first_old, first, again, old_swept))
            })
            .expect("write");
        assert_eq!(outcome, (true, true, false, true));
    }
}
