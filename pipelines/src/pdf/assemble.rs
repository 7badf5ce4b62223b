//! Searchable PDFs: an invisible text layer added to an existing scanned PDF,
//! or a new PDF built from uploaded images, one page per image.
//!
//! Adding to an existing PDF keeps every page as it was: its content streams
//! and XObjects are not touched. The page's `/Contents` becomes
//! `[q-stream, original streams…, Q + text layer]`: the `q … Q` bracket makes
//! sure whatever graphics state the original content leaves behind (an
//! unclosed `cm`, a clip) cannot displace the layer. The page gets its own
//! `/Resources` (a shallow copy of the inherited ones plus the layer's font),
//! so resource dictionaries shared with other pages are not changed either.
//! The document is written with a full lopdf save, so a file that was opened
//! with the empty owner password is written out decrypted.
//!
//! A page whose OCR failed for good is kept, gets no text, and is marked in
//! two places: its page dictionary gets `/MeetEasyOcr (failed)`, and the
//! document information dictionary gets `/MeetEasyOcrFailedPages (2, 5)`
//! listing all of them (which `pdfinfo -custom`-style tools show without
//! walking pages).

use std::sync::Arc;
use std::time::Duration;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::font::deref;
use super::images::{EncodedImage, ImageFormat};
use super::limits::Deadline;
use super::text_layer::{
    OCR_FAILED_KEY, OCR_FAILED_PAGES_INFO_KEY, PageText, TextLine, add_font, compressed, dict, failed_marker, name,
    num, numbers, page_ops,
};
use super::{PdfError, guard, image_info, load, tree};

