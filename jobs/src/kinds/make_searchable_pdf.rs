//! `make_searchable_pdf`: the OCR pipeline of a document, fanned out over
//! the AI pool and gathered back on the CPU pool.
//!
//! 1. Page images come out of the document's PDF: lopdf passes embedded
//!    JPEG/Flate images through; other pages are rendered by `pdftoppm`.
//! 2. One `ocr_image` job per page goes to the AI pool (fan-out). Each has
//!    an idempotency key derived from the document and page, so a re-run of
//!    this job after a crash finds its children instead of doubling them.
//! 3. This job waits for every child to finish (fan-in), reporting pages
//!    done as progress. Children retry on their own; a page whose OCR fails
//!    for good is kept without text and listed in `ocr_failed_pages`.
//! 4. lopdf adds an invisible text layer (render mode 3) on the recognized
//!    boxes of each page; the page images are not touched.
//!
//! Why wait in a job rather than chain callbacks: the fan-in then survives
//! crashes by construction (the re-run re-attaches to the same children),
//! and it holds only a `make_searchable_pdf` slot, not a conversion slot.

use std::collections::BTreeMap;
use std::time::Duration;

use meeteasy_models::{DocumentStatus, JobId, JobKind, JobStatus, OcrStatus};
use meeteasy_pipelines::pdf::{self, PageImage, PageSource, PageText, TextLine};
use serde::{Deserialize, Serialize};

use super::OcrImage;
use super::convert_document::{panicked, pdf_failure, result_of};
use crate::runtime::JobContext;
use crate::store::{BlobId, now};
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MakeSearchablePdf {
    pub document_id: JobId,
    /// 1-based pages to OCR; empty = every page.
    #[serde(default)]
    pub pages: Vec<u32>,
}

/// How often the fan-in looks at its children.
const POLL: Duration = Duration::from_millis(200);

struct Child {
    job: JobId,
    image: PageImage,
}

impl JobSpec for MakeSearchablePdf {
    const KIND: JobKind = JobKind::MakeSearchablePdf;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let Some(mut doc) = ctx.store.get_document(&ctx.tenant_id, self.document_id).await? else {
            return Err(JobFailure::abort("document.not_found", "the document is gone"));
        };
        if doc.ocr_status == OcrStatus::Done {
            return Ok(result_of(&doc));
        }
        let (Some(pdf_blob), DocumentStatus::Ready) = (doc.pdf_blob.clone(), doc.status) else {
            return Err(JobFailure::retry("document.not_ready", "the document is not converted yet"));
        };
        let Some((_, pdf_bytes)) = ctx.store.get_blob(&ctx.tenant_id, &BlobId(pdf_blob)).await? else {
            return Err(JobFailure::abort("document.missing", "the document's PDF is gone"));
        };
        let images = page_images(&ctx, pdf_bytes.clone(), &self.pages).await?;
        let total = images.len();
        let mut children = Vec::with_capacity(total);
        for image in images {
            let encoded = image.image.clone();
            let encoded =
                tokio::task::spawn_blocking(move || super::searchable::as_drawn(encoded)).await.map_err(panicked)??;
            let (ext, mime) = super::searchable::image_file(encoded.format);
            let name = format!("page-{}.{ext}", image.page);
            let (blob, _) = ctx.store.put_blob(&ctx.tenant_id, &name, mime, encoded.bytes).await?;
            let job = OcrImage {
                blob_id: blob,
                document_id: Some(doc.id),
                page: Some(image.page),
                max_pixels: ctx.services.documents.settings.max_image_pixels,
            };
            let key = format!("{}:{}:{}", OcrImage::KIND, doc.id, image.page);
            let rec = ctx.enqueue(job, Some(key)).await?;
            children.push(Child { job: rec.id, image });
        }
        ctx.progress(10).await;
        let results = fan_in(&ctx, &children).await?;

        let mut texts = Vec::with_capacity(total);
        let mut failed = Vec::new();
        let mut page_text = BTreeMap::new();
        for child in &children {
            let result = results.get(&child.job).cloned().flatten();
            let lines = result.as_ref().map(lines_of).unwrap_or_default();
            if result.is_none() {
                failed.push(child.image.page);
            }
            page_text.insert(child.image.page, lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n"));
            texts.push(PageText {
                page: child.image.page,
                placement: child.image.placement,
                width_px: child.image.width_px,
                height_px: child.image.height_px,
                lines,
                failed: result.is_none(),
            });
        }
        let limits = ctx.services.documents.settings.pdf_limits();
        let (out, report) = tokio::task::spawn_blocking(move || {
            let out = pdf::add_text_layer(&pdf_bytes, &texts)?;
            let report = pdf::inspect(&out, &limits)?;
            Ok((out, report))
        })
        .await
        .map_err(panicked)?
        .map_err(pdf_failure)?;

        // The text of OCR'd pages is what OCR read; other pages keep theirs.
        let mut pages = report.pages.clone();
        for p in &mut pages {
            if let Some(t) = page_text.get(&p.number).filter(|t| !t.is_empty() || p.text.trim().is_empty()) {
                p.text = t.clone();
            }
        }
        let (pdf_id, pdf_meta) = ctx.store.put_blob(&ctx.tenant_id, "searchable.pdf", "application/pdf", out).await?;
        let (text_id, _) = ctx
            .store
            .put_blob(&ctx.tenant_id, "text.json", "application/json", super::document_text::text_blob(&pages))
            .await?;
        doc.pdf_blob = Some(pdf_id.0);
        doc.pdf_size = Some(pdf_meta.size);
        doc.text_blob = Some(text_id.0);
        doc.has_text = Some(pages.iter().any(|p| !p.text.trim().is_empty()));
        doc.ocr_failed_pages = failed;
        doc.ocr_status =
            if total > 0 && doc.ocr_failed_pages.len() == total { OcrStatus::Failed } else { OcrStatus::Done };
        doc.ocr_job = Some(ctx.job_id);
        doc.updated_at = now();
        ctx.store.save_document(&doc).await?;
        let mut result = result_of(&doc);
        result["pages_ocr"] = serde_json::json!(total);
        result["ocr_failed_pages"] = serde_json::json!(doc.ocr_failed_pages);
        Ok(result)
    }
}

