//! Durable jobs: a table keyed by due time, drained by one runner that sleeps
//! until the earliest due job or until woken. A job survives restarts; a
//! failing job is retried with backoff and kept, with its error, when it gives up.
pub mod inspect;

pub use inspect::Running;
use std::{
    collections::{HashMap, HashSet},
    future::Future,
    pin::Pin,
    sync::Arc,
    time::Duration,
};

use redb::TableDefinition;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify};

use crate::{
    error::ApiError,
    store::{
        self, codec, ids::RecordId, Key, Reader, Record, Store, StoreError, TableSpec, Tbl,
        WriteCtx,
    },
    time::now_ms,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: RecordId,
    pub kind: String,
    /// JSON arguments for the job's handler.
    pub payload: String,
    pub attempts: u32,
    pub max_attempts: u32,
    pub due_at: i64,
    pub last_error: Option<String>,
    /// When a run of this job (or, for a periodic job, of its predecessor) last ended.
    pub last_run_at: Option<i64>,
}

impl Record for Job {
    const VERSION: u8 = 2;

    fn upgrade(version: u8, body: &[u8]) -> Result<Self, codec::CodecError> {
        match version {
            1 => {
                let old: JobV1 = codec::decode_body(body)?;
                Ok(Job {
                    id: old.id,
                    kind: old.kind,
                    payload: old.payload,
                    attempts: old.attempts,
                    max_attempts: old.max_attempts,
                    due_at: old.due_at,
                    last_error: old.last_error,
                    last_run_at: None,
                })
            }
            v => Err(codec::CodecError::NoUpgrade(v)),
        }
    }
}

/// A job as stored before `last_run_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct JobV1 {
    id: RecordId,
    kind: String,
    payload: String,
    attempts: u32,
    max_attempts: u32,
    due_at: i64,
    last_error: Option<String>,
}

/// (due time, job) → Job
const JOBS: Tbl = TableDefinition::new("jobs");
/// (job) → Job: jobs that gave up, for operators to inspect and retry.
const FAILED: Tbl = TableDefinition::new("jobs_failed");

pub const TABLES: &[TableSpec] = &[
    TableSpec {
        def: JOBS,
        verify: codec::verify::<Job>,
    },
    TableSpec {
        def: FAILED,
        verify: codec::verify::<Job>,
    },
];

fn key(j: &Job) -> Vec<u8> {
    Key::new().i64(j.due_at).id(j.id.bytes()).done()
}

/// Schedules a periodic job's first run, `in_ms` from now, unless one is
/// pending (called at start: exactly one is ever pending).
pub fn ensure_periodic(ctx: &mut WriteCtx, kind: &str, in_ms: i64) -> Result<(), StoreError> {
    if pending(ctx, usize::MAX)?.iter().any(|j| j.kind == kind) {
        return Ok(());
    }
    schedule(ctx, kind, &serde_json::json!({}), now_ms() + in_ms, 3)?;
    Ok(())
}

/// The end of a periodic job's run: the next run, `after_ms` from now, is
/// written before this one counts as done (else the job is retried).
pub async fn again_in(store: &Store, kind: &'static str, after_ms: i64) -> Outcome {
    let next = store
        .write(move |ctx| {
            let now = now_ms();
            let mut job = schedule(ctx, kind, &serde_json::json!({}), now + after_ms, 3)?;
            // The operators' view shows when the periodic job last ran.
            job.last_run_at = Some(now);
            ctx.put(JOBS, &key(&job), &job)?;
            Ok(())
        })
        .await;
    match next {
        Ok(()) => Outcome::Done,
        Err(e) => Outcome::Retry(e.message),
    }
}

pub fn schedule(
    ctx: &mut WriteCtx,
    kind: &str,
    payload: &serde_json::Value,
    due_at: i64,
    max_attempts: u32,
) -> Result<Job, StoreError> {
    let job = Job {
        id: RecordId::new(),
        kind: kind.to_string(),
        payload: payload.to_string(),
        attempts: 0,
        max_attempts: max_attempts.max(1),
        due_at,
        last_error: None,
        last_run_at: None,
    };
    ctx.put(JOBS, &key(&job), &job)?;
    ctx.emit(crate::events::Event::new(
        None,
        SCHEDULED,
        serde_json::json!({}),
    ));
    Ok(job)
}

/// The internal event a committed new job announces, so the runner wakes.
pub const SCHEDULED: &str = "jobs.scheduled";

pub fn pending<R: Reader + ?Sized>(r: &R, limit: usize) -> Result<Vec<Job>, StoreError> {
    store::records::<Job, _>(r, JOBS, &[], limit)
}

pub fn failed<R: Reader + ?Sized>(r: &R, limit: usize) -> Result<Vec<Job>, StoreError> {
    store::records::<Job, _>(r, FAILED, &[], limit)
}

/// Puts failed jobs of `kind` whose payload mentions `needle` back in line,
/// due now with fresh attempts (the cause of their failure was fixed).
pub fn revive(ctx: &mut WriteCtx, kind: &str, needle: &str) -> Result<usize, StoreError> {
    let dead = store::scan::<Job, _>(ctx, FAILED, &[], None, usize::MAX)?;
    let mut revived = 0;
    for (k, job) in dead {
        if job.kind != kind || !job.payload.contains(needle) {
            continue;
        }
        ctx.delete(FAILED, &k)?;
        let again = Job {
            attempts: 0,
            due_at: now_ms(),
            ..job
        };
        ctx.put(JOBS, &key(&again), &again)?;
        revived += 1;
    }
    Ok(revived)
}

