//! Contacts: one per person per business, deduplicated across every source by
//! E.164 phone, WhatsApp user id, else email.
pub mod edit;
pub mod erase;
pub mod erase_run;
pub mod export;
pub mod phone;
pub mod routes;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::{
    auth::users::verify_id,
    error::ApiResult,
    store::{
        self, codec,
        ids::{BusinessId, ContactId},
        Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
    },
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub business_id: BusinessId,
    pub name: String,
    /// E.164 (`+5511987654321`), when known.
    pub phone: Option<String>,
    /// WhatsApp's business-scoped user id (usernames), when known.
    pub wa_user_id: Option<String>,
    pub email: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for Contact {}

const CONTACTS: Tbl = TableDefinition::new("contacts");
/// (business, phone) → contact id
const BY_PHONE: Tbl = TableDefinition::new("contacts_by_phone");
/// (business, wa user id) → contact id
const BY_WA_USER: Tbl = TableDefinition::new("contacts_by_wa_user");
/// (business, email) → contact id
const BY_EMAIL: Tbl = TableDefinition::new("contacts_by_email");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: CONTACTS,
        verify: codec::verify::<Contact>,
    },
    TableSpec {
        def: BY_PHONE,
        verify: verify_id,
    },
    TableSpec {
        def: BY_WA_USER,
        verify: verify_id,
    },
    TableSpec {
        def: BY_EMAIL,
        verify: verify_id,
    },
    TableSpec {
        def: FIELDS,
        verify: store::verify_utf8,
    },
];

/// (business, contact, key) → value: a contact's custom fields (flows, imports).
const FIELDS: Tbl = TableDefinition::new("contact_fields");

/// Custom field keys are short identifiers.
pub fn valid_field_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub fn set_field(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ContactId,
    k: &str,
    v: &str,
) -> Result<(), StoreError> {
    let key = Key::new().id(b.bytes()).id(c.bytes()).str(k).done();
    let v: String = v.chars().take(1000).collect();
    cards_changed(ctx, b, c);
    ctx.put_raw(FIELDS, &key, v.as_bytes())
}

pub fn fields<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    c: ContactId,
) -> Result<Vec<(String, String)>, StoreError> {
    let prefix = Key::new().id(b.bytes()).id(c.bytes()).done();
    let end = store::prefix_end(&prefix);
    let rows = r.range_raw(
        FIELDS,
        std::ops::Bound::Included(prefix.as_slice()),
        end.as_deref()
            .map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded),
        200,
        false,
    )?;
    Ok(rows
        .into_iter()
        .map(|(k, v)| {
            let key = &k[prefix.len()..];
            let key = key.strip_suffix(&[0]).unwrap_or(key);
            (
                String::from_utf8_lossy(key).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect())
}

fn key(b: BusinessId, c: ContactId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(c.bytes()).done()
}

fn idx(b: BusinessId, value: &str) -> Vec<u8> {
    Key::new().id(b.bytes()).str(value).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: ContactId,
) -> Result<Option<Contact>, StoreError> {
    store::get(r, CONTACTS, &key(b, id))
}

fn lookup<R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    b: BusinessId,
    value: &str,
) -> Result<Option<Contact>, StoreError> {
    match r
        .get_raw(t, &idx(b, value))?
        .and_then(|v| ContactId::from_bytes(&v))
    {
        Some(id) => get(r, b, id),
        None => Ok(None),
    }
}

/// The contact with this phone, or with its Brazilian twin (see
/// `phone::brazil_mobile_twin`): a lead typed in with the ninth digit and
/// the same customer writing from an old WhatsApp account are one person.
pub fn by_phone<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    phone: &str,
) -> Result<Option<Contact>, StoreError> {
    if let Some(c) = lookup(r, BY_PHONE, b, phone)? {
        return Ok(Some(c));
    }
    match phone::brazil_mobile_twin(phone) {
        Some(twin) => lookup(r, BY_PHONE, b, &twin),
        None => Ok(None),
    }
}

pub fn by_wa_user<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    user_id: &str,
) -> Result<Option<Contact>, StoreError> {
    lookup(r, BY_WA_USER, b, user_id)
}

pub fn by_email<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    email: &str,
) -> Result<Option<Contact>, StoreError> {
    lookup(r, BY_EMAIL, b, &email.trim().to_lowercase())
}

/// Writes the contact and keeps its indexes in step with `before`.
pub fn save(ctx: &mut WriteCtx, before: Option<&Contact>, c: &Contact) -> Result<(), StoreError> {
    let b = c.business_id;
    let pairs: [(Tbl, Option<&String>, Option<&String>); 3] = [
        (
            BY_PHONE,
            before.and_then(|x| x.phone.as_ref()),
            c.phone.as_ref(),
        ),
        (
            BY_WA_USER,
            before.and_then(|x| x.wa_user_id.as_ref()),
            c.wa_user_id.as_ref(),
        ),
        (
            BY_EMAIL,
            before.and_then(|x| x.email.as_ref()),
            c.email.as_ref(),
        ),
    ];
    for (t, old, new) in pairs {
        if old != new {
            if let Some(old) = old {
                ctx.delete(t, &idx(b, old))?;
            }
            if let Some(new) = new {
                ctx.put_raw(t, &idx(b, new), &c.id.bytes())?;
            }
        }
    }
    if before.is_some_and(|x| x != c) {
        cards_changed(ctx, b, c.id);
    }
    ctx.put(CONTACTS, &key(b, c.id), c)
}

/// Search cards hold the contact's name, phone, email and fields: the indexer
/// rewrites its conversations' cards after a change (a new contact's card comes
/// with its first conversation).
fn cards_changed(ctx: &mut WriteCtx, b: BusinessId, c: ContactId) {
    ctx.emit(crate::events::Event::new(
        Some(b),
        "index.cards",
        serde_json::json!({"contact_ids": [c]}),
    ));
}

