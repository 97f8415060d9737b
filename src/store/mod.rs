//! The embedded store: redb tables of versioned records, one writer thread with
//! group commit, read transactions from any thread, events after commit.
pub mod backup;
pub mod check;
pub mod codec;
mod herald;
pub mod ids;
pub mod keys;
pub mod migrate;
pub mod scrub;
pub mod writer;

use std::{
    ops::Bound,
    path::{Path, PathBuf},
    sync::Arc,
};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::broadcast;

pub use codec::{CodecError, Record};
pub use keys::{prefix_end, Key};
pub use writer::{commit_seq, WriteCtx};

use crate::{
    error::{ApiError, ApiResult, Code},
    events::Batch,
    metrics::Metrics,
};

/// Every table maps ordered byte keys to encoded records (or empty index values),
/// which lets backup, restore and check treat all tables alike.
pub type Tbl = TableDefinition<'static, &'static [u8], &'static [u8]>;

pub const DB_FILE: &str = "wafunnel.redb";

/// A table and how to verify its values; each domain lists its own.
#[derive(Clone, Copy)]
pub struct TableSpec {
    pub def: Tbl,
    pub verify: fn(&[u8]) -> Result<(), CodecError>,
}

/// Values that are plain UTF-8 text.
pub fn verify_utf8(bytes: &[u8]) -> Result<(), CodecError> {
    std::str::from_utf8(bytes)
        .map(|_| ())
        .map_err(|e| CodecError::Bincode(format!("not UTF-8: {e}")))
}

/// Index tables hold no value: the key is the whole fact.
pub fn verify_empty(bytes: &[u8]) -> Result<(), CodecError> {
    if bytes.is_empty() {
        Ok(())
    } else {
        Err(CodecError::Trailing(bytes.len()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data directory is in use by a running wafunnel")]
    Locked,
    #[error("store: {0}")]
    Redb(String),
    #[error("table {table}: {source}")]
    Codec { table: String, source: CodecError },
    #[error("store schema version {found} is newer than this build ({max}); upgrade wafunnel")]
    TooNew { found: u32, max: u32 },
    #[error("the writer has stopped")]
    WriterGone,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

macro_rules! redb_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Redb(e.to_string())
            }
        }
    )*};
}
redb_errors!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl From<redb::DatabaseError> for StoreError {
    fn from(e: redb::DatabaseError) -> Self {
        match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked,
            other => StoreError::Redb(other.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::WriterGone => {
                ApiError::new(Code::Unavailable, "The server is shutting down")
            }
            other => ApiError::new(Code::Storage, other.to_string()),
        }
    }
}

/// Raw entries of a range scan: (key, value) bytes.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Read access shared by read transactions and the writer's transaction, so
/// domain functions read the same way inside and outside a write.
pub trait Reader {
    fn get_raw(&self, t: Tbl, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Entries with keys in `[start, end)`, at most `limit`, descending when `rev`.
    fn range_raw(
        &self,
        t: Tbl,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        limit: usize,
        rev: bool,
    ) -> Result<Entries, StoreError>;
}

fn collect_range<T: ReadableTable<&'static [u8], &'static [u8]>>(
    table: &T,
    start: Bound<&[u8]>,
    end: Bound<&[u8]>,
    limit: usize,
    rev: bool,
) -> Result<Entries, StoreError> {
    let range = table.range::<&[u8]>((start, end))?;
    let items: Box<dyn Iterator<Item = _>> = if rev {
        Box::new(range.rev())
    } else {
        Box::new(range)
    };
    let mut out = Vec::new();
    for item in items.take(limit) {
        let (k, v) = item?;
        out.push((k.value().to_vec(), v.value().to_vec()));
    }
    Ok(out)
}

pub struct ReadTxn(redb::ReadTransaction);

impl ReadTxn {
    pub fn inner(&self) -> &redb::ReadTransaction {
        &self.0
    }
}

impl Reader for ReadTxn {
    fn get_raw(&self, t: Tbl, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let table = self.0.open_table(t)?;
        Ok(table.get(key)?.map(|v| v.value().to_vec()))
    }

    fn range_raw(
        &self,
        t: Tbl,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        limit: usize,
        rev: bool,
    ) -> Result<Entries, StoreError> {
        collect_range(&self.0.open_table(t)?, start, end, limit, rev)
    }
}

pub fn get<V: Record, R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    key: &[u8],
) -> Result<Option<V>, StoreError> {
    r.get_raw(t, key)?
        .map(|bytes| decode_in(t, &bytes))
        .transpose()
}

pub fn exists<R: Reader + ?Sized>(r: &R, t: Tbl, key: &[u8]) -> Result<bool, StoreError> {
    Ok(r.get_raw(t, key)?.is_some())
}

/// Entries whose keys start with `prefix`, after the exclusive cursor `after`.
fn prefix_entries<R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Entries, StoreError> {
    let end = prefix_end(prefix);
    let start = match after {
        Some(a) if a > prefix => Bound::Excluded(a),
        _ => Bound::Included(prefix),
    };
    let end = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
    r.range_raw(t, start, end, limit, false)
}