/// Time allowed for [`add_text_layer`] (load, edit, save).
const ASSEMBLE_DEADLINE: Duration = Duration::from_secs(120);
/// Pixel cap for [`images_to_pdf`] inputs.
const MAX_INPUT_PIXELS: u64 = 60_000_000;
/// Bytes [`images_to_pdf`] lets the image decoder allocate.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// Adds the recognized text of `pages` to `original_pdf` as an invisible layer.
/// Pages not listed are left as they are.
///
/// Blocking; runs on its own thread.
pub fn add_text_layer(original_pdf: &[u8], pages: &[PageText]) -> Result<Vec<u8>, PdfError> {
    load::sniff(original_pdf)?;
    let deadline = Deadline::after(ASSEMBLE_DEADLINE);
    let bytes: Arc<[u8]> = Arc::from(original_pdf);
    let pages = pages.to_vec();
    guard::run(deadline, move || {
        let mut doc = load::load(&bytes, false)?;
        let nodes = tree::pages(&doc, u32::MAX, &deadline)?;
        let count = nodes.len() as u32;
        if let Some(bad) = pages.iter().find(|p| p.page == 0 || p.page > count) {
            return Err(PdfError::PageOutOfRange { page: bad.page, pages: count });
        }
        let mut font: Option<ObjectId> = None;
        let mut failed = Vec::new();
        for text in &pages {
            deadline.check()?;
            let node = &nodes[text.page as usize - 1];
            if text.failed {
                page_mut(&mut doc, node.id)?.set(OCR_FAILED_KEY, failed_marker());
                failed.push(text.page);
                continue;
            }
            let mut resources = node.resources.and_then(|r| r.resolve(&doc)).cloned().unwrap_or_default();
            let mut fonts =
                resources.get(b"Font").ok().and_then(|f| deref(&doc, f).as_dict().ok()).cloned().unwrap_or_default();
            let font_name = unused_name(&fonts);
            let ops = page_ops(&text.lines, &text.placement, &font_name);
            if ops.is_empty() {
                continue;
            }
            let font_id = *font.get_or_insert_with(|| add_font(&mut doc));
            fonts.set(font_name.as_str(), Object::Reference(font_id));
            resources.set("Font", Object::Dictionary(fonts));
            let mut contents = match page_mut(&mut doc, node.id)?.get(b"Contents") {
                Ok(Object::Array(items)) => items.clone(),
                Ok(Object::Reference(id)) => vec![Object::Reference(*id)],
                _ => Vec::new(),
            };
            // `/Contents 5 0 R` where object 5 is itself an array of streams.
            if let [Object::Reference(id)] = contents.as_slice()
                && let Ok(Object::Array(items)) = doc.get_object(*id)
            {
                contents = items.clone();
            }
            let open = doc.add_object(Stream::new(Dictionary::new(), b"q\n".to_vec()));
            let mut layer = b"Q\nq\n".to_vec();
            layer.extend(ops);
            layer.extend(b"Q\n");
            let layer = doc.add_object(compressed(Dictionary::new(), &layer));
            let mut all = vec![Object::Reference(open)];
            all.extend(contents);
            all.push(Object::Reference(layer));
            let page = page_mut(&mut doc, node.id)?;
            page.set("Resources", Object::Dictionary(resources));
            page.set("Contents", Object::Array(all));
        }
        if !failed.is_empty() {
            mark_failed_pages(&mut doc, &failed);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
        Ok(out)
    })
}

/// Builds a PDF with one page per image: the image at its own size (from its
/// declared resolution, else `dpi_default`), with its recognized lines as an
/// invisible text layer. A page whose OCR `failed` is kept without text and
/// marked. JPEGs in gray or RGB are embedded as they are (`/DCTDecode`); every
/// other image is decoded and stored as 8-bit gray or RGB samples, Flate
/// compressed, with transparency flattened onto white. EXIF orientation is
/// not applied: the page shows the pixels in stored order, the order OCR's
/// boxes refer to.
pub fn images_to_pdf(pages: &[(EncodedImage, Vec<TextLine>, bool)], dpi_default: f32) -> Result<Vec<u8>, PdfError> {
    if pages.is_empty() {
        return Err(PdfError::Image("no images to assemble".into()));
    }
    let dpi_default = if dpi_default.is_finite() && dpi_default > 0.0 { f64::from(dpi_default) } else { 72.0 };
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut font: Option<ObjectId> = None;
    let mut kids = Vec::new();
    let mut failed = Vec::new();
    for (index, (image, lines, ocr_failed)) in pages.iter().enumerate() {
        let prepared = prepare(image)?;
        let dpi = |d: f64| if (36.0..=4800.0).contains(&d) { d } else { dpi_default };
        let (dpi_x, dpi_y) = prepared.dpi.map_or((dpi_default, dpi_default), |(x, y)| (dpi(x), dpi(y)));
        let (w_pt, h_pt) = (f64::from(prepared.width) * 72.0 / dpi_x, f64::from(prepared.height) * 72.0 / dpi_y);
        let image_id = doc.add_object(prepared.stream);
        let placement = super::Matrix::new(72.0 / dpi_x, 0.0, 0.0, -72.0 / dpi_y, 0.0, h_pt);
        let mut content = format!("q {} 0 0 {} 0 0 cm /Im0 Do Q\n", num(w_pt), num(h_pt)).into_bytes();
        let mut resources = Dictionary::new();
        resources.set("XObject", dict(vec![("Im0", Object::Reference(image_id))]));
        if !ocr_failed {
            let ops = page_ops(lines, &placement, "MeOcr");
            if !ops.is_empty() {
                let font_id = *font.get_or_insert_with(|| add_font(&mut doc));
                resources.set("Font", dict(vec![("MeOcr", Object::Reference(font_id))]));
                content.extend(b"q\n");
                content.extend(ops);
                content.extend(b"Q\n");
            }
        }
        let content_id = doc.add_object(compressed(Dictionary::new(), &content));
        let mut page = Dictionary::new();
        page.set("Type", name("Page"));
        page.set("Parent", Object::Reference(pages_id));
        page.set("MediaBox", numbers(&[0.0, 0.0, w_pt, h_pt]));
        page.set("Resources", Object::Dictionary(resources));
        page.set("Contents", Object::Reference(content_id));
        if *ocr_failed {
            page.set(OCR_FAILED_KEY, failed_marker());
            failed.push(index as u32 + 1);
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        dict(vec![("Type", name("Pages")), ("Kids", Object::Array(kids)), ("Count", Object::Integer(count))]),
    );
    let catalog = doc.add_object(dict(vec![("Type", name("Catalog")), ("Pages", Object::Reference(pages_id))]));
    doc.trailer.set("Root", Object::Reference(catalog));
    let info = doc.add_object(dict(vec![("Producer", Object::string_literal("MeetEasy"))]));
    doc.trailer.set("Info", Object::Reference(info));
    if !failed.is_empty() {
        mark_failed_pages(&mut doc, &failed);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

fn page_mut(doc: &mut Document, id: ObjectId) -> Result<&mut Dictionary, PdfError> {
    doc.get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| PdfError::Malformed(format!("page object {id:?}: {e}")))
}

/// A `/Font` resource name not used on the page yet.
fn unused_name(fonts: &Dictionary) -> String {
    (0..)
        .map(|i| if i == 0 { "MeOcr".to_string() } else { format!("MeOcr{i}") })
        .find(|n| !fonts.has(n.as_bytes()))
        .unwrap_or_else(|| "MeOcr".to_string())
}

fn mark_failed_pages(doc: &mut Document, failed: &[u32]) {
    let list = failed.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    let value = Object::String(list.into_bytes(), StringFormat::Literal);
    let info_id = match doc.trailer.get(b"Info") {
        Ok(Object::Reference(id)) if matches!(doc.get_object(*id), Ok(Object::Dictionary(_))) => Some(*id),
        _ => None,
    };
    match info_id {
        Some(id) => {
            if let Ok(Object::Dictionary(info)) = doc.get_object_mut(id) {
                info.set(OCR_FAILED_PAGES_INFO_KEY, value);
            }
        }
        None => {
            let mut info = match doc.trailer.get(b"Info") {
                Ok(Object::Dictionary(d)) => d.clone(),
                _ => Dictionary::new(),
            };
            info.set(OCR_FAILED_PAGES_INFO_KEY, value);
            let id = doc.add_object(info);
            doc.trailer.set("Info", Object::Reference(id));
        }
    }
}

struct Prepared {
    stream: Stream,
    width: u32,
    height: u32,
    dpi: Option<(f64, f64)>,
}

/// An image as a PDF image XObject.
fn prepare(image: &EncodedImage) -> Result<Prepared, PdfError> {
    if image.format == ImageFormat::Jpeg
        && let Some(info) = image_info::jpeg(&image.bytes)
        && matches!(info.components, 1 | 3)
        && info.width > 0
        && info.height > 0
    {
        if u64::from(info.width) * u64::from(info.height) > MAX_INPUT_PIXELS {
            return Err(PdfError::Image(format!("more than {MAX_INPUT_PIXELS} pixels")));
        }
        let mut d = Dictionary::new();
        d.set("Type", name("XObject"));
        d.set("Subtype", name("Image"));
        d.set("Width", i64::from(info.width));
        d.set("Height", i64::from(info.height));
        d.set("ColorSpace", name(if info.components == 1 { "DeviceGray" } else { "DeviceRGB" }));
        d.set("BitsPerComponent", 8i64);
        d.set("Filter", name("DCTDecode"));
        return Ok(Prepared {
            stream: Stream::new(d, image.bytes.clone()).with_compression(false),
            width: info.width,
            height: info.height,
            dpi: info.dpi,
        });
    }
    let format = match image.format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Tiff => image::ImageFormat::Tiff,
        ImageFormat::Webp => image::ImageFormat::WebP,
        ImageFormat::Bmp => image::ImageFormat::Bmp,
    };
    let reader = || image::ImageReader::with_format(std::io::Cursor::new(&image.bytes), format);
    let (w, h) = reader().into_dimensions().map_err(|e| PdfError::Image(e.to_string()))?;
    if w == 0 || h == 0 || u64::from(w) * u64::from(h) > MAX_INPUT_PIXELS {
        return Err(PdfError::Image(format!("{w}×{h} pixels is outside 1..{MAX_INPUT_PIXELS}")));
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut decoder = reader();
    decoder.limits(limits);
    let decoded = decoder.decode().map_err(|e| PdfError::Image(e.to_string()))?;
    let gray = !decoded.color().has_color();
    let (samples, color_space) = if gray {
        let la = decoded.to_luma_alpha8();
        (la.pixels().map(|p| over_white(p.0[0], p.0[1])).collect::<Vec<u8>>(), "DeviceGray")
    } else {
        let rgba = decoded.to_rgba8();
        let mut out = Vec::with_capacity(w as usize * h as usize * 3);
        for p in rgba.pixels() {
            out.extend([over_white(p.0[0], p.0[3]), over_white(p.0[1], p.0[3]), over_white(p.0[2], p.0[3])]);
        }
        (out, "DeviceRGB")
    };
    let mut d = Dictionary::new();
    d.set("Type", name("XObject"));
    d.set("Subtype", name("Image"));
    d.set("Width", i64::from(w));
    d.set("Height", i64::from(h));
    d.set("ColorSpace", name(color_space));
    d.set("BitsPerComponent", 8i64);
    let dpi = if image.format == ImageFormat::Png { image_info::png_dpi(&image.bytes) } else { None };
    Ok(Prepared { stream: compressed(d, &samples), width: w, height: h, dpi })
}

fn over_white(value: u8, alpha: u8) -> u8 {
    let (v, a) = (u32::from(value), u32::from(alpha));
    ((v * a + 255 * (255 - a) + 127) / 255) as u8
}
