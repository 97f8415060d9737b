//! An import is a durable job with a state machine:
//! `uploaded → mapped → running → completed | failed | cancelled`. Its
//! checkpoint (byte offset, row, counters) commits with each batch of rows,
//! so a crash resumes at the first row not yet committed.
use std::collections::BTreeMap;

use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use crate::store::{
    self, codec,
    ids::{BusinessId, ConversationId, MemberId, RecordId},
    Key, Reader, Record, StoreError, TableSpec, Tbl, WriteCtx,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Csv,
    Chat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Uploaded,
    Mapped,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn finished(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }

    /// Why an import in this state cannot be mapped, started or cancelled again.
    pub fn conflict(self) -> crate::error::ApiError {
        let why = match self {
            Status::Uploaded | Status::Mapped => "This import has not started yet",
            Status::Running => "This import is already running",
            Status::Completed => "This import has already finished",
            Status::Failed => "This import has failed; upload the file again",
            Status::Cancelled => "This import was cancelled; upload the file again",
        };
        crate::error::ApiError::new(crate::error::Code::Conflict, why)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// An existing contact is left as it is and the row counts as skipped.
    #[default]
    Skip,
    /// An existing contact takes the row's name, email and fields.
    Update,
    /// The row becomes a new lead event on the existing contact's timeline.
    Attach,
}

/// Where imported leads go: a pool, one member, or nobody yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Assign {
    pub pool_channel_id: Option<String>,
    pub member_id: Option<MemberId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CsvMapping {
    /// Header → target (`name`, `phone`, `email`, `note`, `labels`,
    /// `assignee_email`, `source`, `custom:<key>`); unmapped columns are ignored.
    pub columns: BTreeMap<String, String>,
    pub default_country: Option<String>,
    pub duplicates: Duplicates,
    pub assign: Assign,
    pub dry_run: bool,
    /// What the preview found, fixed when the mapping is saved.
    pub delimiter: u8,
    pub encoding: String,
    pub has_header: bool,
    /// The column names the mapping refers to, in file order.
    pub headers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ChatMapping {
    pub business_participant: String,
    /// The phone's clock: export times carry no zone (minutes east of UTC).
    pub tz_offset_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Mapping {
    Csv(CsvMapping),
    Chat(ChatMapping),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Checkpoint {
    /// Byte offset in the file of the next row to read.
    pub offset: u64,
    /// Data rows read so far (the next row's number is this + 1).
    pub row: u64,
    pub done: u64,
    pub failed: u64,
    pub skipped: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Import {
    pub id: RecordId,
    pub business_id: BusinessId,
    pub kind: Kind,
    pub status: Status,
    pub file_name: String,
    pub size: u64,
    pub created_by: MemberId,
    /// Chat imports: the conversation the history joins (else a new one).
    pub conversation_id: Option<ConversationId>,
    pub mapping: Option<Mapping>,
    pub checkpoint: Checkpoint,
    pub rows_total_estimate: Option<u64>,
    pub cancel_requested: bool,
    pub error: Option<String>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}
impl Record for Import {}

/// (business, import) → Import
const IMPORTS: Tbl = TableDefinition::new("imports");
/// (business, import, row) → FailedRow: what could not be imported, and why.
const FAILED_ROWS: Tbl = TableDefinition::new("import_failed_rows");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedRow {
    pub row: u64,
    pub column: Option<String>,
    pub reason: String,
    /// The row's cells as read, to download, fix and import again.
    pub cells: Vec<String>,
}
impl Record for FailedRow {}

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: IMPORTS,
        verify: codec::verify::<Import>,
    },
    TableSpec {
        def: FAILED_ROWS,
        verify: codec::verify::<FailedRow>,
    },
];

fn key(b: BusinessId, id: RecordId) -> Vec<u8> {
    Key::new().id(b.bytes()).id(id.bytes()).done()
}

pub fn get<R: Reader + ?Sized>(
    r: &R,
    b: BusinessId,
    id: RecordId,
) -> Result<Option<Import>, StoreError> {
    store::get(r, IMPORTS, &key(b, id))
}

pub fn save(ctx: &mut WriteCtx, i: &Import) -> Result<(), StoreError> {
    ctx.put(IMPORTS, &key(i.business_id, i.id), i)
}

/// A business's imports, newest first.
pub fn list<R: Reader + ?Sized>(r: &R, b: BusinessId) -> Result<Vec<Import>, StoreError> {
    let mut all: Vec<Import> = store::records(r, IMPORTS, &b.bytes(), 1_000)?;
    all.reverse();
    Ok(all)
}

impl Import {
    /// Whether a mapping may be saved now: before it runs, or after a dry
    /// run, which is a rehearsal of the same file with another mapping to come.
    pub fn mappable(&self) -> bool {
        match self.status {
            Status::Uploaded | Status::Mapped => true,
            Status::Completed => self.was_dry_run(),
            _ => false,
        }
    }

    pub fn was_dry_run(&self) -> bool {
        matches!(&self.mapping, Some(Mapping::Csv(m)) if m.dry_run)
    }
}

/// Clears what a finished dry run counted and the rows it reported, so the
/// import can run again from the first row.
pub fn forget_run(ctx: &mut WriteCtx, i: &mut Import) -> Result<(), StoreError> {
    ctx.delete_prefix(FAILED_ROWS, &key(i.business_id, i.id), usize::MAX)?;
    i.checkpoint = Checkpoint::default();
    i.rows_total_estimate = None;
    i.error = None;
    i.cancel_requested = false;
    i.started_at = None;
    i.finished_at = None;
    Ok(())
}

/// Deletes the chat imports into a conversation (it is being erased) with
/// their failed rows; returns their ids, whose uploaded files the caller removes.
pub fn forget_conversation(
    ctx: &mut WriteCtx,
    b: BusinessId,
    c: ConversationId,
) -> Result<Vec<RecordId>, StoreError> {
    let mut gone = Vec::new();
    for (k, i) in store::scan::<Import, _>(ctx, IMPORTS, &b.bytes(), None, usize::MAX)? {
        if i.conversation_id == Some(c) {
            ctx.delete_prefix(FAILED_ROWS, &k, usize::MAX)?;
            ctx.delete(IMPORTS, &k)?;
            gone.push(i.id);
        }
    }
    Ok(gone)
}

pub fn add_failed(ctx: &mut WriteCtx, i: &Import, f: &FailedRow) -> Result<(), StoreError> {
    let k = Key::new().raw(&key(i.business_id, i.id)).u64(f.row).done();
    ctx.put(FAILED_ROWS, &k, f)
}

/// Failed rows in row order, from after `after_row`.
pub fn failed_rows<R: Reader + ?Sized>(
    r: &R,
    i: &Import,
    after_row: Option<u64>,
    limit: usize,
) -> Result<Vec<FailedRow>, StoreError> {
    let prefix = key(i.business_id, i.id);
    let after = after_row.map(|row| Key::new().raw(&prefix).u64(row).done());
    Ok(
        store::scan(r, FAILED_ROWS, &prefix, after.as_deref(), limit)?
            .into_iter()
            .map(|(_, f)| f)
            .collect(),
    )
}

/// Where the uploaded file lives.
pub fn file_path(data_dir: &std::path::Path, b: BusinessId, id: RecordId) -> std::path::PathBuf {
    data_dir
        .join("imports")
        .join(b.to_string())
        .join(format!("{id}.upload"))
}

/// An import that is over needs its file no more: what failed is kept as
/// rows (errors.csv), and a file full of customers' names and phones should
/// not outlive its use, nor escape an erasure. A dry run keeps it: the same
/// file is mapped and run again. Returns how many files went.
pub fn release_files(data_dir: &std::path::Path, i: &Import) -> usize {
    if !i.status.finished() || i.was_dry_run() {
        return 0;
    }
    let upload = file_path(data_dir, i.business_id, i.id);
    // The spreadsheet's UTF-8 copy, when it came in another encoding.
    let copy = upload.with_extension("utf8");
    [upload, copy]
        .iter()
        .filter(|p| match std::fs::remove_file(p) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => {
                tracing::warn!("import {}: removing {}: {e}", i.id, p.display());
                false
            }
        })
        .count()
}

/// Uploads cut off by a stop or a dropped connection leave a `.partial`
/// behind; one untouched for an hour is no upload under way. Returns how many went.
pub fn drop_stale_partials(data_dir: &std::path::Path) -> usize {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let Ok(businesses) = std::fs::read_dir(data_dir.join("imports")) else {
        return 0;
    };
    let mut dropped = 0;
    for dir in businesses.flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for f in files.flatten() {
            let path = f.path();
            let stale = f
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < hour_ago);
            if stale
                && path.extension().is_some_and(|e| e == "partial")
                && std::fs::remove_file(&path).is_ok()
            {
                dropped += 1;
            }
        }
    }
    dropped
}

