//! Driving an erasure to its end: message batches, then the files on disk,
//! then a check that the search index holds nothing of it. The request that
//! asked runs it at once; the durable job runs whatever a crash interrupted.
//! Both may run the same erasure: every step re-reads the plan in its write.
use std::{
    path::{Component, Path},
    sync::Arc,
    time::Duration,
};

use serde::Deserialize;

use super::erase::{self, Counts};
use crate::{
    error::{ApiError, ApiResult},
    scheduler::{Handler, Job, Outcome},
    search::Search,
    store::{
        ids::{BusinessId, ContactId},
        Store,
    },
};

/// How long a run waits for the indexer to commit the deletions (it commits
/// within a second of an event).
const SEARCH_WAIT: Duration = Duration::from_secs(15);

/// Runs the erasure to its end; None when another runner finished it.
pub async fn run(
    store: &Store,
    search: &Search,
    data_dir: &Path,
    b: BusinessId,
    contact: ContactId,
) -> ApiResult<Option<Counts>> {
    let plan = loop {
        let Some(e) = store.write(move |ctx| erase::step(ctx, b, contact)).await? else {
            return Ok(None);
        };
        if !e.files.is_empty() {
            let done = remove_files(data_dir, &e.files).await;
            store
                .write(move |ctx| erase::files_removed(ctx, b, contact, &done))
                .await?;
            continue;
        }
        if e.pending.is_empty() {
            break e;
        }
    };
    let deadline = tokio::time::Instant::now() + SEARCH_WAIT;
    while search.documents_of(&plan.erased)? > 0 {
        if tokio::time::Instant::now() > deadline {
            // Lost events (a crash before the indexer committed): ask again.
            let again = plan.clone();
            store
                .write(move |ctx| {
                    erase::reindex_erased(ctx, &again);
                    Ok(())
                })
                .await?;
            return Err(ApiError::internal(
                "the search index still holds documents of the erased conversations",
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Deleted records keep their bytes in free pages until overwritten.
    crate::store::scrub::free_pages(store).await?;
    store.write(move |ctx| erase::finish(ctx, b, contact)).await
}

/// Removes the files; returns those that are gone now (absent counts as gone).
async fn remove_files(data_dir: &Path, files: &[String]) -> Vec<String> {
    let mut done = Vec::new();
    for rel in files {
        // Names come from our own records; refuse anything that could leave the folder.
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            tracing::error!("erasure: refusing to remove `{rel}`");
            done.push(rel.clone());
            continue;
        }
        match tokio::fs::remove_file(data_dir.join(rel)).await {
            Ok(()) => done.push(rel.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => done.push(rel.clone()),
            Err(e) => tracing::error!("erasure: removing a file failed: {e}"),
        }
        // A download interrupted mid-write leaves its partial file beside it.
        let _ = tokio::fs::remove_file(data_dir.join(format!("{rel}.partial"))).await;
    }
    done
}

#[derive(Deserialize)]
struct Args {
    business_id: BusinessId,
    contact_id: ContactId,
}

/// The durable job: finishes an erasure its request did not (a crash).
pub fn handler(store: Store, search: Search, data_dir: std::path::PathBuf) -> Handler {
    Arc::new(move |job: Job| {
        let (store, search, data_dir) = (store.clone(), search.clone(), data_dir.clone());
        Box::pin(async move {
            let Ok(args) = serde_json::from_str::<Args>(&job.payload) else {
                return Outcome::Fail("unreadable job arguments".into());
            };
            match run(
                &store,
                &search,
                &data_dir,
                args.business_id,
                args.contact_id,
            )
            .await
            {
                Ok(_) => Outcome::Done,
                Err(e) => Outcome::Retry(e.message),
            }
        })
    })
}
