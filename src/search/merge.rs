//! Which index segments merge, and how many at once.
//!
//! A merge maps its input segments' files and reads them whole, so its memory
//! grows with its input. tantivy's log policy merges a whole size level at
//! once: at the end of a 100 MB import that was thirteen segments, 90 MB of
//! mapped files and 50 MB more heap, all at the moment the import finished.
//! Here a merge takes a few segments of similar size whose documents add up to
//! at most `MAX_MERGE_DOCS`, so its cost is bounded whatever came in; the
//! price is more, smaller segments to search (tens for millions of messages).
use tantivy::{
    indexer::{MergeCandidate, MergePolicy},
    SegmentMeta,
};

/// The most documents (alive) a merge reads; also about the largest segment
/// merging makes, since bigger ones are left as they are.
pub const MAX_MERGE_DOCS: u32 = 100_000;
/// Small segments wait until this many can merge together: merging two at a
/// time would rewrite the same documents over and over.
const MERGE_FACTOR: usize = 4;
/// A segment whose documents are mostly deleted (replaced or erased) is
/// rewritten on its own, whatever its size, to give the space back.
const DELETED_RATIO: f32 = 0.5;

#[derive(Debug, Default)]
pub struct BoundedMerges;

impl MergePolicy for BoundedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut out = Vec::new();
        let mut small = Vec::new();
        for s in segments {
            if mostly_deleted(s) {
                out.push(MergeCandidate(vec![s.id()]));
            } else if s.num_docs() < MAX_MERGE_DOCS / 2 {
                small.push(s);
            }
        }
        // Ascending sizes, so segments merge with others of their size.
        small.sort_by_key(|s| s.num_docs());
        let mut group = Vec::new();
        let mut docs = 0u32;
        for s in small {
            if docs + s.num_docs() > MAX_MERGE_DOCS {
                // Full before reaching the factor: these are large enough
                // that two or three at a time is no longer wasteful.
                if group.len() >= 2 {
                    out.push(MergeCandidate(std::mem::take(&mut group)));
                }
                group.clear();
                docs = 0;
            }
            group.push(s.id());
            docs += s.num_docs();
            if group.len() == MERGE_FACTOR {
                out.push(MergeCandidate(std::mem::take(&mut group)));
                docs = 0;
            }
        }
        out
    }
}

fn mostly_deleted(s: &SegmentMeta) -> bool {
    s.max_doc() > 0 && s.num_deleted_docs() as f32 / s.max_doc() as f32 > DELETED_RATIO
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use tantivy::{index::SegmentId, schema::Schema, Index};

    use super::*;

    fn metas(sizes: &[(u32, u32)]) -> Vec<SegmentMeta> {
        let index = Index::create_in_ram(Schema::builder().build());
        sizes
            .iter()
            .map(|&(max_doc, deleted)| {
                let m = index.new_segment_meta(SegmentId::generate_random(), max_doc);
                if deleted > 0 {
                    m.with_delete_meta(deleted, 1)
                } else {
                    m
                }
            })
            .collect()
    }

    fn docs_of(segments: &[SegmentMeta], c: &MergeCandidate) -> u32 {
        let by_id: HashMap<_, _> = segments.iter().map(|s| (s.id(), s.num_docs())).collect();
        c.0.iter().map(|id| by_id[id]).sum()
    }

    #[test]
    fn no_merge_reads_more_than_the_cap_unless_it_rewrites_one_segment() {
        let sizes: Vec<(u32, u32)> = (0..60u32).map(|i| ((i * 7_919) % 70_000 + 1, 0)).collect();
        let segments = metas(&sizes);
        let candidates = BoundedMerges.compute_merge_candidates(&segments);
        assert!(!candidates.is_empty());
        for c in &candidates {
            assert!(c.0.len() >= 2 && c.0.len() <= MERGE_FACTOR);
            assert!(docs_of(&segments, c) <= MAX_MERGE_DOCS);
        }
        let mut seen: Vec<_> = candidates.iter().flat_map(|c| c.0.clone()).collect();
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n, "a segment is in one merge at most");
    }

    #[test]
    fn small_segments_wait_for_company_and_large_ones_stay() {
        let few_small = metas(&[(1_000, 0), (2_000, 0), (3_000, 0)]);
        assert!(BoundedMerges
            .compute_merge_candidates(&few_small)
            .is_empty());
        let large = metas(&[(MAX_MERGE_DOCS, 0), (MAX_MERGE_DOCS / 2, 0), (400_000, 0)]);
        assert!(BoundedMerges.compute_merge_candidates(&large).is_empty());
        let four = metas(&[(1_000, 0), (2_000, 0), (3_000, 0), (4_000, 0)]);
        assert_eq!(BoundedMerges.compute_merge_candidates(&four).len(), 1);
    }

    #[test]
    fn a_mostly_deleted_segment_is_rewritten_alone_whatever_its_size() {
        let segments = metas(&[(1_000_000, 600_000), (1_000_000, 100_000)]);
        let candidates = BoundedMerges.compute_merge_candidates(&segments);
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].0, vec![segments[0].id()]);
    }
}
