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
/// pages under `ocr=auto`). The record is saved first, so the OCR job never
/// sees a document that is not ready yet.
///
/// Never stuck `pending`: when the OCR job cannot be queued, the document
/// goes back to no OCR and this attempt fails (to be retried); a re-run
/// that finds `pending` without an OCR job (a crash between the two writes)
/// queues it again, and the platform key finds the job if it was queued.
pub(crate) async fn maybe_start_ocr(ctx: &JobContext, doc: &mut DocumentRecord) -> Result<(), JobFailure> {
    let started = match doc.ocr_status {
        OcrStatus::None => false,
        OcrStatus::Pending => doc.ocr_job.is_some(),
        _ => true,
    };
    if !doc.needs_ocr || doc.ocr_mode == OcrMode::Skip || started {
        return Ok(());
    }
    doc.ocr_status = OcrStatus::Pending;
    ctx.store.save_document(doc).await?;
    let pages = if doc.ocr_mode == OcrMode::Force { Vec::new() } else { doc.scanned_pages.clone() };
    let job = MakeSearchablePdf { document_id: doc.id, pages };
    let key = format!("{}:{}", MakeSearchablePdf::KIND, doc.id);
    match ctx.enqueue(job, Some(key)).await {
        Ok(rec) => {
            doc.ocr_job = Some(rec.id);
            Ok(())
        }
        Err(e) => {
            doc.ocr_status = OcrStatus::None;
            if let Err(save) = ctx.store.save_document(doc).await {
                tracing::warn!(error = %save, "could not take back the pending OCR state");
            }
            Err(e)
        }
    }
}

/// Images of a multi-image (or single-image) upload → one PDF page each,
/// without text yet. Each image's header is checked against the pixel cap
/// before anything decodes it; JPEGs pass through untouched, other formats
/// are stored losslessly.
pub(crate) async fn images_to_pdf(
    images: Vec<Vec<u8>>,
    limits: PdfLimits,
    max_pixels: u64,
) -> Result<(Vec<u8>, PdfReport), JobFailure> {
    tokio::task::spawn_blocking(move || {
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
    })
    .await
    .map_err(super::convert_document::panicked)?
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
