//! QR codes of a walk-in form's address, as SVG (print) and PNG (chat apps,
//! slides). Drawn from the same module matrix, with the quiet zone scanners need.
use qrcode::{render::svg, Color, EcLevel, QrCode};

use crate::error::{ApiError, ApiResult};

/// Light modules around the code, as the standard asks.
const QUIET_ZONE: usize = 4;

fn code(text: &str) -> ApiResult<QrCode> {
    // M survives a smudged print and keeps the code small for short URLs.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::internal(format!("QR code for {text}: {e}")))
}

pub fn svg(text: &str) -> ApiResult<String> {
    Ok(code(text)?
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// A grayscale PNG, `scale` pixels per module.
pub fn png(text: &str, scale: usize) -> ApiResult<Vec<u8>> {
    let code = code(text)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * scale;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
        for y in my * scale..(my + 1) * scale {
            pixels[y * side + mx * scale..y * side + (mx + 1) * scale].fill(0);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let fail = |e: png::EncodingError| ApiError::internal(format!("PNG encoding: {e}"));
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&pixels).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_a_square_with_dark_modules_inside_a_white_quiet_zone() {
        let bytes = png("https://leads.example.com/w/store-centro-4k2p", 4).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.width, info.height);
        let side = info.width as usize;
        assert_eq!(side % 4, 0);
        assert!(
            buf[..side * QUIET_ZONE * 4].iter().all(|p| *p == 255),
            "quiet zone"
        );
        let dark = buf.iter().filter(|p| **p == 0).count();
        assert!(dark > side * side / 5, "a QR code is ~half dark modules");
    }

    #[test]
    fn the_svg_draws_the_address() {
        let s = svg("https://leads.example.com/w/x").unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg") && s.contains("<path"));
    }
}
