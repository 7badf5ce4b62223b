//! Page images for OCR: the scan embedded in each page when it can be taken
//! out as it is, or a note that the page must be rendered.
//!
//! A scanned PDF is usually one big image per page. Taking that image out is
//! both faster and more faithful than rendering the page (no resampling, the
//! scanner's own resolution), so lopdf is tried first, but only where that is
//! safe to do right:
//! * the page's largest image covers at least half the page and no other image
//!   covers more than 5% of it (otherwise the scan is in pieces, or the page is
//!   mostly drawn, and only a rendering shows what the reader sees);
//! * it is a `/DCTDecode` JPEG in gray or RGB, whose bytes are passed through
//!   unchanged, or 8-bit gray/RGB samples behind lossless filters lopdf decodes
//!   (Flate with predictors, LZW, ASCII85/Hex, RunLength), re-encoded as PNG;
//! * it is drawn upright (no rotation or mirroring by the matrix or by the
//!   page's `/Rotate`), because OCR reads the pixels as stored;
//! * it has no soft mask, colour-key mask or `/Decode` inversion, and no more
//!   than [`PdfLimits::max_image_pixels`].
//!
//! Everything else (CCITT fax and JBIG2 bilevel scans, JPEG 2000, indexed or
//! CMYK colour, masked images, inline images, vector-only pages) is
//! [`PageSource::NeedsRender`] and goes to [`super::render_page`].
//!
//! The placement maps the image's pixels to the page: an image XObject fills
//! the unit square under the current matrix, its first row at the top, so
//! pixel `(x, y)` of a `w × h` image lands at `CTM(x / w, 1 − y / h)`.

use std::sync::Arc;
use std::sync::mpsc::SyncSender;

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use lopdf::{Document, Object, Stream};
use serde::{Deserialize, Serialize};

use super::content::{ImageDraw, Interpreter, Sink, TextRun};
use super::font::deref;
use super::limits::Deadline;
use super::matrix::Matrix;
use super::text_layer::Placement;
use super::tree::{self, PageNode};
use super::{PdfError, PdfLimits, guard, image_info, load};

/// The image formats this module reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Tiff,
    Webp,
    Bmp,
}

/// An encoded image file.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedImage {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
}

impl std::fmt::Debug for EncodedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncodedImage").field("format", &self.format).field("bytes", &self.bytes.len()).finish()
    }
}

/// One page's image as handed to OCR, and where it sits on the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageImage {
    /// 1-based.
    pub page: u32,
    pub image: EncodedImage,
    pub width_px: u32,
    pub height_px: u32,
    /// Image pixels (x right, y down from the top-left) → PDF user space.
    pub placement: Placement,
}

/// What a page needs before OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PageSource {
    Extracted(PageImage),
    NeedsRender(RenderSpec),
}

/// A page to render with [`super::render_page`], and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderSpec {
    /// 1-based.
    pub page: u32,
    /// `[llx, lly, urx, ury]` in user space: what `pdftoppm` renders.
    pub media_box: [f64; 4],
    /// `/Rotate`: 0, 90, 180 or 270 (`pdftoppm` applies it).
    pub rotate: u32,
    /// Why the embedded image could not be used (for logs).
    pub reason: String,
}

