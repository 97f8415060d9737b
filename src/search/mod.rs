//! Full-text search over messages, notes and contacts (tantivy).
//!
//! The index is derived data under `<data_dir>/search`: the indexer thread
//! follows committed events, commits at least twice a second, and writes a
//! watermark into each commit so that after a crash it re-indexes whatever
//! changed since. `wafunnel reindex` (or a schema change) rebuilds it from the
//! store. Queries always re-check the scope against the store: the index only
//! narrows, it never decides who may see a hit.
mod covered;
pub mod docs;
pub mod indexer;
mod merge;
pub mod query;
pub mod routes;
pub mod schema;
pub mod snippet;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use serde::{Deserialize, Serialize};
use tantivy::{directory::MmapDirectory, Index, IndexReader, ReloadPolicy};

use crate::{
    error::{ApiError, ApiResult},
    store::ids::ConversationId,
};
use schema::Fields;

/// Memory the indexer may buffer before it flushes a segment: small, since a
/// cheap VPS runs imports, webhooks and the index in one process.
const WRITER_HEAP_BYTES: usize = 15_000_000;

/// Merges are where the index's memory peaks (tantivy defaults to four at
/// once): one at a time, each bounded by `merge::BoundedMerges`.
const MERGE_THREADS: usize = 1;

/// What each commit records, so the next start knows what the index holds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Payload {
    pub schema: u32,
    /// Everything the store committed before this time (ms) is indexed.
    pub watermark: i64,
    /// False while a rebuild is under way.
    pub complete: bool,
}

#[derive(Default)]
pub struct Stats {
    pub last_commit_ms: i64,
    pub docs_indexed: u64,
    pub rebuilding: bool,
    /// Changes received but not yet committed to the index, and when the
    /// oldest of them arrived (wall ms): the operators' search lag.
    pub pending: usize,
    pub pending_since_ms: Option<i64>,
}

struct Inner {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    stats: Mutex<Stats>,
    indexer: Mutex<Option<indexer::Running>>,
}

#[derive(Clone)]
pub struct Search {
    inner: Arc<Inner>,
}

pub fn error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("search index: {e}"))
}

impl Search {
    /// Opens the index in `<data_dir>/search`, creating it (or replacing one of
    /// another schema version) when needed.
    pub fn open(data_dir: &Path) -> ApiResult<Search> {
        let dir = data_dir.join("search");
        let (schema, fields) = schema::build();
        let existing = dir.join("meta.json").exists();
        let index = match existing.then(|| Index::open_in_dir(&dir)) {
            Some(Ok(index)) if index.schema() == schema => index,
            _ => {
                // Another version's (or a broken) index: it is derived, rebuild it.
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).map_err(error)?;
                let directory = MmapDirectory::open(&dir).map_err(error)?;
                Index::create(directory, schema, Default::default()).map_err(error)?
            }
        };
        index
            .tokenizers()
            .register(schema::ANALYZER, schema::analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(error)?;
        Ok(Search {
            inner: Arc::new(Inner {
                dir,
                index,
                reader,
                fields,
                stats: Mutex::new(Stats::default()),
                indexer: Mutex::new(None),
            }),
        })
    }

    pub fn fields(&self) -> &Fields {
        &self.inner.fields
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.inner.reader.searcher()
    }

    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Live documents (messages, notes, cards) of these conversations in the
    /// last committed index: an erasure is done with search when this is 0.
    pub fn documents_of(&self, conversations: &[ConversationId]) -> ApiResult<usize> {
        let mut n = 0;
        let searcher = self.searcher();
        for &c in conversations {
            let q = tantivy::query::TermQuery::new(
                schema::conversation_term(&self.inner.fields, c),
                tantivy::schema::IndexRecordOption::Basic,
            );
            n += searcher
                .search(&q, &tantivy::collector::Count)
                .map_err(error)?;
        }
        Ok(n)
    }

    /// Rewrites the segments that hold deleted documents, so an erased
    /// conversation's words leave the files too (a delete alone only hides them).
    pub(crate) fn purge_deleted(&self, writer: &mut tantivy::IndexWriter) -> ApiResult<()> {
        let segments: Vec<_> = self
            .inner
            .index
            .searchable_segment_metas()
            .map_err(error)?
            .into_iter()
            .filter(|m| m.has_deletes())
            .map(|m| m.id())
            .collect();
        if segments.is_empty() {
            return Ok(());
        }
        writer.merge(&segments).wait().map_err(error)?;
        writer.garbage_collect_files().wait().map_err(error)?;
        self.reload();
        Ok(())
    }

    /// What the last commit recorded (default: nothing indexed yet).
    pub fn payload(&self) -> Payload {
        self.inner
            .index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| serde_json::from_str(&p).ok())
            .filter(|p: &Payload| p.schema == schema::SCHEMA_VERSION)
            .unwrap_or_default()
    }

    fn writer(&self) -> ApiResult<tantivy::IndexWriter> {
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(WRITER_HEAP_BYTES)
            .num_worker_threads(1)
            .num_merge_threads(MERGE_THREADS)
            .build();
        let writer = self
            .inner
            .index
            .writer_with_options(options)
            .map_err(error)?;
        writer.set_merge_policy(Box::new(merge::BoundedMerges));
        Ok(writer)
    }

    fn reload(&self) {
        if let Err(e) = self.inner.reader.reload() {
            tracing::warn!("search reader reload: {e}");
        }
    }

    pub fn with_stats<T>(&self, f: impl FnOnce(&mut Stats) -> T) -> T {
        let mut guard = match self.inner.stats.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Starts the indexer thread: it first brings the index up to date with
    /// the store, then follows committed events.
    pub fn start(&self, store: crate::store::Store) -> ApiResult<()> {
        let running = indexer::spawn(self.clone(), store)?;
        if let Ok(mut slot) = self.inner.indexer.lock() {
            *slot = Some(running);
        }
        Ok(())
    }

    /// Asks a running indexer to rebuild everything from the store.
    pub fn request_rebuild(&self) -> bool {
        match self.inner.indexer.lock() {
            Ok(slot) => slot.as_ref().is_some_and(|r| r.rebuild()),
            Err(_) => false,
        }
    }

    /// Flushes what is pending and stops the indexer (the server's shutdown).
    pub fn shutdown(&self) {
        let running = self.inner.indexer.lock().ok().and_then(|mut s| s.take());
        if let Some(r) = running {
            r.stop();
        }
    }
}

/// `wafunnel reindex` without a running server: rebuilds in this process.
pub fn reindex_offline(store: &crate::store::Store) -> ApiResult<String> {
    let search = Search::open(store.dir())?;
    let n = indexer::rebuild(&search, store)?;
    Ok(format!("search index rebuilt: {n} documents\n"))
}