fn decode_in<V: Record>(t: Tbl, bytes: &[u8]) -> Result<V, StoreError> {
    codec::decode(bytes).map_err(|source| StoreError::Codec {
        table: table_name(t),
        source,
    })
}

/// Keys starting with `prefix`, after the exclusive cursor `after` when given.
pub fn scan_keys<R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<Vec<u8>>, StoreError> {
    Ok(prefix_entries(r, t, prefix, after, limit)?
        .into_iter()
        .map(|(k, _)| k)
        .collect())
}

/// Raw (key, value) pairs under `prefix`, in key order.
pub fn scan_raw<R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    prefix: &[u8],
    limit: usize,
) -> Result<Entries, StoreError> {
    prefix_entries(r, t, prefix, None, limit)
}

/// Records under `prefix` in key order, after the exclusive cursor `after`.
pub fn scan<V: Record, R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    prefix: &[u8],
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, V)>, StoreError> {
    prefix_entries(r, t, prefix, after, limit)?
        .into_iter()
        .map(|(k, v)| decode_in(t, &v).map(|rec| (k, rec)))
        .collect()
}

/// The first `limit` records under `prefix`, in key order.
pub fn records<V: Record, R: Reader + ?Sized>(
    r: &R,
    t: Tbl,
    prefix: &[u8],
    limit: usize,
) -> Result<Vec<V>, StoreError> {
    prefix_entries(r, t, prefix, None, limit)?
        .into_iter()
        .map(|(_, v)| decode_in(t, &v))
        .collect()
}

/// Records of a raw range, decoded (for callers that walk backwards).
pub fn decode_entries<V: Record>(t: Tbl, entries: Entries) -> Result<Vec<V>, StoreError> {
    entries.into_iter().map(|(_, v)| decode_in(t, &v)).collect()
}

/// Index values that are fixed-width ids or counters.
pub fn verify_len<const N: usize>(v: &[u8]) -> Result<(), CodecError> {
    if v.len() == N {
        Ok(())
    } else {
        Err(CodecError::Bincode(format!(
            "expected {N} bytes, found {}",
            v.len()
        )))
    }
}

pub fn table_name(t: Tbl) -> String {
    redb::TableHandle::name(&t).to_string()
}

/// The open store: the database, its writer and the post-commit event stream.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: Arc<Database>,
    writer: writer::WriterHandle,
    events: broadcast::Sender<Batch>,
    dir: PathBuf,
    tables: Vec<TableSpec>,
}

/// The page cache the store keeps in memory. redb's own default (1 GiB) would
/// make a bulk import grow the process to that size; the operating system's
/// file cache still holds the rest of the file.
pub const DEFAULT_CACHE_MB: usize = 8;

/// The server's writer runs ahead of the request threads: see `writer::first_in_line`.
pub const WRITER_NICE: i32 = -15;

/// A store with every table in a temporary folder, for unit tests.
#[cfg(test)]
pub fn temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = StoreOptions {
        max_batch: 64,
        cache_bytes: DEFAULT_CACHE_MB << 20,
        metrics: crate::metrics::Metrics::default(),
        writer_nice: 0,
    };
    let store = Store::open(dir.path(), &crate::schema::tables(), opts).expect("store");
    (dir, store)
}

pub struct StoreOptions {
    pub max_batch: usize,
    pub cache_bytes: usize,
    pub metrics: Metrics,
    /// The writer thread's `nice`; 0 leaves it as the process runs.
    pub writer_nice: i32,
}

impl Store {
    /// Opens (creating when absent) the store in `dir`, creates every table and
    /// runs pending migrations, then starts the writer thread.
    pub fn open(dir: &Path, tables: &[TableSpec], opts: StoreOptions) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)?;
        let db = Arc::new(
            Database::builder()
                .set_cache_size(opts.cache_bytes)
                .create(dir.join(DB_FILE))?,
        );
        migrate::run(&db, tables)?;
        let (events, _) = broadcast::channel(1024);
        let writer = writer::start(
            db.clone(),
            events.clone(),
            opts.max_batch,
            opts.writer_nice,
            opts.metrics,
        );
        Ok(Store {
            inner: Arc::new(Inner {
                db,
                writer,
                events,
                dir: dir.to_path_buf(),
                tables: tables.to_vec(),
            }),
        })
    }

    pub fn read(&self) -> Result<ReadTxn, StoreError> {
        Ok(ReadTxn(self.inner.db.begin_read()?))
    }

    /// Runs `job` in the writer's next group commit and answers after the commit.
    /// The job may run more than once (when another job of its batch fails), so it
    /// must only touch the store through `ctx`.
    pub async fn write<T, F>(&self, job: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx) -> ApiResult<T> + Send + 'static,
    {
        self.inner.writer.submit(job).await
    }

    /// Blocking variant for CLI commands and start-up code outside the runtime.
    pub fn write_blocking<T, F>(&self, job: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx) -> ApiResult<T> + Send + 'static,
    {
        self.inner.writer.submit_blocking(job)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Batch> {
        self.inner.events.subscribe()
    }

    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    pub fn tables(&self) -> &[TableSpec] {
        &self.inner.tables
    }

    /// Stops accepting writes, commits what is queued and waits for the writer.
    pub fn shutdown(&self) {
        self.inner.writer.shutdown();
    }
}