/// Page sources for every page, in order. Holds all extracted images in
/// memory at once; [`for_each_page_image`] streams them instead.
///
/// Blocking; runs on its own thread under `limits.deadline`.
pub fn extract_page_images(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<PageSource>, PdfError> {
    let mut out = Vec::new();
    for_each_page_image(bytes, limits, |source| {
        out.push(source);
        Ok(())
    })?;
    Ok(out)
}

/// Like [`extract_page_images`], handing each page to `each` as soon as it is
/// ready (the reader stays at most one page ahead), so a long scan never sits
/// in memory whole. An error from `each` stops the walk and is returned.
pub fn for_each_page_image(
    bytes: &[u8],
    limits: &PdfLimits,
    each: impl FnMut(PageSource) -> Result<(), PdfError>,
) -> Result<(), PdfError> {
    load::sniff(bytes)?;
    let deadline = Deadline::after(limits.deadline);
    let bytes: Arc<[u8]> = Arc::from(bytes);
    let limits = limits.clone();
    guard::run_streaming(
        deadline,
        move |tx: &SyncSender<Result<PageSource, PdfError>>| {
            let doc = load::load(&bytes, false)?;
            let nodes = tree::pages(&doc, limits.max_pages, &deadline)?;
            let mut interpreter = Interpreter::new(&doc, deadline);
            for node in &nodes {
                deadline.check()?;
                let mut draws = Draws(Vec::new());
                interpreter.run_page(node, &mut draws)?;
                let source = choose(&doc, node, &draws.0, &limits);
                if tx.send(Ok(source)).is_err() {
                    // The consumer stopped (its callback failed, or it timed out).
                    return Ok(());
                }
            }
            Ok(())
        },
        each,
    )
}

struct Draws<'a>(Vec<ImageDraw<'a>>);

impl<'a> Sink<'a> for Draws<'a> {
    fn wants_text(&self) -> bool {
        false
    }
    fn text(&mut self, _run: TextRun<'_>) {}
    fn image(&mut self, draw: ImageDraw<'a>) {
        if self.0.len() < 10_000 {
            self.0.push(draw);
        }
    }
}