/// Drops pending and failed jobs of `kind` whose payload mentions `needle`
/// (their subject was erased); returns how many.
pub fn forget(ctx: &mut WriteCtx, kind: &str, needle: &str) -> Result<usize, StoreError> {
    let mut n = 0;
    for t in [JOBS, FAILED] {
        for (k, job) in store::scan::<Job, _>(ctx, t, &[], None, usize::MAX)? {
            if job.kind == kind && job.payload.contains(needle) {
                ctx.delete(t, &k)?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// The wait before the next try after `attempts` failed ones: doubling from
/// a second, at most ten minutes.
pub fn backoff_ms(attempts: u32) -> i64 {
    (1_000i64 << attempts.min(10)).min(600_000)
}

/// How a job ended this time.
pub enum Outcome {
    Done,
    /// Try again later (after the backoff), unless attempts are used up.
    Retry(String),
    /// Try again no sooner than this many ms (the service said when).
    RetryAfter(String, i64),
    /// Give up now.
    Fail(String),
}

pub type Handler = Arc<dyn Fn(Job) -> Pin<Box<dyn Future<Output = Outcome> + Send>> + Send + Sync>;

fn settle(ctx: &mut WriteCtx, job: &Job, outcome: &Outcome) -> Result<(), StoreError> {
    ctx.delete(JOBS, &key(job))?;
    match outcome {
        Outcome::Done => Ok(()),
        Outcome::Retry(e) | Outcome::RetryAfter(e, _) if job.attempts + 1 < job.max_attempts => {
            let asked = match outcome {
                Outcome::RetryAfter(_, ms) => *ms,
                _ => 0,
            };
            let backoff = backoff_ms(job.attempts).max(asked);
            let next = Job {
                attempts: job.attempts + 1,
                due_at: now_ms() + backoff,
                last_error: Some(e.clone()),
                last_run_at: Some(now_ms()),
                ..job.clone()
            };
            ctx.put(JOBS, &key(&next), &next)
        }
        Outcome::Retry(e) | Outcome::RetryAfter(e, _) | Outcome::Fail(e) => {
            let dead = Job {
                attempts: job.attempts + 1,
                last_error: Some(e.clone()),
                last_run_at: Some(now_ms()),
                ..job.clone()
            };
            ctx.put(FAILED, &Key::new().id(job.id.bytes()).done(), &dead)
        }
    }
}

pub struct Scheduler {
    store: Store,
    handlers: HashMap<&'static str, Handler>,
    wake: Arc<Notify>,
    running: Running,
}

const CONCURRENCY: usize = 8;

impl Scheduler {
    /// `running` is shared with the operators' view of the jobs.
    pub fn new(store: Store, wake: Arc<Notify>, running: Running) -> Scheduler {
        Scheduler {
            store,
            handlers: HashMap::new(),
            wake,
            running,
        }
    }

    pub fn handle(&mut self, kind: &'static str, handler: Handler) {
        self.handlers.insert(kind, handler);
    }

    pub async fn run(self) {
        let (store, wake) = (self.store.clone(), self.wake.clone());
        tokio::spawn(async move {
            let mut events = store.subscribe();
            loop {
                match events.recv().await {
                    Ok(batch) if batch.iter().any(|e| e.kind == SCHEDULED) => wake.notify_one(),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => wake.notify_one(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<RecordId>();
        let mut running: HashSet<RecordId> = HashSet::new();
        loop {
            let now = now_ms();
            let jobs = self
                .store
                .read()
                .map_err(ApiError::from)
                .and_then(|r| Ok(pending(&r, 256)?));
            let mut next_due = None;
            for job in jobs.unwrap_or_default() {
                if job.due_at > now {
                    next_due = Some(job.due_at);
                    break;
                }
                if running.contains(&job.id) || running.len() >= CONCURRENCY {
                    continue;
                }
                running.insert(job.id);
                self.running.set(&running);
                let handler = self.handlers.get(job.kind.as_str()).cloned();
                let (store, done) = (self.store.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let id = job.id;
                    let outcome = match handler {
                        Some(h) => h(job.clone()).await,
                        None => Outcome::Fail(format!("no handler for job kind `{}`", job.kind)),
                    };
                    if let Err(e) = store
                        .write(move |ctx| Ok(settle(ctx, &job, &outcome)?))
                        .await
                    {
                        tracing::error!("settling job {id} failed: {e}");
                    }
                    let _ = done.send(id);
                });
            }
            let sleep = next_due
                .map(|t| Duration::from_millis((t - now_ms()).clamp(0, 60_000) as u64))
                .unwrap_or(Duration::from_secs(60));
            tokio::select! {
                _ = self.wake.notified() => {}
                Some(id) = done_rx.recv() => { running.remove(&id); }
                _ = tokio::time::sleep(sleep) => {}
            }
            while let Ok(id) = done_rx.try_recv() {
                running.remove(&id);
            }
            self.running.set(&running);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_retry_waits_as_long_as_the_service_asked_never_less_than_the_backoff() {
        let (_dir, store) = crate::store::temp();
        let due = |outcome: Outcome| {
            let store = store.clone();
            async move {
                store
                    .write(move |ctx| {
                        let job = schedule(ctx, "push_send", &serde_json::json!({}), 0, 10)?;
                        settle(ctx, &job, &outcome)?;
                        Ok(pending(ctx, 10)?
                            .into_iter()
                            .find(|j| j.id == job.id)
                            .map(|j| j.due_at))
                    })
                    .await
                    .expect("settled")
                    .expect("still pending")
            }
        };
        let asked = due(Outcome::RetryAfter("429".into(), 120_000)).await - now_ms();
        assert!((110_000..=121_000).contains(&asked), "waits {asked} ms");
        let backoff = due(Outcome::RetryAfter("429".into(), 10)).await - now_ms();
        assert!((0..=1_100).contains(&backoff), "waits {backoff} ms");
    }
}
