//! Fuzzes what an uploaded spreadsheet's first bytes are taken for:
//! encoding, delimiter, header row and the preview rows. Beyond "never
//! panics": the delimiter is one of the three we write, and the preview
//! never holds more than 20 rows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wafunnel::imports::{preview::csv_shape, sniff};

fuzz_target!(|data: &[u8]| {
    let shape = csv_shape(data);
    assert!([b',', b';', b'\t'].contains(&shape.delimiter));
    assert!(shape.rows.len() <= 20);
    for h in &shape.headers {
        let _ = sniff::suggest(h);
    }
});
