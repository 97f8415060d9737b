//! Retention: a durable daily job deletes entries older than
//! `audit.retention_days` in batches, then schedules its next run, so exactly
//! one is ever pending and a restart resumes it.
use std::sync::Arc;

use super::repo;
use crate::{
    error::ApiResult,
    scheduler::{self, Handler, Job, Outcome},
    store::{Store, StoreError, WriteCtx},
    time::now_ms,
};

pub const JOB_KIND: &str = "audit_prune";
const DAY_MS: i64 = 86_400_000;
/// Entries deleted per write: one short transaction each, so the writer
/// keeps serving requests between batches of a large first prune.
pub const BATCH: usize = 1_000;

/// Schedules the first prune unless one is pending (called at start).
pub fn ensure_scheduled(ctx: &mut WriteCtx) -> Result<(), StoreError> {
    scheduler::ensure_periodic(ctx, JOB_KIND, 5 * 60_000)
}

/// Deletes every entry older than `retention_days` (0 keeps everything);
/// the number deleted.
pub async fn prune(store: &Store, retention_days: u32) -> ApiResult<usize> {
    if retention_days == 0 {
        return Ok(0);
    }
    let cutoff = now_ms() - i64::from(retention_days) * DAY_MS;
    let mut total = 0;
    loop {
        let n = store
            .write(move |ctx| Ok(repo::prune_batch(ctx, cutoff, BATCH)?))
            .await?;
        total += n;
        if n < BATCH {
            return Ok(total);
        }
    }
}

pub fn handler(store: Store, retention_days: u32) -> Handler {
    Arc::new(move |_job: Job| {
        let store = store.clone();
        Box::pin(async move {
            match prune(&store, retention_days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("audit log: {n} entries past retention deleted"),
                Err(e) => return Outcome::Retry(e.message),
            }
            scheduler::again_in(&store, JOB_KIND, DAY_MS).await
        })
    })
}
