//! Retention: the durable daily job deletes what is older than
//! `audit.retention_days`, in batches, and schedules its next run.
use serde_json::json;
use wafunnel::{
    audit::{self, Action, Note, Who},
    time::now_ms,
};

use super::{items, seed};
use crate::common::Harness;

#[tokio::test]
async fn retention_prunes_old_entries_in_a_durable_job_that_reschedules_itself() {
    let h = Harness::start_with(|c| c.audit.retention_days = 30);
    let biz = h.new_business("Acme").await;
    let owner = h.login(biz.owner()).await;
    let day = 86_400_000;
    let note = |s: &str| Note::new(Action::FlowPublished, None, Who::System, s);
    let mut old: Vec<(Note, i64)> = (0..(audit::retention::BATCH as i64 + 5))
        .map(|i| (note("old"), 40 * day + i))
        .collect();
    old.push((note("recent"), 10 * day));
    seed(&h, Some(biz.id), old).await;

    let store = h.server.store.clone();
    store
        .write(|ctx| {
            Ok(wafunnel::scheduler::schedule(
                ctx,
                audit::retention::JOB_KIND,
                &json!({}),
                now_ms(),
                3,
            )?)
        })
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let left = items(&owner, "/api/audit?actor=system").await;
        if left.len() == 1 {
            assert_eq!(left[0]["summary"], "recent");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {} system entries",
            left.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        items(&owner, "/api/audit?action=login_succeeded")
            .await
            .len(),
        1
    );
    // The next run waits a day.
    let next = loop {
        let pending = wafunnel::scheduler::pending(&store.read().unwrap(), usize::MAX).unwrap();
        if let Some(j) = pending
            .iter()
            .filter(|j| j.kind == audit::retention::JOB_KIND)
            .map(|j| j.due_at)
            .max()
            .filter(|d| *d > now_ms() + day / 2)
        {
            break j;
        }
        assert!(std::time::Instant::now() < deadline, "not rescheduled");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(next <= now_ms() + day);
}
