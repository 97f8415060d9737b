//! The one writer. Handlers queue jobs; the writer thread drains the queue,
//! applies the jobs in one write transaction (taking in those that arrive
//! meanwhile, for a moment), commits once with
//! `Durability::Immediate`, then hands the answers and events to the herald
//! thread, which delivers them in commit order. One fsync serves the whole
//! batch: that is what keeps "durable before 200" cheap.
use std::{
    any::Any,
    cell::RefCell,
    collections::HashMap,
    ops::Bound,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use redb::{
    Database, Durability, ReadableDatabase, ReadableTable, Table, TableHandle, WriteTransaction,
};
use tokio::sync::{broadcast, oneshot};

use super::{
    codec, collect_range,
    herald::{Announcement, Herald},
    Reader, Record, StoreError, Tbl,
};
use crate::{
    error::{ApiError, ApiResult},
    events::Event,
    metrics::Metrics,
};

pub(super) type Output = Box<dyn Any + Send>;
type Job = Box<dyn FnMut(&mut WriteCtx) -> ApiResult<Output> + Send>;

struct Command {
    job: Job,
    reply: Reply,
}

pub(super) enum Reply {
    Async(oneshot::Sender<ApiResult<Output>>),
    Blocking(mpsc::SyncSender<ApiResult<Output>>),
}

impl Reply {
    pub(super) fn send(self, result: ApiResult<Output>) {
        // A waiter that went away (client disconnected) simply misses its answer;
        // the write itself is committed either way.
        match self {
            Reply::Async(tx) => {
                let _ = tx.send(result);
            }
            Reply::Blocking(tx) => {
                let _ = tx.send(result);
            }
        }
    }
}

/// The tables a batch has opened, by name. A batch opens a dozen or two, and
/// every store operation looks one up, so a short list compared by name
/// beats hashing the name each time.
type OpenTables<'a> = RefCell<Vec<(String, Table<'a, &'static [u8], &'static [u8]>)>>;

/// What a job sees: the batch's write transaction (reads see earlier jobs'
/// writes) and a place to put events that go out after the commit. Tables stay
/// open for the whole batch: opening and closing one per operation would
/// rewrite the table tree each time.
pub struct WriteCtx<'a, 't> {
    tx: &'t WriteTransaction,
    tables: &'a OpenTables<'t>,
    events: Vec<Event>,
    counters: Counters,
}

/// Counter changes of a batch, summed per key and applied once before the
/// commit: an import batch of 500 leads moves the same few dashboard and
/// usage counters 2,500 times, and every inbound message the day's usage.
#[derive(Default)]
struct Counters(HashMap<(String, Vec<u8>), (Tbl, i64)>);

impl Counters {
    fn add(&mut self, t: Tbl, key: Vec<u8>, delta: i64) {
        let entry = self.0.entry((t.name().to_string(), key)).or_insert((t, 0));
        entry.1 = entry.1.saturating_add(delta);
    }

    fn absorb(&mut self, job: Counters) {
        for ((_, key), (t, delta)) in job.0 {
            self.add(t, key, delta);
        }
    }

    /// A counter is a u64 (little-endian); one that reaches zero is removed.
    fn apply(self, ctx: &mut WriteCtx) -> Result<(), StoreError> {
        for ((_, key), (t, delta)) in self.0 {
            if delta == 0 {
                continue;
            }
            let now = ctx
                .get_raw(t, &key)?
                .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
                .map_or(0, u64::from_le_bytes);
            match now.saturating_add_signed(delta) {
                0 => ctx.delete(t, &key).map(|_| ())?,
                next => ctx.put_raw(t, &key, &next.to_le_bytes())?,
            }
        }
        Ok(())
    }
}

