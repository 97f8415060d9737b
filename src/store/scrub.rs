//! Overwriting the store file's free pages. redb is copy-on-write: a deleted
//! record's page is only marked free and keeps its bytes until the page is
//! allocated again (redb zeroes a page when it hands it out). After an
//! erasure the personal data would linger in the file that way, so this
//! fills the free space with filler records, which makes redb allocate (and
//! zero) every free page, then deletes them. Compaction would need the
//! database to itself; this runs beside live traffic, through the writer.
use redb::TableDefinition;

use super::{Key, Store, TableSpec, Tbl, WriteCtx};
use crate::error::ApiResult;

/// Filler records; empty between scrubs.
const SCRUB: Tbl = TableDefinition::new("store_scrub");

pub const TABLES: &[TableSpec] = &[TableSpec {
    def: SCRUB,
    verify: |_| Ok(()),
}];

/// Filler records written per transaction (each takes about one page).
const CHUNK: u64 = 4_096;
/// Free pages beyond the estimate, for the pages the filler's own tree takes.
const MARGIN_PAGES: u64 = 16;

/// A commit that changes nothing visible: it lets redb return the pages that
/// earlier commits freed to its allocator.
async fn settle(store: &Store) -> ApiResult<()> {
    store
        .write(|ctx| {
            let k = Key::new().u64(u64::MAX).done();
            ctx.put_raw(SCRUB, &k, &[])?;
            ctx.delete(SCRUB, &k)?;
            Ok(())
        })
        .await
}

fn fill(ctx: &mut WriteCtx, from: u64, n: u64, value: &[u8]) -> ApiResult<()> {
    for i in from..from + n {
        ctx.put_raw(SCRUB, &Key::new().u64(i).done(), value)?;
    }
    Ok(())
}

/// Overwrites the free pages; returns how many filler pages were written.
pub async fn free_pages(store: &Store) -> ApiResult<u64> {
    let mut written = 0;
    // Twice: pages freed while the first round ran are caught by the second.
    for _ in 0..2 {
        settle(store).await?;
        settle(store).await?;
        let (allocated, page) = store
            .write(|ctx| {
                let s = ctx.stats()?;
                Ok((s.allocated_pages(), s.page_size().max(1) as u64))
            })
            .await?;
        // The file's pages less those in use: the free ones (and a few headers).
        let file_pages = std::fs::metadata(store.dir().join(super::DB_FILE))
            .map_err(super::StoreError::from)?
            .len()
            / page;
        let target = file_pages.saturating_sub(allocated) + MARGIN_PAGES;
        // Over half a page: no two fit in one leaf, so each takes a page of its own.
        let value = vec![
            0u8;
            (page as usize)
                .saturating_sub(256)
                .max(page as usize / 2 + 1)
        ];
        let mut done = 0;
        while done < target {
            let n = CHUNK.min(target - done);
            let v = value.clone();
            store.write(move |ctx| fill(ctx, done, n, &v)).await?;
            done += n;
        }
        written += done;
        loop {
            let n = store
                .write(|ctx| Ok(ctx.delete_prefix(SCRUB, &[], CHUNK as usize)?))
                .await?;
            if n == 0 {
                break;
            }
        }
    }
    settle(store).await?;
    Ok(written)
}