/// At start: the files of imports that are over, and abandoned partial uploads.
pub fn tidy_files(store: &crate::store::Store, data_dir: &std::path::Path) {
    let partials = drop_stale_partials(data_dir);
    let released = store.read().and_then(|r| release_all_files(&r, data_dir));
    match released {
        Ok(n) if n + partials > 0 => {
            tracing::info!("removed {n} files of finished imports and {partials} abandoned uploads")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("finished imports' files: {e}"),
    }
}

/// Releases the files of every import that is over (those that ended before
/// imports let go of their files, or while the server was stopping).
pub fn release_all_files(
    r: &crate::store::ReadTxn,
    data_dir: &std::path::Path,
) -> Result<usize, StoreError> {
    let mut released = 0;
    for (_, i) in store::scan::<Import, _>(r, IMPORTS, &[], None, usize::MAX)? {
        released += release_files(data_dir, &i);
    }
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(b: BusinessId, status: Status) -> Import {
        Import {
            id: RecordId::new(),
            business_id: b,
            kind: Kind::Csv,
            status,
            file_name: "leads.csv".into(),
            size: 10,
            created_by: crate::store::ids::MemberId::new(),
            conversation_id: None,
            mapping: None,
            checkpoint: Checkpoint::default(),
            rows_total_estimate: None,
            cancel_requested: false,
            error: None,
            started_at: None,
            finished_at: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn at_start_finished_imports_and_abandoned_uploads_let_go_of_their_files() {
        let (_db, store) = crate::store::temp();
        let data = tempfile::tempdir().expect("dir");
        let b = BusinessId::new();
        let (done, waiting) = (import(b, Status::Completed), import(b, Status::Mapped));
        for i in [&done, &waiting] {
            let saved = i.clone();
            store
                .write_blocking(move |ctx| Ok(save(ctx, &saved)?))
                .expect("save");
        }
        let files = data.path().join("imports").join(b.to_string());
        std::fs::create_dir_all(&files).expect("dir");
        let upload = |i: &Import| file_path(data.path(), b, i.id);
        for p in [
            upload(&done),
            upload(&done).with_extension("utf8"),
            upload(&waiting),
        ] {
            std::fs::write(p, b"name,phone\n").expect("file");
        }
        let (stale, fresh) = (files.join("a.partial"), files.join("b.partial"));
        for p in [&stale, &fresh] {
            std::fs::write(p, b"name,").expect("partial");
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .and_then(|f| f.set_modified(two_hours_ago))
            .expect("mtime");

        tidy_files(&store, data.path());

        assert!(!upload(&done).exists() && !upload(&done).with_extension("utf8").exists());
        assert!(
            upload(&waiting).exists(),
            "a mapped import still runs from it"
        );
        assert!(!stale.exists());
        assert!(fresh.exists(), "an upload may be under way");
    }
}