impl WriteCtx<'_, '_> {
    fn with_table<R>(
        &self,
        t: Tbl,
        f: impl FnOnce(&mut Table<'_, &'static [u8], &'static [u8]>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut open = self.tables.borrow_mut();
        let name = t.name();
        let at = match open.iter().position(|(n, _)| *n == name) {
            Some(at) => at,
            None => {
                open.push((name.to_string(), self.tx.open_table(t)?));
                open.len() - 1
            }
        };
        f(&mut open[at].1)
    }

    pub fn put<V: Record>(&mut self, t: Tbl, key: &[u8], value: &V) -> Result<(), StoreError> {
        self.put_raw(t, key, &codec::encode(value))
    }

    pub fn put_raw(&mut self, t: Tbl, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.with_table(t, |table| {
            table.insert(key, value)?;
            Ok(())
        })
    }

    /// Like `put`, and tells whether the key was new (no extra read).
    pub fn put_new<V: Record>(
        &mut self,
        t: Tbl,
        key: &[u8],
        value: &V,
    ) -> Result<bool, StoreError> {
        let bytes = codec::encode(value);
        self.with_table(t, |table| {
            Ok(table.insert(key, bytes.as_slice())?.is_none())
        })
    }

    pub fn delete(&mut self, t: Tbl, key: &[u8]) -> Result<bool, StoreError> {
        self.with_table(t, |table| Ok(table.remove(key)?.is_some()))
    }

    /// Deletes every key under `prefix` (at most `limit`); returns how many.
    pub fn delete_prefix(
        &mut self,
        t: Tbl,
        prefix: &[u8],
        limit: usize,
    ) -> Result<usize, StoreError> {
        let keys = super::scan_keys(self, t, prefix, None, limit)?;
        for k in &keys {
            self.delete(t, k)?;
        }
        Ok(keys.len())
    }

    /// The file's space accounting as of this transaction (free-page scrubs).
    pub fn stats(&self) -> Result<redb::DatabaseStats, StoreError> {
        Ok(self.tx.stats()?)
    }

    pub fn emit(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Adds `delta` to the u64 counter at `key`, at the end of the batch. A
    /// job never reads the counters it moves: the total shows after the commit.
    pub fn add_to_counter(&mut self, t: Tbl, key: &[u8], delta: i64) {
        self.counters.add(t, key.to_vec(), delta);
    }
}

impl Reader for WriteCtx<'_, '_> {
    fn get_raw(&self, t: Tbl, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with_table(t, |table| Ok(table.get(key)?.map(|v| v.value().to_vec())))
    }

    fn range_raw(
        &self,
        t: Tbl,
        start: Bound<&[u8]>,
        end: Bound<&[u8]>,
        limit: usize,
        rev: bool,
    ) -> Result<super::Entries, StoreError> {
        self.with_table(t, |table| collect_range(table, start, end, limit, rev))
    }
}

pub struct WriterHandle {
    queue: Mutex<Option<mpsc::Sender<Command>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

pub fn start(
    db: Arc<Database>,
    events: broadcast::Sender<crate::events::Batch>,
    max_batch: usize,
    nice: i32,
    metrics: Metrics,
) -> WriterHandle {
    let (tx, rx) = mpsc::channel::<Command>();
    let thread = std::thread::Builder::new()
        .name("wafunnel-writer".into())
        .spawn(move || {
            first_in_line(nice);
            run(&db, &rx, &events, max_batch.max(1), &metrics)
        })
        .ok();
    WriterHandle {
        queue: Mutex::new(Some(tx)),
        thread: Mutex::new(thread),
    }
}

/// Every webhook, reply and import waits on this one thread, and under a
/// flood it waits mostly in the run queue behind the request threads that
/// feed it: at 128 connections on two cores the writer spent a third of its
/// time runnable but not running. Ahead of them (nice -15 against the
/// default 0) the product path took 10 % more webhooks a second (median of
/// seven alternating pairs, BENCHMARKS.md).
/// It is one thread, so it never holds more than one core; on a single core
/// it would starve the requests, so there it stays level with them. Lowering
/// `nice` needs CAP_SYS_NICE or RLIMIT_NICE (the systemd unit sets
/// `LimitNICE`); without either the writer runs at the default and says so.
fn first_in_line(nice: i32) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if nice == 0 || cores < 2 {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(Some(rustix::thread::gettid()), nice) {
        tracing::info!(
            "the writer runs at the default priority ({e}): allow nice {nice} with LimitNICE or CAP_SYS_NICE, or set writer.nice = 0"
        );
    }
}

fn boxed<T, F>(mut job: F) -> Job
where
    T: Send + 'static,
    F: FnMut(&mut WriteCtx) -> ApiResult<T> + Send + 'static,
{
    Box::new(move |ctx| job(ctx).map(|v| Box::new(v) as Output))
}

fn unbox<T: 'static>(out: ApiResult<Output>) -> ApiResult<T> {
    out?.downcast::<T>()
        .map(|b| *b)
        .map_err(|_| ApiError::internal("writer returned an unexpected type"))
}

impl WriterHandle {
    fn enqueue(&self, cmd: Command) -> Result<(), StoreError> {
        let guard = self.queue.lock().map_err(|_| StoreError::WriterGone)?;
        let queue = guard.as_ref().ok_or(StoreError::WriterGone)?;
        queue.send(cmd).map_err(|_| StoreError::WriterGone)
    }

    pub async fn submit<T, F>(&self, job: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx) -> ApiResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.enqueue(Command {
            job: boxed(job),
            reply: Reply::Async(tx),
        })?;
        unbox(rx.await.map_err(|_| StoreError::WriterGone)?)
    }

    pub fn submit_blocking<T, F>(&self, job: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&mut WriteCtx) -> ApiResult<T> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        self.enqueue(Command {
            job: boxed(job),
            reply: Reply::Blocking(tx),
        })?;
        unbox(rx.recv().map_err(|_| StoreError::WriterGone)?)
    }

