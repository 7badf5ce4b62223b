//! Image fixtures: a deterministic "page-like" picture in each format the
//! pipeline may meet, and a PNG decompression bomb.
//!
//! Images arrive as uploads with lying extensions (a PNG named `.docx`), as
//! the pages of scanned PDFs, and as OCR input, so what matters is that the
//! bytes are a real file of that format. `png_bomb` is the hostile case: a
//! header that declares an enormous canvas over a few bytes of data, which
//! a decoder that allocates the canvas up front turns into gigabytes.

use std::io::{Cursor, Write};

use flate2::Crc;
use flate2::write::ZlibEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use super::must;

/// A `width`×`height` RGB picture that looks like a printed page: a pale
/// background gradient with dark bars where lines of text would be.
/// Deterministic, so encodings of it are too.
pub fn sample_image(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let margin = width / 10;
        let in_line = (y / 12) % 3 == 1 && x >= margin && x + margin < width;
        let in_word = (x / 9) % 7 != 6;
        if in_line && in_word && y >= height / 10 {
            Rgb([20, 20, 30])
        } else {
            let shade = 235 + ((x + y) % 20) as u8;
            Rgb([shade, shade, 250])
        }
    })
}

/// [`sample_image`] as a PNG.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Png)
}

/// [`sample_image`] as a baseline JPEG.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Jpeg)
}

/// [`sample_image`] as a TIFF.
pub fn tiff(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Tiff)
}

/// [`sample_image`] as a (lossless) WebP.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::WebP)
}

/// [`sample_image`] as a BMP.
pub fn bmp(width: u32, height: u32) -> Vec<u8> {
    encode(width, height, ImageFormat::Bmp)
}

fn encode(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    must(DynamicImage::ImageRgb8(sample_image(width, height)).write_to(&mut out, format), "encode image");
    out.into_inner()
}

/// A PNG whose header declares a `width`×`height` 8-bit grey canvas (e.g.
/// 100,000 × 100,000, 10 GB of pixels) while its single IDAT chunk holds
/// only a few rows of zeros, a few hundred bytes compressed. The file is
/// well-formed chunk by chunk (valid CRCs); the image data just ends early.
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let rows = height.min(16) as usize;
    let raw = vec![0u8; (width as usize + 1).min(1 << 16) * rows];
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    must(encoder.write_all(&raw), "compress rows");
    let idat = must(encoder.finish(), "finish zlib");

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 0 (grey), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_bomb_declares_the_canvas_and_stays_small() {
        let bomb = png_bomb(100_000, 100_000);
        assert!(bomb.len() < 4096, "{} bytes", bomb.len());
        let decoder = image::codecs::png::PngDecoder::new(Cursor::new(&bomb));
        // The png crate checks the CRCs while reading the header.
        match decoder {
            Ok(decoder) => assert_eq!(image::ImageDecoder::dimensions(&decoder), (100_000, 100_000)),
            Err(e) => assert!(e.to_string().contains("limit"), "unexpected error: {e}"),
        }
    }
}
