//! Schema versions: every table is created at start-up, then the ordered
//! `migrate_to_vN` steps run, each in its own write transaction. A store written
//! by a newer build is refused rather than misread.
use redb::{Database, ReadableTable, TableDefinition, WriteTransaction};

use super::{StoreError, TableSpec, Tbl};

pub const META: Tbl = TableDefinition::new("meta");
pub const META_SPEC: TableSpec = TableSpec {
    def: META,
    verify: |_| Ok(()),
};
const VERSION_KEY: &[u8] = b"schema_version";

type Step = fn(&WriteTransaction) -> Result<(), StoreError>;

/// `STEPS[n]` takes the store from version n to n + 1.
const STEPS: &[Step] = &[migrate_to_v1, crate::outbound::migrate_to_number_keys];

pub const SCHEMA_VERSION: u32 = STEPS.len() as u32;

fn migrate_to_v1(_tx: &WriteTransaction) -> Result<(), StoreError> {
    // Version 1 is the initial layout: the tables created below.
    Ok(())
}

pub fn read_version(tx: &WriteTransaction) -> Result<u32, StoreError> {
    let meta = tx.open_table(META)?;
    let v = meta.get(VERSION_KEY)?.map(|g| g.value().to_vec());
    Ok(match v {
        Some(bytes) if bytes.len() == 4 => {
            u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
        }
        _ => 0,
    })
}

pub fn run(db: &Database, tables: &[TableSpec]) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    let found = read_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            max: SCHEMA_VERSION,
        });
    }
    for spec in tables {
        tx.open_table(spec.def)?;
    }
    tx.commit()?;
    for version in found..SCHEMA_VERSION {
        let tx = db.begin_write()?;
        STEPS[version as usize](&tx)?;
        tx.open_table(META)?
            .insert(VERSION_KEY, (version + 1).to_be_bytes().as_slice())?;
        tx.commit()?;
        tracing::info!("store migrated to schema version {}", version + 1);
    }
    Ok(())
}

/// The schema version of a store opened read-only (backup files, restore sources).
pub fn version_of(tx: &redb::ReadTransaction) -> Result<u32, StoreError> {
    let meta = match tx.open_table(META) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let v = meta.get(VERSION_KEY)?.map(|g| g.value().to_vec());
    Ok(match v {
        Some(bytes) if bytes.len() == 4 => {
            u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
        }
        _ => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_a_step() {
        assert_eq!(SCHEMA_VERSION as usize, STEPS.len());
        assert_eq!(SCHEMA_VERSION, 2);
    }
}
