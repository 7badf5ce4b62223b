//! Upload decoding for OCR (`ocr::decode_image`): the five accepted formats,
//! decompression bombs refused from the header, malformed and foreign bytes.
//!
//! Why images are encoded here rather than committed: the encoders of the same
//! `image` crate produce valid files of every format in a few lines, and the
//! hostile files are a few hand-edited bytes away from those.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage};
use meeteasy_ai::ocr::{ImageInputError, ImageLimits, decode_image, image_dimensions, sniff_image};

fn sample() -> RgbImage {
    RgbImage::from_fn(64, 48, |x, y| Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8]))
}

fn encode(format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(sample()).write_to(&mut out, format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
    out.into_inner()
}

fn decode_err(bytes: &[u8]) -> ImageInputError {
    decode_image(bytes, &ImageLimits::default()).err().unwrap_or_else(|| panic!("decoded {} bytes", bytes.len()))
}

/// CRC-32 (IEEE), for rewriting PNG chunks.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A valid, white 64x48 PNG whose IHDR is rewritten to claim `width` x
/// `height` (CRC fixed up), so only the size claim is wrong; its IDAT stays tiny.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::from_pixel(64, 48, Rgb([255; 3])))
        .write_to(&mut png, ImageFormat::Png)
        .expect("encode png");
    let mut png = png.into_inner();
    // 8-byte signature, then IHDR: length(4) "IHDR"(4) width(4) height(4) ...
    assert_eq!(&png[12..16], b"IHDR");
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

#[test]
fn every_accepted_format_decodes_and_is_named_by_its_magic_bytes() {
    for (format, name, lossless) in [
        (ImageFormat::Png, "png", true),
        (ImageFormat::Jpeg, "jpeg", false),
        (ImageFormat::Tiff, "tiff", true),
        (ImageFormat::WebP, "webp", true),
        (ImageFormat::Bmp, "bmp", true),
    ] {
        let bytes = encode(format);
        assert_eq!(sniff_image(&bytes), Some(name));
        assert_eq!(image_dimensions(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")), (64, 48));
        let decoded = decode_image(&bytes, &ImageLimits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded.format, name);
        let rgb = decoded.image.to_rgb8();
        assert_eq!(rgb.dimensions(), (64, 48), "{name}");
        if lossless {
            assert!(rgb == sample(), "{name}: pixels differ after a lossless round trip");
        }
    }
}

#[test]
fn both_tiff_byte_orders_are_recognized() {
    assert_eq!(sniff_image(b"II*\0\x08\0\0\0"), Some("tiff"));
    assert_eq!(sniff_image(b"MM\0*\0\0\0\x08"), Some("tiff"));
    assert_eq!(sniff_image(b"RIFF\0\0\0\0WAVEfmt "), None, "a RIFF that is not WEBP");
}

#[test]
fn a_png_claiming_100000_by_100000_pixels_is_too_large() {
    let bomb = png_claiming(100_000, 100_000);
    assert!(bomb.len() < 1_024, "the bomb itself is tiny: {} bytes", bomb.len());
    // The header alone tells the size...
    assert_eq!(image_dimensions(&bomb).expect("header"), (100_000, 100_000));
    // ...and decoding refuses from it: decoding 30 GB of pixels would abort
    // this process long before an error could come back.
    let err = decode_err(&bomb);
    assert_eq!(err.code(), "image.too_large", "{err}");
    assert!(err.to_string().contains("100000x100000"), "{err}");
}

#[test]
fn the_pixel_cap_applies_below_the_side_cap() {
    // 10 000 x 10 000 is within 20 000 px per side but is 100 MP.
    let err = decode_err(&png_claiming(10_000, 10_000));
    assert_eq!(err.code(), "image.too_large", "{err}");
    // A caller's tighter limits are honoured too.
    let tight = ImageLimits { max_pixels: 1_000, ..ImageLimits::default() };
    let err = decode_image(&encode(ImageFormat::Png), &tight).expect_err("64x48 > 1000 pixels");
    assert_eq!(err.code(), "image.too_large", "{err}");
}

#[test]
fn a_size_claim_within_limits_with_missing_pixel_data_is_corrupt() {
    // 3000 x 2000 passes the header check; the tiny IDAT then runs out.
    let err = decode_err(&png_claiming(3_000, 2_000));
    assert_eq!(err.code(), "image.corrupt", "{err}");
}

#[test]
fn truncated_or_garbled_files_are_corrupt() {
    for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::Tiff, ImageFormat::WebP, ImageFormat::Bmp] {
        let bytes = encode(format);
        let truncated = &bytes[..bytes.len() / 2];
        assert_eq!(decode_err(truncated).code(), "image.corrupt", "{format:?} cut in half");
    }
    let mut garbage = b"\x89PNG\r\n\x1a\n".to_vec();
    garbage.extend((0u32..500).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    assert_eq!(decode_err(&garbage).code(), "image.corrupt");
    assert_eq!(decode_err(b"\xff\xd8\xff\xe0 not really a jpeg").code(), "image.corrupt");
    assert_eq!(decode_err(b"BM").code(), "image.corrupt");
}

#[test]
fn text_and_other_formats_are_unsupported() {
    for bytes in [
        &b"Hello, this is a plain text file.\n"[..],
        b"%PDF-1.7\n",
        b"GIF89a\x01\x00\x01\x00",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    ] {
        assert_eq!(sniff_image(bytes), None);
        assert_eq!(decode_err(bytes).code(), "image.unsupported_format");
        assert_eq!(image_dimensions(bytes).err().map(|e| e.code()), Some("image.unsupported_format"));
    }
    assert_eq!(decode_err(b"").code(), "image.empty");
}

#[test]
fn jpeg_exif_orientation_is_applied() {
    // Stored 40x20 with a red block at the top-left; EXIF orientation 6 says
    // "rotate 90° clockwise to display", which puts the block top-right.
    let stored = RgbImage::from_fn(40, 20, |x, y| if x < 8 && y < 8 { Rgb([255, 0, 0]) } else { Rgb([255; 3]) });
    // A big-endian TIFF header with one IFD entry: tag 0x0112 (orientation), SHORT, 1, value 6.
    let exif = [
        b'M', b'M', 0, 42, 0, 0, 0, 8, // header, IFD at offset 8
        0, 1, // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // orientation = 6
        0, 0, 0, 0, // no next IFD
    ];
    let mut jpeg = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut jpeg, 95);
    enc.set_exif_metadata(exif.to_vec()).expect("jpeg takes exif");
    enc.write_image(stored.as_raw(), 40, 20, image::ExtendedColorType::Rgb8).expect("encode");

    assert_eq!(image_dimensions(&jpeg).expect("header"), (40, 20), "the header gives the stored size");
    let shown = decode_image(&jpeg, &ImageLimits::default()).expect("decode").image.to_rgb8();
    assert_eq!(shown.dimensions(), (20, 40));
    let [r, g, b] = shown.get_pixel(16, 3).0;
    assert!(r > 200 && g < 80 && b < 80, "top-right should be red, got {:?}", [r, g, b]);
    let [r, g, b] = shown.get_pixel(3, 3).0;
    assert!(r > 200 && g > 200 && b > 200, "top-left should be white, got {:?}", [r, g, b]);
}
