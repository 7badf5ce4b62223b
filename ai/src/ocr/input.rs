//! Decoding uploaded images for OCR: format by magic bytes, size limits
//! checked from the header before any pixel is decoded, EXIF orientation.
//!
//! Why this order: an upload is hostile until proven otherwise. A 50 KB PNG
//! can claim 100 000 × 100 000 pixels and make a naive decoder allocate 30 GB;
//! the header is read first and the image refused from its claimed size, so
//! nothing proportional to that claim is ever allocated. The format comes from
//! the bytes themselves, never from a file name or a client's content type,
//! and only the five formats the API documents are accepted (the `image`
//! crate's own guessing would also let GIF, ICO, ... through if the feature
//! set grew). Phones store photos sideways with an EXIF orientation tag;
//! applying it here means the detector sees upright text.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

/// Decoding limits, checked from the image header before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest accepted width × height.
    pub max_pixels: u64,
    /// Largest accepted width or height.
    pub max_side: u32,
    /// Largest decoded buffer (all channels, at the file's own bit depth).
    pub max_alloc_bytes: u64,
}

impl Default for ImageLimits {
    /// 40 MP (an A4 page at 600 dpi is 35 MP), 20 000 px per side, and a
    /// 512 MiB decoded buffer (40 MP of 16-bit RGBA is 320 MB).
    fn default() -> Self {
        Self { max_pixels: 40_000_000, max_side: 20_000, max_alloc_bytes: 512 * 1024 * 1024 }
    }
}

/// A decoded upload and the format its magic bytes named.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    pub image: DynamicImage,
    /// `png`, `jpeg`, `tiff`, `webp` or `bmp`.
    pub format: &'static str,
}

/// Why an upload could not be turned into pixels.
#[derive(Debug, thiserror::Error)]
pub enum ImageInputError {
    #[error("the upload is empty")]
    Empty,
    #[error("not a supported image (accepted: png, jpeg, tiff, webp, bmp){}", detail_suffix(.0))]
    UnsupportedFormat(Option<String>),
    #[error("image too large: {0}")]
    TooLarge(String),
    #[error("corrupt {format} image: {detail}")]
    Corrupt { format: &'static str, detail: String },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
}

impl ImageInputError {
    /// Stable code for job results and API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "image.empty",
            Self::UnsupportedFormat(_) => "image.unsupported_format",
            Self::TooLarge(_) => "image.too_large",
            Self::Corrupt { .. } => "image.corrupt",
        }
    }
}

/// The accepted format named by the first bytes, without decoding anything.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    sniff(bytes).map(|(_, name)| name)
}

fn sniff(bytes: &[u8]) -> Option<(ImageFormat, &'static str)> {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(0, b"\x89PNG\r\n\x1a\n") {
        Some((ImageFormat::Png, "png"))
    } else if at(0, b"\xff\xd8\xff") {
        Some((ImageFormat::Jpeg, "jpeg"))
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Some((ImageFormat::Tiff, "tiff"))
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Some((ImageFormat::WebP, "webp"))
    } else if at(0, b"BM") {
        Some((ImageFormat::Bmp, "bmp"))
    } else {
        None
    }
}

/// Width and height from the header alone (nothing is decoded).
pub fn image_dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageInputError> {
    let (format, name) = detect(bytes)?;
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.into_dimensions().map_err(|e| classify(e, name))
}

/// Decodes an upload within `limits`, applying its EXIF orientation.
pub fn decode_image(bytes: &[u8], limits: &ImageLimits) -> Result<DecodedImage, ImageInputError> {
    let (format, name) = detect(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Header parsing may buffer metadata chunks; bound that too.
    let mut header_limits = Limits::default();
    header_limits.max_alloc = Some(limits.max_alloc_bytes);
    reader.limits(header_limits.clone());
    // Parses the header only: no pixel buffer exists yet.
    let mut decoder = reader.into_decoder().map_err(|e| classify(e, name))?;
    let (width, height) = decoder.dimensions();
    check_size(width, height, decoder.total_bytes(), limits)?;
    // Also hand the side limits to the decoder, for formats whose frames
    // could disagree with the header.
    header_limits.max_image_width = Some(limits.max_side);
    header_limits.max_image_height = Some(limits.max_side);
    decoder.set_limits(header_limits).map_err(|e| classify(e, name))?;
    // A broken EXIF block must not cost the page: read it as "upright".
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| classify(e, name))?;
    image.apply_orientation(orientation);
    Ok(DecodedImage { image, format: name })
}

fn detect(bytes: &[u8]) -> Result<(ImageFormat, &'static str), ImageInputError> {
    if bytes.is_empty() {
        return Err(ImageInputError::Empty);
    }
    sniff(bytes).ok_or(ImageInputError::UnsupportedFormat(None))
}

fn check_size(width: u32, height: u32, total_bytes: u64, limits: &ImageLimits) -> Result<(), ImageInputError> {
    let too_large = |limit: String| Err(ImageInputError::TooLarge(format!("{width}x{height} exceeds {limit}")));
    if width == 0 || height == 0 {
        return Err(ImageInputError::Empty);
    }
    if width.max(height) > limits.max_side {
        return too_large(format!("{} px per side", limits.max_side));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return too_large(format!("{} pixels", limits.max_pixels));
    }
    if total_bytes > limits.max_alloc_bytes {
        return too_large(format!("{} decoded bytes", limits.max_alloc_bytes));
    }
    Ok(())
}

fn classify(err: ImageError, format: &'static str) -> ImageInputError {
    match err {
        // A metadata chunk (ICC profile, text) larger than the allocation budget.
        ImageError::Limits(e) => ImageInputError::TooLarge(format!("{format} header: {e}")),
        // The magic bytes matched but the variant is not decodable (say, a TIFF compression scheme).
        ImageError::Unsupported(e) => ImageInputError::UnsupportedFormat(Some(format!("{format}: {e}"))),
        other => ImageInputError::Corrupt { format, detail: other.to_string() },
    }
}