/// Removes the contact, its custom fields and the lookup entries that point
/// at it, so the same phone, WhatsApp id or email later makes a new contact.
pub fn delete(ctx: &mut WriteCtx, c: &Contact) -> Result<(), StoreError> {
    let b = c.business_id;
    for (t, v) in [
        (BY_PHONE, &c.phone),
        (BY_WA_USER, &c.wa_user_id),
        (BY_EMAIL, &c.email),
    ] {
        if let Some(v) = v {
            if ctx.get_raw(t, &idx(b, v))?.as_deref() == Some(&c.id.bytes()[..]) {
                ctx.delete(t, &idx(b, v))?;
            }
        }
    }
    ctx.delete_prefix(FIELDS, &key(b, c.id), usize::MAX)?;
    ctx.delete(CONTACTS, &key(b, c.id))?;
    Ok(())
}

/// What a source knows about a person.
#[derive(Debug, Default, Clone)]
pub struct Identity {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub wa_user_id: Option<String>,
    pub email: Option<String>,
}

fn normal_email(who: &Identity) -> Option<String> {
    who.email
        .as_ref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

/// The contact this identity belongs to: by WhatsApp user id, then phone, then email.
pub fn find<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    who: &Identity,
) -> Result<Option<Contact>, StoreError> {
    if let Some(u) = &who.wa_user_id {
        if let Some(c) = by_wa_user(r, b, u)? {
            return Ok(Some(c));
        }
    }
    if let Some(p) = &who.phone {
        if let Some(c) = by_phone(r, b, p)? {
            return Ok(Some(c));
        }
    }
    match normal_email(who) {
        Some(e) => by_email(r, b, &e),
        None => Ok(None),
    }
}

/// Finds the contact this identity belongs to (WhatsApp user id, then phone,
/// then email) or creates it; fills in what the contact did not know yet.
/// Returns the contact and whether it was created.
pub fn upsert(ctx: &mut WriteCtx, b: BusinessId, who: &Identity) -> ApiResult<(Contact, bool)> {
    let email = normal_email(who);
    let found = find(ctx, b, who)?;
    let now = now_ms();
    match found {
        Some(existing) => {
            let mut c = existing.clone();
            // Meta regenerates a customer's user id (BSUID) when they change
            // number: a contact found by phone takes the new one, unless
            // another contact holds it, so their next id-only message finds them.
            if let Some(u) = who
                .wa_user_id
                .as_ref()
                .filter(|u| c.wa_user_id.as_ref() != Some(*u))
            {
                if by_wa_user(ctx, b, u)?.is_none() {
                    c.wa_user_id = Some(u.clone());
                }
            }
            // Another contact may already hold the phone or email: keep ours unset then.
            if c.phone.is_none() {
                if let Some(p) = &who.phone {
                    if by_phone(ctx, b, p)?.is_none() {
                        c.phone = Some(p.clone());
                    }
                }
            }
            if c.email.is_none() {
                if let Some(e) = &email {
                    if by_email(ctx, b, e)?.is_none() {
                        c.email = Some(e.clone());
                    }
                }
            }
            if c.name.is_empty() {
                c.name = who.name.clone().unwrap_or_default();
            }
            if c != existing {
                c.updated_at = now;
                save(ctx, Some(&existing), &c)?;
            }
            Ok((c, false))
        }
        None => {
            let c = Contact {
                id: ContactId::new(),
                business_id: b,
                name: who.name.clone().unwrap_or_default(),
                phone: who.phone.clone(),
                wa_user_id: who.wa_user_id.clone(),
                email,
                created_at: now,
                updated_at: now,
            };
            save(ctx, None, &c)?;
            Ok((c, true))
        }
    }
}

/// A phone number as WhatsApp writes it (`5511987654321`) in E.164.
pub fn e164_from_wa_id(wa_id: &str) -> Option<String> {
    let digits: String = wa_id.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7 && digits.len() <= 15 && digits.len() == wa_id.trim_start_matches('+').len())
        .then(|| format!("+{digits}"))
}

pub fn check_indexes(r: &store::ReadTxn, problems: &mut Vec<String>) -> Result<(), StoreError> {
    let all = store::scan::<Contact, _>(r, CONTACTS, &[], None, usize::MAX)?;
    let mut expected = 0usize;
    for (_, c) in &all {
        for (t, v) in [
            (BY_PHONE, &c.phone),
            (BY_WA_USER, &c.wa_user_id),
            (BY_EMAIL, &c.email),
        ] {
            if let Some(v) = v {
                expected += 1;
                if r.get_raw(t, &idx(c.business_id, v))?.as_deref() != Some(&c.id.bytes()[..]) {
                    problems.push(format!(
                        "{}: missing entry for contact {}",
                        store::table_name(t),
                        c.id
                    ));
                }
            }
        }
    }
    let mut actual = 0usize;
    for t in [BY_PHONE, BY_WA_USER, BY_EMAIL] {
        actual += store::scan_keys(r, t, &[], None, usize::MAX)?.len();
    }
    if actual != expected {
        problems.push(format!(
            "contact indexes hold {actual} entries for {expected} indexed values"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wa_ids_become_e164() {
        assert_eq!(
            e164_from_wa_id("5511987654321").as_deref(),
            Some("+5511987654321")
        );
        assert_eq!(
            e164_from_wa_id("+15550001111").as_deref(),
            Some("+15550001111")
        );
        assert_eq!(e164_from_wa_id(""), None);
        assert_eq!(e164_from_wa_id("12ab34567"), None);
        assert_eq!(e164_from_wa_id("1234567890123456"), None);
    }
}
