//! Runs one [`Op`] on its input blobs: the code that touches hostile bytes.
//!
//! This is what the child process executes (and what runs in-process when
//! isolation is off). Everything here is blocking; nothing here knows it
//! may be in a child, so the same code is exercised either way.

use meeteasy_ai::asr::decode_audio;
use meeteasy_ai::ocr::flatten_to_rgb;
use meeteasy_ai::ocr::input::{ImageLimits, decode_image};
use meeteasy_pipelines::documents::check_container;
use meeteasy_pipelines::pdf::{self, PageSource, PdfError, PdfLimits};
use serde_json::{Value, json};

use super::op::{Op, PageSourceWire, Refusal};
use crate::JobFailure;

/// An op's answer: a JSON header and its blobs.
pub type Answer = (Value, Vec<Vec<u8>>);

pub fn execute(op: Op, mut blobs: Vec<Vec<u8>>) -> Result<Answer, Refusal> {
    let first = |blobs: &mut Vec<Vec<u8>>| {
        if blobs.is_empty() { Err(refusal("sandbox.bad_request", "no input", false)) } else { Ok(blobs.swap_remove(0)) }
    };
    match op {
        Op::PdfInspect { limits } => {
            let report = pdf::inspect(&first(&mut blobs)?, &PdfLimits::from(limits)).map_err(pdf_refusal)?;
            Ok((to_json(&report)?, Vec::new()))
        }
        Op::PdfNormalize { limits } => {
            let n = pdf::normalize(&first(&mut blobs)?, &PdfLimits::from(limits)).map_err(pdf_refusal)?;
            let header = json!({"report": n.report, "repaired": n.repaired, "repair_note": n.repair_note});
            Ok((header, vec![n.pdf]))
        }
        Op::PdfPageImages { limits, wanted } => page_images(&first(&mut blobs)?, &PdfLimits::from(limits), &wanted),
        Op::PdfTextLayer { limits, pages } => {
            let out = pdf::add_text_layer(&first(&mut blobs)?, &pages).map_err(pdf_refusal)?;
            let report = pdf::inspect(&out, &PdfLimits::from(limits)).map_err(pdf_refusal)?;
            Ok((to_json(&report)?, vec![out]))
        }
        Op::ImagesToPdf { limits, max_pixels } => {
            let (out, report) =
                crate::kinds::searchable::images_to_pdf_blocking(blobs, PdfLimits::from(limits), max_pixels)
                    .map_err(Refusal::from)?;
            Ok((to_json(&report)?, vec![out]))
        }
        Op::CheckContainer { ty, limits } => {
            check_container(&first(&mut blobs)?, ty, &limits).map_err(|e| refusal(e.code(), e.to_string(), false))?;
            Ok((Value::Null, Vec::new()))
        }
        Op::DecodeAudio { max_duration_ms } => {
            let max = std::time::Duration::from_millis(max_duration_ms.max(1));
            let audio = decode_audio(&first(&mut blobs)?, max).map_err(|e| refusal(e.code(), e.to_string(), false))?;
            let header = json!({
                "sample_rate": audio.sample_rate,
                "channels": audio.channels,
                "duration_s": audio.duration.as_secs_f64(),
            });
            let pcm = audio.samples.iter().flat_map(|s| s.to_le_bytes()).collect();
            Ok((header, vec![pcm]))
        }
        Op::DecodeImage { max_pixels, max_side, max_alloc_bytes } => {
            let limits = ImageLimits { max_pixels, max_side, max_alloc_bytes };
            let decoded =
                decode_image(&first(&mut blobs)?, &limits).map_err(|e| refusal(e.code(), e.to_string(), false))?;
            let rgb = flatten_to_rgb(&decoded.image);
            drop(decoded.image);
            let header = json!({"format": decoded.format, "width": rgb.width(), "height": rgb.height()});
            Ok((header, vec![rgb.into_raw()]))
        }
    }
}

/// Page images for OCR, each as the page draws it (see `as_drawn`).
fn page_images(bytes: &[u8], limits: &PdfLimits, wanted: &[u32]) -> Result<Answer, Refusal> {
    let keep = |page: u32| wanted.is_empty() || wanted.contains(&page);
    let mut entries = Vec::new();
    let mut images = Vec::new();
    let mut failure = None;
    pdf::for_each_page_image(bytes, limits, |source| {
        match source {
            PageSource::Extracted(img) if keep(img.page) => match crate::kinds::searchable::as_drawn(img.image) {
                Ok(image) => {
                    entries.push(PageSourceWire::Extracted {
                        page: img.page,
                        format: image.format,
                        width_px: img.width_px,
                        height_px: img.height_px,
                        placement: img.placement,
                    });
                    images.push(image.bytes);
                }
                Err(f) => {
                    failure = Some(f);
                    return Err(PdfError::Image("a page image could not be read".into()));
                }
            },
            PageSource::NeedsRender(spec) if keep(spec.page) => entries.push(PageSourceWire::NeedsRender(spec)),
            _ => {}
        }
        Ok(())
    })
    .map_err(|e| failure.take().map(Refusal::from).unwrap_or_else(|| pdf_refusal(e)))?;
    Ok((to_json(&entries)?, images))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, Refusal> {
    serde_json::to_value(v).map_err(|e| refusal("sandbox.output", e.to_string(), false))
}

fn pdf_refusal(e: PdfError) -> Refusal {
    refusal(e.code(), e.to_string(), false)
}

fn refusal(code: &str, message: impl Into<String>, retry: bool) -> Refusal {
    Refusal { code: code.to_string(), message: message.into(), retry }
}

impl From<JobFailure> for Refusal {
    fn from(f: JobFailure) -> Self {
        refusal(f.code(), f.message(), !matches!(f, JobFailure::Abort { .. }))
    }
}

impl From<Refusal> for JobFailure {
    fn from(r: Refusal) -> Self {
        if r.retry { JobFailure::retry(r.code, r.message) } else { JobFailure::abort(r.code, r.message) }
    }
}
