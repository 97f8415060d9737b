//! The writer's batching: counters summed per batch, and jobs joining a batch.
use redb::TableDefinition;

use super::*;

const COUNTS: Tbl = TableDefinition::new("business_usage");

fn value(store: &crate::store::Store) -> Option<u64> {
    let r = store.read().expect("read");
    r.get_raw(COUNTS, b"k")
        .expect("get")
        .map(|v| u64::from_le_bytes(v.try_into().expect("8 bytes")))
}

#[tokio::test]
async fn counters_sum_over_a_batch_forget_failed_jobs_and_vanish_at_zero() {
    let (_dir, store) = crate::store::temp();
    let writes: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .write(|ctx| {
                        ctx.add_to_counter(COUNTS, b"k", 2);
                        ctx.add_to_counter(COUNTS, b"k", -1);
                        Ok(())
                    })
                    .await
            })
        })
        .collect();
    for w in writes {
        w.await.expect("join").expect("write");
    }
    assert_eq!(value(&store), Some(20));
    let failed: ApiResult<()> = store
        .write(|ctx| {
            ctx.add_to_counter(COUNTS, b"k", 100);
            Err(ApiError::internal("no"))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(value(&store), Some(20), "a failed job moves nothing");
    store
        .write(|ctx| {
            ctx.add_to_counter(COUNTS, b"k", -20);
            Ok(())
        })
        .await
        .expect("write");
    assert_eq!(value(&store), None, "a counter at zero is removed");
}
/// A job writing `key`; nobody waits for its answer.
fn command(key: &'static [u8], ok: bool) -> Command {
    let (tx, _) = mpsc::sync_channel(1);
    let job = boxed(move |ctx: &mut WriteCtx| {
        ctx.put_raw(COUNTS, key, b"v")?;
        if ok {
            Ok(())
        } else {
            Err(ApiError::internal("no"))
        }
    });
    Command {
        job,
        reply: Reply::Blocking(tx),
    }
}

/// Applies `first` with `queued` waiting behind it; the batch it ends with.
fn extend(
    first: Command,
    queued: Vec<Command>,
    max_batch: usize,
    window: Duration,
) -> (Vec<Command>, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Database::create(dir.path().join("x.redb")).expect("db");
    let (send, queue) = mpsc::channel();
    for cmd in queued {
        send.send(cmd).expect("queue");
    }
    let tx = db.begin_write().expect("tx");
    let more = Extension {
        queue: &queue,
        max_batch,
        until: Instant::now() + window,
    };
    let mut batch = vec![first];
    let (_, _, failed) = apply(&tx, &mut batch, &more, 1).expect("apply");
    (batch, failed.len())
}

#[test]
fn jobs_queued_during_a_batch_join_it_up_to_the_batch_limit() {
    let minute = Duration::from_secs(60);
    let queued = (0..5).map(|_| command(b"b", true)).collect();
    let (batch, failed) = extend(command(b"a", true), queued, 4, minute);
    assert_eq!((batch.len(), failed), (4, 0));
    let queued = (0..2).map(|_| command(b"b", true)).collect();
    let (batch, _) = extend(command(b"a", true), queued, 64, minute);
    assert_eq!(batch.len(), 3, "the queue drained into the batch");
}

#[test]
fn jobs_arriving_after_the_window_wait_for_the_next_batch() {
    let queued = (0..3).map(|_| command(b"b", true)).collect();
    let (batch, _) = extend(command(b"a", true), queued, 64, Duration::ZERO);
    assert_eq!(batch.len(), 1);
}

#[test]
fn a_failed_job_stops_the_batch_from_taking_more() {
    let queued = (0..3).map(|_| command(b"b", true)).collect();
    let (batch, failed) = extend(command(b"a", false), queued, 64, Duration::from_secs(60));
    assert_eq!(
        (batch.len(), failed),
        (1, 1),
        "the queue waits for the retry"
    );
}

/// The writer takes the `nice` it is given where the system allows it (and
/// there are two cores to share), and runs on at the default where not.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_writer_runs_ahead_of_the_request_threads_where_allowed() {
    use rustix::{process, thread::gettid};
    // A new thread starts at the process's nice, which the test runner may have set.
    let (base, allowed) = std::thread::spawn(|| {
        let base = process::getpriority_process(Some(gettid())).unwrap_or(0);
        (
            base,
            process::setpriority_process(Some(gettid()), -2).is_ok(),
        )
    })
    .join()
    .expect("probe");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let dir = tempfile::tempdir().expect("dir");
    let store = crate::store::Store::open(
        dir.path(),
        &crate::schema::tables(),
        crate::store::StoreOptions {
            max_batch: 8,
            cache_bytes: 1 << 20,
            metrics: crate::metrics::Metrics::default(),
            writer_nice: -2,
        },
    )
    .expect("store");
    let nice = store
        .write(|_| Ok(process::getpriority_process(Some(gettid())).unwrap_or(99)))
        .await
        .expect("write");
    let expected = if allowed && cores >= 2 { -2 } else { base };
    assert_eq!(nice, expected, "allowed {allowed}, {cores} cores");
}