/// The page images to OCR: passed through by lopdf where it can, rendered
/// by `pdftoppm` otherwise.
async fn page_images(ctx: &JobContext, pdf_bytes: Vec<u8>, wanted: &[u32]) -> Result<Vec<PageImage>, JobFailure> {
    let settings = &ctx.services.documents.settings;
    let (limits, dpi) = (settings.pdf_limits(), settings.ocr_dpi);
    let wanted = wanted.to_vec();
    let keep = move |page: u32| wanted.is_empty() || wanted.contains(&page);
    let (sources, pdf_bytes) = {
        let limits = limits.clone();
        tokio::task::spawn_blocking(move || pdf::extract_page_images(&pdf_bytes, &limits).map(|s| (s, pdf_bytes)))
            .await
            .map_err(panicked)?
            .map_err(pdf_failure)?
    };
    let mut out = Vec::new();
    let mut file: Option<tempfile::NamedTempFile> = None;
    for source in sources {
        match source {
            PageSource::Extracted(img) if keep(img.page) => out.push(img),
            PageSource::NeedsRender(spec) if keep(spec.page) => {
                if file.is_none() {
                    file = Some(write_temp(&pdf_bytes).await?);
                }
                if let Some(f) = &file {
                    out.push(
                        pdf::render_page(f.path(), &spec, dpi, limits.max_image_pixels, limits.deadline)
                            .await
                            .map_err(pdf_failure)?,
                    );
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// `pdftoppm` reads a file; the PDF goes to a private temp file for it.
async fn write_temp(bytes: &[u8]) -> Result<tempfile::NamedTempFile, JobFailure> {
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut f = tempfile::NamedTempFile::new()?;
        std::io::Write::write_all(&mut f, &bytes)?;
        Ok::<_, std::io::Error>(f)
    })
    .await
    .map_err(panicked)?
    .map_err(|e| JobFailure::retry("document.io", e.to_string()))
}

/// Waits for every child; `None` for a page whose OCR failed for good.
async fn fan_in(
    ctx: &JobContext,
    children: &[Child],
) -> Result<BTreeMap<JobId, Option<serde_json::Value>>, JobFailure> {
    let mut done: BTreeMap<JobId, Option<serde_json::Value>> = BTreeMap::new();
    let total = children.len().max(1);
    let mut reported = 0u8;
    loop {
        let pending: Vec<&Child> = children.iter().filter(|c| !done.contains_key(&c.job)).collect();
        for child in pending {
            let Some(rec) = ctx.store.get_job(&ctx.tenant_id, child.job).await? else {
                done.insert(child.job, None);
                continue;
            };
            match rec.status {
                JobStatus::Succeeded => {
                    done.insert(child.job, rec.result);
                }
                JobStatus::Dead | JobStatus::Cancelled => {
                    tracing::warn!(page = child.image.page, error = ?rec.error, "page OCR failed for good");
                    done.insert(child.job, None);
                }
                _ => {}
            }
        }
        let pct = 10 + (80 * done.len() / total) as u8;
        if pct != reported {
            ctx.progress(pct).await;
            reported = pct;
        }
        if done.len() == children.len() {
            return Ok(done);
        }
        tokio::time::sleep(POLL).await;
    }
}

fn lines_of(result: &serde_json::Value) -> Vec<TextLine> {
    let Some(lines) = result.get("lines").and_then(|l| l.as_array()) else { return Vec::new() };
    lines
        .iter()
        .filter_map(|l| {
            let text = l.get("text")?.as_str()?.to_string();
            let confidence = l.get("confidence").and_then(|c| c.as_f64()).unwrap_or(0.0) as f32;
            let pts: Vec<[f32; 2]> = serde_json::from_value(l.get("box")?.clone()).ok()?;
            let quad: [[f32; 2]; 4] = pts.try_into().ok()?;
            Some(TextLine { text, quad, confidence })
        })
        .collect()
}