fn choose(doc: &Document, node: &PageNode, draws: &[ImageDraw<'_>], limits: &PdfLimits) -> PageSource {
    let render = |reason: &str| {
        PageSource::NeedsRender(RenderSpec {
            page: node.number,
            media_box: node.media_box.as_array(),
            rotate: node.rotate,
            reason: reason.to_string(),
        })
    };
    let page_area = node.media_box.width() * node.media_box.height();
    let Some((best_index, best)) =
        draws.iter().enumerate().max_by(|a, b| a.1.ctm.area_scale().total_cmp(&b.1.ctm.area_scale()))
    else {
        return render("no image on the page");
    };
    if best.ctm.area_scale() < 0.5 * page_area {
        return render("the largest image covers less than half the page");
    }
    if draws.iter().enumerate().any(|(i, d)| i != best_index && d.ctm.area_scale() > 0.05 * page_area) {
        return render("several images make up the page");
    }
    let Some(stream) = best.stream else { return render("inline image") };
    // OCR wants the text upright: an image stored sideways or mirrored (drawn
    // through a rotating or flipping matrix, or on a page with /Rotate) is
    // rendered instead, which turns it the way the reader sees it.
    let m = &best.ctm;
    let skew = m.b.abs().max(m.c.abs());
    if node.rotate != 0 || m.a <= 0.0 || m.d <= 0.0 || skew > 1e-3 * m.a.min(m.d) {
        return render("the image is not drawn upright");
    }
    match decode(doc, stream, limits.max_image_pixels) {
        Ok((image, w, h)) => {
            let m = &best.ctm;
            let (wf, hf) = (f64::from(w), f64::from(h));
            let placement = Matrix::new(m.a / wf, m.b / wf, -m.c / hf, -m.d / hf, m.c + m.e, m.d + m.f);
            PageSource::Extracted(PageImage { page: node.number, image, width_px: w, height_px: h, placement })
        }
        Err(reason) => render(&reason),
    }
}

/// Takes an image XObject out as a JPEG (passed through) or a PNG.
fn decode(doc: &Document, stream: &Stream, max_pixels: u64) -> Result<(EncodedImage, u32, u32), String> {
    let dict = &stream.dict;
    let int = |key: &[u8]| dict.get(key).ok().and_then(|v| deref(doc, v).as_i64().ok());
    let (Some(w), Some(h)) = (int(b"Width"), int(b"Height")) else { return Err("image without dimensions".into()) };
    let (Ok(w), Ok(h)) = (u32::try_from(w), u32::try_from(h)) else { return Err("bad image dimensions".into()) };
    if w == 0 || h == 0 || w > 65_535 || h > 65_535 {
        return Err("bad image dimensions".into());
    }
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(format!("the image has more than {max_pixels} pixels"));
    }
    if dict.get(b"ImageMask").ok().and_then(|m| deref(doc, m).as_bool().ok()) == Some(true) {
        return Err("stencil mask image".into());
    }
    if dict.has(b"SMask") || dict.has(b"Mask") {
        return Err("masked image".into());
    }
    if dict.has(b"Decode") {
        return Err("image with a /Decode array".into());
    }
    let components =
        color_components(doc, dict.get(b"ColorSpace").ok()).ok_or("colour space other than gray or RGB")?;
    let filters: Vec<Vec<u8>> = match dict.get(b"Filter").ok().map(|f| deref(doc, f)) {
        None | Some(Object::Null) => Vec::new(),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a.iter().filter_map(|n| deref(doc, n).as_name().ok().map(<[u8]>::to_vec)).collect(),
        Some(_) => return Err("bad /Filter".into()),
    };
    let bpc = int(b"BitsPerComponent").unwrap_or(8);
    match filters.last().map(Vec::as_slice) {
        Some(b"DCTDecode" | b"DCT") if filters.len() == 1 => {
            let info = image_info::jpeg(&stream.content).ok_or("unreadable JPEG header")?;
            if (info.width, info.height) != (w, h) || info.components != components {
                return Err("the JPEG disagrees with its image dictionary".into());
            }
            Ok((EncodedImage { bytes: stream.content.clone(), format: ImageFormat::Jpeg }, w, h))
        }
        Some(f) if !is_lossless(f) => Err(format!("{} image", String::from_utf8_lossy(f))),
        _ if filters.iter().any(|f| !is_lossless(f)) => Err("unsupported filter chain".into()),
        _ if bpc != 8 => Err(format!("{bpc}-bit samples")),
        _ => {
            let row = w as usize * usize::from(components);
            let size = row * h as usize;
            let samples = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream.decompressed_content_with_limit(size + 4096).map_err(|e| format!("image data: {e}"))?
            };
            let samples = samples.get(..size).ok_or("truncated image data")?;
            let color = if components == 1 { image::ExtendedColorType::L8 } else { image::ExtendedColorType::Rgb8 };
            let mut png = Vec::new();
            PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive)
                .write_image(samples, w, h, color)
                .map_err(|e| format!("PNG encoding: {e}"))?;
            Ok((EncodedImage { bytes: png, format: ImageFormat::Png }, w, h))
        }
    }
}

fn is_lossless(filter: &[u8]) -> bool {
    matches!(
        filter,
        b"FlateDecode"
            | b"Fl"
            | b"LZWDecode"
            | b"LZW"
            | b"ASCII85Decode"
            | b"A85"
            | b"ASCIIHexDecode"
            | b"AHx"
            | b"RunLengthDecode"
            | b"RL"
    )
}

/// 1 for gray, 3 for RGB; `None` for anything else.
fn color_components(doc: &Document, cs: Option<&Object>) -> Option<u8> {
    match deref(doc, cs?) {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Some(1),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(3),
            _ => None,
        },
        Object::Array(a) => match a.first().map(|f| deref(doc, f)) {
            Some(Object::Name(n)) if n == b"ICCBased" => {
                let profile = a.get(1).map(|p| deref(doc, p))?.as_stream().ok()?;
                match profile.dict.get(b"N").ok().map(|n| deref(doc, n)).and_then(|n| n.as_i64().ok()) {
                    Some(1) => Some(1),
                    Some(3) => Some(3),
                    _ => None,
                }
            }
            Some(Object::Name(n)) if n == b"CalGray" => Some(1),
            Some(Object::Name(n)) if n == b"CalRGB" => Some(3),
            _ => None,
        },
        _ => None,
    }
}
