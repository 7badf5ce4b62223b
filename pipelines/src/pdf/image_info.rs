//! Header facts about JPEG and PNG files, read without decoding pixels:
//! dimensions, JPEG component count, and the resolution the file declares.
//!
//! A JPEG is passed through into a PDF untouched (`/DCTDecode`), so its
//! dimensions and colour components must be known from the header alone, and
//! must agree with what the PDF says about it.

/// What a JPEG's header says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct JpegInfo {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    /// Dots per inch (x, y) from the JFIF header, when it gives a physical unit.
    pub dpi: Option<(f64, f64)>,
}

/// Reads a JPEG's markers up to its frame header.
pub(crate) fn jpeg(bytes: &[u8]) -> Option<JpegInfo> {
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut pos = 2;
    let mut dpi = None;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while *bytes.get(pos)? != 0xFF {
            pos += 1;
        }
        while *bytes.get(pos)? == 0xFF {
            pos += 1;
        }
        let marker = *bytes.get(pos)?;
        pos += 1;
        if marker == 0x01 || (0xD0..=0xD8).contains(&marker) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            return None; // end of image or start of scan before any frame header
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(pos)?, *bytes.get(pos + 1)?]));
        let segment = bytes.get(pos + 2..pos + len)?;
        match marker {
            0xE0 if segment.starts_with(b"JFIF\0") && segment.len() >= 12 => {
                let unit = segment[7];
                let x = f64::from(u16::from_be_bytes([segment[8], segment[9]]));
                let y = f64::from(u16::from_be_bytes([segment[10], segment[11]]));
                dpi = match unit {
                    1 => Some((x, y)),
                    2 => Some((x * 2.54, y * 2.54)),
                    _ => None,
                };
            }
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && segment.len() >= 6 => {
                return Some(JpegInfo {
                    height: u32::from(u16::from_be_bytes([segment[1], segment[2]])),
                    width: u32::from(u16::from_be_bytes([segment[3], segment[4]])),
                    components: segment[5],
                    dpi,
                });
            }
            _ => {}
        }
        pos += len;
    }
}

/// A PNG's `(width, height)` from its IHDR chunk.
pub(crate) fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// A PNG's resolution from its `pHYs` chunk, in dots per inch.
pub(crate) fn png_dpi(bytes: &[u8]) -> Option<(f64, f64)> {
    let mut pos = 8;
    // Chunks before the image data; pHYs must precede IDAT.
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(pos + 4..pos + 8)?;
        if kind == b"IDAT" {
            return None;
        }
        if kind == b"pHYs" && len == 9 {
            let data = bytes.get(pos + 8..pos + 17)?;
            let x = f64::from(u32::from_be_bytes(data[0..4].try_into().ok()?));
            let y = f64::from(u32::from_be_bytes(data[4..8].try_into().ok()?));
            return (data[8] == 1).then_some((x * 0.0254, y * 0.0254));
        }
        pos = pos.checked_add(12)?.checked_add(len)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_and_png_headers() {
        let img = image::RgbImage::from_pixel(7, 5, image::Rgb([1, 2, 3]));
        let mut jpeg_bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg_bytes)
            .encode_image(&img)
            .unwrap_or_else(|e| panic!("encode: {e}"));
        let info = jpeg(&jpeg_bytes).unwrap_or_else(|| panic!("no jpeg info"));
        assert_eq!((info.width, info.height, info.components), (7, 5, 3));

        let mut png_bytes = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut png_bytes), image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("encode: {e}"));
        assert_eq!(png_size(&png_bytes), Some((7, 5)));
        assert_eq!(jpeg(&png_bytes), None);
        assert_eq!(png_size(&jpeg_bytes), None);
    }
}
