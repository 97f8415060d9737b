//! `wafunnel check`: every record decodes and every secondary index agrees with
//! the records it indexes.
use redb::ReadableTableMetadata;
use serde::Serialize;

use super::{table_name, ReadTxn, StoreError, TableSpec};

/// A domain's index verification: pushes a line per disagreement.
pub type IndexCheck = fn(&ReadTxn, &mut Vec<String>) -> Result<(), StoreError>;

#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub tables: Vec<(String, u64)>,
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

const MAX_PROBLEMS: usize = 1000;

pub fn run(
    read: &ReadTxn,
    tables: &[TableSpec],
    indexes: &[IndexCheck],
) -> Result<CheckReport, StoreError> {
    let mut report = CheckReport {
        tables: Vec::new(),
        problems: Vec::new(),
    };
    for spec in tables {
        let table = read.inner().open_table(spec.def)?;
        let name = table_name(spec.def);
        for item in table.range::<&[u8]>(..)? {
            let (k, v) = item?;
            if let Err(e) = (spec.verify)(v.value()) {
                if report.problems.len() < MAX_PROBLEMS {
                    report
                        .problems
                        .push(format!("{name}: key {}: {e}", hex::encode(k.value())));
                }
            }
        }
        report.tables.push((name, table.len()?));
    }
    for check in indexes {
        check(read, &mut report.problems)?;
    }
    Ok(report)
}
