//! The name a business goes by in its own chat exports. Phones export the
//! business's side under the same name every time, so the name chosen in the
//! last chat mapping is suggested in the next chat preview.
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::store::{
    self, codec, ids::BusinessId, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessParticipant {
    pub name: String,
    pub updated_at: i64,
}
impl Record for BusinessParticipant {}

/// business → BusinessParticipant
const BUSINESS_PARTICIPANT: Tbl = TableDefinition::new("import_business_participant");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: BUSINESS_PARTICIPANT,
    verify: codec::verify::<BusinessParticipant>,
}];

pub fn remember(ctx: &mut WriteCtx, b: BusinessId, name: &str) -> Result<(), StoreError> {
    let value = BusinessParticipant {
        name: name.to_string(),
        updated_at: crate::time::now_ms(),
    };
    ctx.put(BUSINESS_PARTICIPANT, &b.bytes(), &value)
}

/// The remembered name, when this chat has a participant of that name.
pub fn suggestion<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    participants: &[String],
) -> Result<Option<String>, StoreError> {
    let remembered: Option<BusinessParticipant> = store::get(r, BUSINESS_PARTICIPANT, &b.bytes())?;
    Ok(remembered
        .map(|p| p.name)
        .filter(|name| participants.contains(name)))
}
