//! The operators' view of the durable jobs: every pending and given-up job,
//! which are running now, and a retry that makes one due at once.
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use super::{key, Job, FAILED, JOBS, SCHEDULED};
use crate::{
    store::{self, ids::RecordId, Key, Reader, StoreError, WriteCtx},
    time::now_ms,
};

/// The ids the runner has in hand right now (shared, read by the admin API).
#[derive(Clone, Default)]
pub struct Running(Arc<Mutex<HashSet<RecordId>>>);

impl Running {
    pub(super) fn set(&self, ids: &HashSet<RecordId>) {
        if let Ok(mut r) = self.0.lock() {
            r.clone_from(ids);
        }
    }

    pub fn contains(&self, id: RecordId) -> bool {
        self.0.lock().is_ok_and(|r| r.contains(&id))
    }
}

/// Where a job is: waiting for its time, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Pending,
    Failed,
}

/// Every pending job (earliest due first), then every job that gave up.
pub fn all<R: Reader + ?Sized>(r: &R) -> Result<Vec<(Place, Job)>, StoreError> {
    let mut out: Vec<(Place, Job)> = super::pending(r, usize::MAX)?
        .into_iter()
        .map(|j| (Place::Pending, j))
        .collect();
    out.extend(
        super::failed(r, usize::MAX)?
            .into_iter()
            .map(|j| (Place::Failed, j)),
    );
    Ok(out)
}

/// Makes the job due now: a pending one moves up, a given-up one comes back
/// with fresh attempts. None when no such job exists (it ran meanwhile).
pub fn retry(ctx: &mut WriteCtx, id: RecordId) -> Result<Option<Job>, StoreError> {
    let failed_key = Key::new().id(id.bytes()).done();
    let (old_key, job) = match store::get::<Job, _>(ctx, FAILED, &failed_key)? {
        Some(j) => {
            ctx.delete(FAILED, &failed_key)?;
            (None, Job { attempts: 0, ..j })
        }
        None => {
            // Pending jobs are keyed by due time: find it by id.
            let found = store::scan::<Job, _>(ctx, JOBS, &[], None, usize::MAX)?
                .into_iter()
                .find(|(_, j)| j.id == id);
            match found {
                Some((k, j)) => (Some(k), j),
                None => return Ok(None),
            }
        }
    };
    if let Some(k) = old_key {
        ctx.delete(JOBS, &k)?;
    }
    let again = Job {
        due_at: now_ms(),
        ..job
    };
    ctx.put(JOBS, &key(&again), &again)?;
    ctx.emit(crate::events::Event::new(
        None,
        SCHEDULED,
        serde_json::json!({}),
    ));
    Ok(Some(again))
}

#[cfg(test)]
mod tests {
    use super::super::JobV1;
    use crate::store::codec;

    #[test]
    fn a_job_stored_before_last_run_reads_as_never_run() {
        let old = JobV1 {
            id: crate::store::ids::RecordId::new(),
            kind: "audit_prune".into(),
            payload: "{}".into(),
            attempts: 2,
            max_attempts: 3,
            due_at: 1_700_000_000_000,
            last_error: Some("disk full".into()),
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let job: super::Job = codec::decode(&bytes).unwrap();
        assert_eq!(job.last_run_at, None);
        assert_eq!((job.id, job.attempts, job.due_at), (old.id, 2, old.due_at));
        assert_eq!(job.last_error.as_deref(), Some("disk full"));
        assert_eq!(
            codec::decode::<super::Job>(&codec::encode(&job)).unwrap(),
            job
        );
    }
}