    /// Closes the queue; the writer commits what is already queued, then exits.
    pub fn shutdown(&self) {
        if let Ok(mut q) = self.queue.lock() {
            q.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

fn run(
    db: &Database,
    rx: &mpsc::Receiver<Command>,
    events: &broadcast::Sender<crate::events::Batch>,
    max_batch: usize,
    metrics: &Metrics,
) {
    let mut seq = match db.begin_read().map(super::ReadTxn) {
        Ok(read) => commit_seq(&read).unwrap_or(0),
        Err(e) => {
            tracing::error!("writer: reading the commit sequence: {e}");
            0
        }
    };
    let herald = Herald::start(events.clone());
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(cmd) => batch.push(cmd),
                Err(_) => break,
            }
        }
        if commit_batch(db, batch, rx, max_batch, seq + 1, &herald, metrics) {
            seq += 1;
        }
    }
    herald.stop();
    tracing::debug!("writer stopped");
}

const COMMIT_SEQ_KEY: &[u8] = b"commit_seq";

/// How many commits the writer has made, as of the snapshot `r` reads: the
/// `seq` of the last `events::Committed` that snapshot holds.
pub fn commit_seq<R: Reader + ?Sized>(r: &R) -> Result<u64, StoreError> {
    Ok(r.get_raw(super::migrate::META, COMMIT_SEQ_KEY)?
        .and_then(|v| <[u8; 8]>::try_from(v.as_slice()).ok())
        .map_or(0, u64::from_be_bytes))
}

/// Applies the batch in one transaction. A failing job must leave no trace, so
/// when any job fails the transaction is dropped, that job is answered with its
/// error, and the rest of the batch is applied again in a fresh transaction.
/// True when a transaction numbered `seq` was committed.
fn commit_batch(
    db: &Database,
    mut batch: Vec<Command>,
    queue: &mpsc::Receiver<Command>,
    max_batch: usize,
    seq: u64,
    herald: &Herald,
    metrics: &Metrics,
) -> bool {
    while !batch.is_empty() {
        let started = Instant::now();
        let tx = match begin(db) {
            Ok(tx) => tx,
            Err(e) => return fail_all(batch, e),
        };
        let more = Extension {
            queue,
            max_batch,
            until: started + EXTEND_FOR,
        };
        let (outputs, published, failed) = match apply(&tx, &mut batch, &more, seq) {
            Ok(applied) => applied,
            Err(e) => return fail_all(batch, e),
        };
        if !failed.is_empty() {
            drop(tx);
            for (i, err) in failed.into_iter().rev() {
                batch.remove(i).reply.send(Err(err));
            }
            continue;
        }
        if let Err(e) = tx.commit() {
            let lost_disk = matches!(&e, redb::CommitError::Storage(s) if disk_failed(s));
            fail_all(batch, StoreError::from(e));
            if lost_disk {
                stop_for_a_fresh_store();
            }
            return false;
        }
        metrics.record_commit(batch.len(), started.elapsed());
        herald.announce(Announcement {
            replies: batch
                .into_iter()
                .map(|cmd| cmd.reply)
                .zip(outputs)
                .collect(),
            events: (!published.is_empty()).then(|| {
                Arc::new(crate::events::Committed {
                    seq,
                    events: published,
                })
            }),
        });
        return true;
    }
    false
}

