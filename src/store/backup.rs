//! Backups are logical copies taken from one read transaction, so a backup made
//! while the server writes is a consistent snapshot of one commit.
use std::{
    fs,
    path::{Path, PathBuf},
};

use redb::{Database, Durability, ReadOnlyDatabase, ReadableDatabase};
use serde::Serialize;

use super::{migrate, table_name, StoreError, TableSpec, DB_FILE};

#[derive(Debug, Serialize)]
pub struct TableCount {
    pub table: String,
    pub records: u64,
}

#[derive(Debug, Serialize)]
pub struct BackupReport {
    pub path: String,
    pub schema_version: u32,
    pub tables: Vec<TableCount>,
    pub records: u64,
}

const CHUNK: usize = 20_000;

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// Copies every table of `db` as of one read transaction into a new store at `out`.
pub fn snapshot(
    db: &Database,
    tables: &[TableSpec],
    out: &Path,
) -> Result<BackupReport, StoreError> {
    let read = db.begin_read()?;
    let schema_version = migrate::version_of(&read)?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let partial = partial_path(out);
    let _ = fs::remove_file(&partial);
    let result = (|| {
        let dest = Database::create(&partial)?;
        let mut counts = Vec::new();
        for spec in tables {
            let source = read.open_table(spec.def)?;
            let mut copied = 0u64;
            let mut iter = source.range::<&[u8]>(..)?;
            loop {
                let mut tx = dest.begin_write()?;
                tx.set_durability(Durability::None)?;
                let mut n = 0;
                {
                    let mut table = tx.open_table(spec.def)?;
                    for item in iter.by_ref() {
                        let (k, v) = item?;
                        table.insert(k.value(), v.value())?;
                        n += 1;
                        if n == CHUNK {
                            break;
                        }
                    }
                }
                tx.commit()?;
                copied += n as u64;
                if n < CHUNK {
                    break;
                }
            }
            counts.push(TableCount {
                table: table_name(spec.def),
                records: copied,
            });
        }
        // One durable commit makes every chunk above durable.
        let mut tx = dest.begin_write()?;
        tx.set_durability(Durability::Immediate)?;
        tx.commit()?;
        drop(dest);
        fs::rename(&partial, out)?;
        let records = counts.iter().map(|c| c.records).sum();
        Ok(BackupReport {
            path: out.display().to_string(),
            schema_version,
            tables: counts,
            records,
        })
    })();
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result
}

#[derive(Debug, Serialize)]
pub struct RestoreReport {
    pub path: String,
    pub schema_version: u32,
}

/// Puts the backup at `from` in place as the store of `data_dir`.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> Result<RestoreReport, StoreError> {
    let schema_version = {
        let source = ReadOnlyDatabase::open(from).map_err(|e| {
            StoreError::Redb(format!("{} is not a wafunnel backup: {e}", from.display()))
        })?;
        let read = source.begin_read()?;
        let version = migrate::version_of(&read)?;
        if version == 0 {
            return Err(StoreError::Redb(format!(
                "{} is not a wafunnel backup (no schema version)",
                from.display()
            )));
        }
        if version > migrate::SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found: version,
                max: migrate::SCHEMA_VERSION,
            });
        }
        version
    };
    fs::create_dir_all(data_dir)?;
    let dest = data_dir.join(DB_FILE);
    if dest.exists() {
        if !force {
            return Err(StoreError::Redb(format!(
                "{} already holds a store; pass --force to replace it",
                data_dir.display()
            )));
        }
        // Opening takes the lock: a running server makes this fail, as it must.
        drop(Database::open(&dest)?);
    }
    let partial = partial_path(&dest);
    fs::copy(from, &partial)?;
    fs::File::open(&partial)?.sync_all()?;
    fs::rename(&partial, &dest)?;
    // The search index described the store that was replaced: the next start rebuilds it.
    match fs::remove_dir_all(data_dir.join("search")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    Ok(RestoreReport {
        path: dest.display().to_string(),
        schema_version,
    })
}
