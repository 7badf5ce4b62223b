//! The steps shared by `convert_document` and `make_searchable_pdf`:
//! deciding to OCR, and turning uploaded images into PDF pages.

use meeteasy_ai::ocr::input::image_dimensions;
use meeteasy_models::{DocumentRecord, OcrMode, OcrStatus};
use meeteasy_pipelines::documents::{DocType, sniff};
use meeteasy_pipelines::pdf::{self, EncodedImage, ImageFormat, PdfLimits, PdfReport};

use super::convert_document::pdf_failure;
use super::make_searchable_pdf::MakeSearchablePdf;
use crate::runtime::JobContext;
use crate::{JobFailure, JobSpec};

/// Queues the OCR step when the document needs it (`ocr=force`, or scanned
/// pages under `ocr=auto`), then marks the document's OCR `pending`; the
/// caller saves the record.
///
/// Enqueue first, then `pending`: a document is never `pending` without an
/// OCR job behind it. If the push fails, this attempt fails (to be retried)
/// and the document is untouched. If the process dies after the push but
/// before the save, the conversion's re-run queues again under the same
/// platform key, finds the job, and marks it. The OCR job itself waits
/// (`document.not_ready`, retried) until the conversion has saved the
/// document; a dead OCR job leaves OCR `failed` with its error
/// (`documents::state::fold_ocr`).
pub(crate) async fn maybe_start_ocr(ctx: &JobContext, doc: &mut DocumentRecord) -> Result<(), JobFailure> {
    let started = match doc.ocr_status {
        OcrStatus::None => false,
        OcrStatus::Pending => doc.ocr_job.is_some(),
        _ => true,
    };
    if !doc.needs_ocr || doc.ocr_mode == OcrMode::Skip || started {
        return Ok(());
    }
    let pages = if doc.ocr_mode == OcrMode::Force { Vec::new() } else { doc.scanned_pages.clone() };
    let job = MakeSearchablePdf { document_id: doc.id, pages };
    let key = format!("{}:{}", MakeSearchablePdf::KIND, doc.id);
    let rec = ctx.enqueue(job, Some(key)).await?;
    doc.ocr_status = OcrStatus::Pending;
    doc.ocr_job = Some(rec.id);
    Ok(())
}

/// Images of a multi-image (or single-image) upload → one PDF page each,
/// without text yet. Each image's header is checked against the pixel cap
/// before anything decodes it; JPEGs pass through untouched, other formats
/// are stored losslessly. Blocking; runs in the parser sandbox
/// ([`crate::sandbox::Op::ImagesToPdf`]).
pub(crate) fn images_to_pdf_blocking(
    images: Vec<Vec<u8>>,
    limits: PdfLimits,
    max_pixels: u64,
) -> Result<(Vec<u8>, PdfReport), JobFailure> {
    {
        let mut pages = Vec::with_capacity(images.len());
        for bytes in images {
            let ty = sniff(&bytes).map_err(|e| JobFailure::abort(e.code(), e.to_string()))?;
            let format = image_format(ty)
                .ok_or_else(|| JobFailure::abort("document.unsupported_format", "every file must be an image"))?;
            let (w, h) = image_dimensions(&bytes).map_err(|e| JobFailure::abort(e.code(), e.to_string()))?;
            if u64::from(w) * u64::from(h) > max_pixels {
                return Err(JobFailure::abort("image.too_large", format!("{w}x{h} is over {max_pixels} pixels")));
            }
            let page = if format == ImageFormat::Jpeg && !upright(&bytes) {
                // A phone photo stored sideways: PDF viewers ignore EXIF, so
                // the page gets the turned pixels (losslessly, as PNG).
                upright_png(&bytes, max_pixels)?
            } else {
                EncodedImage { bytes, format }
            };
            pages.push((page, Vec::new(), false));
        }
        let out = pdf::images_to_pdf(&pages, 200.0).map_err(pdf_failure)?;
        let report = pdf::inspect(&out, &limits).map_err(pdf_failure)?;
        Ok((out, report))
    }
}

/// A page image for OCR exactly as the PDF draws it. PDF viewers ignore a
/// JPEG's EXIF orientation, so OCR must too, or the boxes land elsewhere:
/// a JPEG carrying one is re-encoded (as PNG, no EXIF) with its stored pixels.
pub(crate) fn as_drawn(image: EncodedImage) -> Result<EncodedImage, JobFailure> {
    if image.format != ImageFormat::Jpeg || upright(&image.bytes) {
        return Ok(image);
    }
    let pixels = image::load_from_memory_with_format(&image.bytes, image::ImageFormat::Jpeg)
        .map_err(|e| JobFailure::abort("image.corrupt", e.to_string()))?;
    png_of(&pixels)
}

/// Pixels as a lossless PNG page image.
fn png_of(pixels: &image::DynamicImage) -> Result<EncodedImage, JobFailure> {
    let mut png = std::io::Cursor::new(Vec::new());
    pixels
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| JobFailure::abort("image.corrupt", e.to_string()))?;
    Ok(EncodedImage { bytes: png.into_inner(), format: ImageFormat::Png })
}

/// Whether a JPEG has no EXIF rotation to apply.
fn upright(jpeg: &[u8]) -> bool {
    use image::ImageDecoder;
    let reader = image::ImageReader::with_format(std::io::Cursor::new(jpeg), image::ImageFormat::Jpeg);
    let orientation = reader.into_decoder().ok().and_then(|mut d| d.orientation().ok());
    matches!(orientation, None | Some(image::metadata::Orientation::NoTransforms))
}

fn upright_png(jpeg: &[u8], max_pixels: u64) -> Result<EncodedImage, JobFailure> {
    let limits = meeteasy_ai::ocr::input::ImageLimits { max_pixels, ..Default::default() };
    let decoded =
        meeteasy_ai::ocr::input::decode_image(jpeg, &limits).map_err(|e| JobFailure::abort(e.code(), e.to_string()))?;
    png_of(&decoded.image)
}

fn image_format(ty: DocType) -> Option<ImageFormat> {
    match ty {
        DocType::Jpeg => Some(ImageFormat::Jpeg),
        DocType::Png => Some(ImageFormat::Png),
        DocType::Tiff => Some(ImageFormat::Tiff),
        DocType::Webp => Some(ImageFormat::Webp),
        DocType::Bmp => Some(ImageFormat::Bmp),
        _ => None,
    }
}

/// File extension and MIME type of a page image blob.
pub(crate) fn image_file(format: ImageFormat) -> (&'static str, &'static str) {
    match format {
        ImageFormat::Jpeg => ("jpg", "image/jpeg"),
        ImageFormat::Png => ("png", "image/png"),
        ImageFormat::Tiff => ("tiff", "image/tiff"),
        ImageFormat::Webp => ("webp", "image/webp"),
        ImageFormat::Bmp => ("bmp", "image/bmp"),
    }
}