type Applied = (Vec<Output>, Vec<Event>, Vec<(usize, ApiError)>);

/// Jobs that arrive while a batch is being applied join it, up to
/// `EXTEND_FOR` after the transaction began: they would otherwise wait for
/// this commit and then pay for a commit of their own.
const EXTEND_FOR: Duration = Duration::from_millis(2);

struct Extension<'q> {
    queue: &'q mpsc::Receiver<Command>,
    max_batch: usize,
    until: Instant,
}

impl Extension<'_> {
    fn next(&self, batch_len: usize) -> Option<Command> {
        if batch_len >= self.max_batch || Instant::now() >= self.until {
            return None;
        }
        self.queue.try_recv().ok()
    }
}

fn apply(
    tx: &WriteTransaction,
    batch: &mut Vec<Command>,
    more: &Extension,
    seq: u64,
) -> Result<Applied, StoreError> {
    let tables: OpenTables = RefCell::new(Vec::new());
    let mut outputs = Vec::with_capacity(batch.len());
    let mut published = Vec::new();
    let mut failed = Vec::new();
    let mut counters = Counters::default();
    let mut i = 0;
    loop {
        if i == batch.len() {
            // After a failure the batch is applied again anyway: take no more.
            let next = if failed.is_empty() {
                more.next(i)
            } else {
                None
            };
            match next {
                Some(cmd) => batch.push(cmd),
                None => break,
            }
        }
        let cmd = &mut batch[i];
        let mut ctx = WriteCtx {
            tx,
            tables: &tables,
            events: Vec::new(),
            counters: Counters::default(),
        };
        let result = catch_unwind(AssertUnwindSafe(|| (cmd.job)(&mut ctx)))
            .unwrap_or_else(|_| Err(ApiError::internal("a write job panicked")));
        match result {
            Ok(out) => {
                outputs.push(out);
                published.append(&mut ctx.events);
                counters.absorb(ctx.counters);
            }
            Err(e) => failed.push((i, e)),
        }
        i += 1;
    }
    if failed.is_empty() {
        let mut ctx = WriteCtx {
            tx,
            tables: &tables,
            events: Vec::new(),
            counters: Counters::default(),
        };
        counters.apply(&mut ctx)?;
        ctx.put_raw(super::migrate::META, COMMIT_SEQ_KEY, &seq.to_be_bytes())?;
    }
    Ok((outputs, published, failed))
}

fn begin(db: &Database) -> Result<WriteTransaction, StoreError> {
    let mut tx = db.begin_write()?;
    tx.set_durability(Durability::Immediate)?;
    Ok(tx)
}

/// A write the disk refused (full, failing): redb refuses every later
/// transaction until the file is opened again.
fn disk_failed(e: &redb::StorageError) -> bool {
    matches!(
        e,
        redb::StorageError::Io(_) | redb::StorageError::PreviousIo
    )
}

/// Nothing can be read or written until the store is reopened, so the process
/// stops (status 1) for its service manager to start it again; staying up
/// would answer every request with an error while looking healthy. Every
/// acknowledged write is on disk already.
fn stop_for_a_fresh_store() -> ! {
    tracing::error!(
        "the store could not write to disk; wafunnel stops so that it starts again with the store reopened (free disk space first)"
    );
    std::process::exit(1)
}

fn fail_all(batch: Vec<Command>, err: StoreError) -> bool {
    tracing::error!("write batch failed: {err}");
    let api: ApiError = err.into();
    for cmd in batch {
        cmd.reply.send(Err(api.clone()));
    }
    false
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
