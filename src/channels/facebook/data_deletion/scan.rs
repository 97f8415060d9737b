//! The proof a deletion worked: every key and value of every table of the
//! store, and every file of the search index, is searched for the values that
//! were deleted. A hit names where, never what.
use std::{io::Read, path::Path};

use crate::store::{table_name, Store, StoreError};

/// Values shorter than this would match unrelated bytes (a two-letter first
/// name inside any binary record); the id and the tokens are much longer.
pub const MIN_NEEDLE: usize = 6;

fn usable(needles: &[String]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for n in needles.iter().filter(|n| n.len() >= MIN_NEEDLE) {
        out.push(n.as_bytes().to_vec());
        // The index keeps terms lower-cased.
        let lower = n.to_lowercase().into_bytes();
        if lower != n.as_bytes() {
            out.push(lower);
        }
    }
    out
}

fn contains(hay: &[u8], needles: &[Vec<u8>]) -> bool {
    needles
        .iter()
        .any(|n| hay.windows(n.len()).any(|w| w == n.as_slice()))
}

/// Where one of `needles` is still found: `Some("table x")`, `Some("index file y")`.
pub fn find(store: &Store, needles: &[String]) -> Result<Option<String>, StoreError> {
    let needles = usable(needles);
    if needles.is_empty() {
        return Ok(None);
    }
    let read = store.read()?;
    for spec in store.tables() {
        let table = read.inner().open_table(spec.def)?;
        for item in table.range::<&[u8]>(..)? {
            let (k, v) = item?;
            if contains(k.value(), &needles) || contains(v.value(), &needles) {
                return Ok(Some(format!("table {}", table_name(spec.def))));
            }
        }
    }
    drop(read);
    Ok(find_in_dir(&store.dir().join("search"), &needles)?)
}

fn find_in_dir(dir: &Path, needles: &[Vec<u8>]) -> std::io::Result<Option<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let hit = if path.is_dir() {
            find_in_dir(&path, needles)?
        } else {
            file_contains(&path, needles)?.then(|| format!("index file {}", path.display()))
        };
        if hit.is_some() {
            return Ok(hit);
        }
    }
    Ok(None)
}

/// Reads in chunks that overlap by the longest needle, so large segment
/// files never load whole and no match straddles two chunks unseen.
fn file_contains(path: &Path, needles: &[Vec<u8>]) -> std::io::Result<bool> {
    const CHUNK: usize = 1 << 20;
    let overlap = needles.iter().map(Vec::len).max().unwrap_or(0);
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        // Segments come and go while the indexer merges.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut buf = Vec::with_capacity(CHUNK + overlap);
    loop {
        let keep = buf.len().min(overlap);
        buf.drain(..buf.len() - keep);
        let start = buf.len();
        buf.resize(start + CHUNK, 0);
        let n = f.read(&mut buf[start..])?;
        buf.truncate(start + n);
        if n == 0 {
            return Ok(false);
        }
        if contains(&buf, needles) {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_split_across_chunks_is_still_found_and_short_ones_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = vec![0u8; (1 << 20) - 3];
        bytes.extend_from_slice(b"EAAB-token-xyz");
        std::fs::write(dir.path().join("seg.store"), &bytes).unwrap();
        let needles = usable(&["EAAB-token-xyz".into(), "Al".into()]);
        assert_eq!(
            needles.len(),
            2,
            "the token and its lower case; not the short name"
        );
        assert!(find_in_dir(dir.path(), &needles).unwrap().is_some());
        assert!(find_in_dir(dir.path(), &usable(&["absent-value".into()]))
            .unwrap()
            .is_none());
    }
}
