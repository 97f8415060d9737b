//! Stores written before the dashboard existed get its counters once, from
//! the conversations and follow-ups they hold (first-response times of that
//! history are unknown and stay out).
use super::{record::conversation_saved, COUNTS, FLAGS};
use crate::{
    conversations::repo,
    store::{Key, Reader, StoreError, WriteCtx},
};

const DONE: &str = "backfilled-v1";

/// Runs in one write at start-up; a no-op once done, on a fresh store, and
/// on a store this build has written all along.
pub fn run(ctx: &mut WriteCtx) -> Result<usize, StoreError> {
    // The all-zero business id marks facts about the whole store.
    let marker = Key::new().raw(&[0; 16]).str(DONE).done();
    if ctx.get_raw(FLAGS, &marker)?.is_some() {
        return Ok(0);
    }
    // Counters already there mean this build wrote every conversation (the
    // CLI, or a bench, before the first `serve`): nothing to make up.
    if !crate::store::scan_raw(ctx, COUNTS, &[], 1)?.is_empty() {
        ctx.put_raw(FLAGS, &marker, &[])?;
        return Ok(0);
    }
    let mut counted = 0;
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = repo::all_after(ctx, after.as_deref(), 2_000)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some(last.clone());
        for (_, c) in &page {
            conversation_saved(ctx, None, c)?;
            counted += 1;
        }
    }
    for f in crate::followups::all(ctx)? {
        crate::followups::save(ctx, None, &f)?;
    }
    ctx.put_raw(FLAGS, &marker, &[])?;
    Ok(counted)
}
