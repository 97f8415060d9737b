//! Byte-level decoding of an uploaded export into text.
//!
//! WhatsApp itself writes UTF-8, but files pass through editors and mail
//! clients on their way to us, which add BOMs or re-encode as UTF-16.

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];
const UTF16_LE_BOM: &[u8] = &[0xFF, 0xFE];
const UTF16_BE_BOM: &[u8] = &[0xFE, 0xFF];

/// Decodes UTF-8 (with or without BOM) or UTF-16 LE/BE (BOM required).
///
/// Errors name the byte offset in the *original* input so a user can be
/// pointed at the damaged spot.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return utf8(rest, UTF8_BOM.len());
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        return utf16(rest, u16::from_be_bytes);
    }
    utf8(bytes, 0)
}

fn utf8(bytes: &[u8], offset: usize) -> Result<String, String> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|e| format!("invalid UTF-8 at byte offset {}", offset + e.valid_up_to()))
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    let chunks = bytes.chunks_exact(2);
    if !chunks.remainder().is_empty() {
        return Err(format!(
            "UTF-16 input has an odd number of bytes; the last byte (offset {}) is incomplete",
            bytes.len() + 1
        ));
    }
    let units = chunks.map(|c| {
        unit([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ])
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    // Counted in 16-bit units after the 2-byte BOM, to report a byte offset.
    let mut pos = 0usize;
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => {
                pos += c.len_utf16();
                out.push(c);
            }
            Err(e) => {
                return Err(format!(
                    "invalid UTF-16 (unpaired surrogate {:#06x}) at byte offset {}",
                    e.unpaired_surrogate(),
                    2 + pos * 2
                ))
            }
        }
    }
    Ok(out)
}
