//! `make_searchable_pdf`: the OCR pipeline of a document, fanned out over
//! the AI pool and gathered back on the CPU pool.
//!
//! 1. Page images come out of the document's PDF, in the parser sandbox:
//!    lopdf passes embedded JPEG/Flate images through; other pages are
//!    rendered by `pdftoppm`.
//! 2. One `ocr_image` child per page goes to the AI pool (fan-out), each
//!    carrying where its image sits on the page. Each has an idempotency key
//!    derived from the document and page, so a re-run after a crash finds
//!    its children instead of doubling them.
//! 3. The job then *waits without running* (`JobFailure::AwaitChildren`,
//!    see `runtime::fanin`): no slot is held, no page image stays in
//!    memory, nothing polls. Each child's end advances the progress; the
//!    last one queues this job again.
//! 4. The continuation reads its children's results (one query), and lopdf
//!    adds an invisible text layer (render mode 3) on the recognized boxes
//!    of each page, in the sandbox; the page images are not touched. A page
//!    whose OCR failed for good is kept without text and listed in
//!    `ocr_failed_pages`.

use std::collections::BTreeMap;

use meeteasy_models::{DocumentRecord, DocumentStatus, JobId, JobKind, JobStatus, OcrStatus};
use meeteasy_pipelines::pdf::{self, EncodedImage, PageImage, PageText, TextLine};
use serde::{Deserialize, Serialize};

use super::OcrImage;
use super::convert_document::{panicked, pdf_failure, result_of};
use crate::runtime::JobContext;
use crate::sandbox::PageSourceWire;
use crate::store::{BlobId, now};
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MakeSearchablePdf {
    pub document_id: JobId,
    /// 1-based pages to OCR; empty = every page.
    #[serde(default)]
    pub pages: Vec<u32>,
}

impl JobSpec for MakeSearchablePdf {
    const KIND: JobKind = JobKind::MakeSearchablePdf;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let Some(doc) = ctx.store.get_document(&ctx.tenant_id, self.document_id).await? else {
            return Err(JobFailure::abort("document.not_found", "the document is gone"));
        };
        if doc.ocr_status == OcrStatus::Done {
            return Ok(result_of(&doc));
        }
        let (Some(pdf_blob), DocumentStatus::Ready) = (doc.pdf_blob.clone(), doc.status) else {
            return Err(not_ready(&doc));
        };
        let Some((_, pdf_bytes)) = ctx.store.get_blob(&ctx.tenant_id, &BlobId(pdf_blob)).await? else {
            return Err(JobFailure::abort("document.missing", "the document's PDF is gone"));
        };
        if ctx.children > 0 {
            return finish(&ctx, doc, pdf_bytes).await;
        }
        let images = page_images(&ctx, pdf_bytes.clone(), &self.pages).await?;
        if images.is_empty() {
            return assemble(&ctx, doc, pdf_bytes, Vec::new()).await;
        }
        let total = u32::try_from(images.len()).unwrap_or(u32::MAX);
        for image in images {
            let (ext, mime) = super::searchable::image_file(image.image.format);
            let name = format!("page-{}.{ext}", image.page);
            let (blob, _) = ctx.store.put_blob(&ctx.tenant_id, &name, mime, image.image.bytes).await?;
            let job = OcrImage {
                blob_id: blob,
                document_id: Some(doc.id),
                page: Some(image.page),
                placement: Some(image.placement),
                max_pixels: ctx.services.documents.settings.max_image_pixels,
            };
            let key = format!("{}:{}:{}", OcrImage::KIND, doc.id, image.page);
            ctx.enqueue_child(job, key).await?;
        }
        ctx.progress(10).await;
        Err(JobFailure::AwaitChildren { children: total })
    }
}

/// The conversion queues this job just before it saves the document: a
/// document still being converted is waited for without spending an
/// attempt (for a while; a conversion that never finishes is retried and
/// ends this job in the end), a failed one ends it.
fn not_ready(doc: &DocumentRecord) -> JobFailure {
    if doc.status == DocumentStatus::Failed {
        return JobFailure::abort("document.failed", "the document could not be converted");
    }
    let recent = now() - doc.updated_at < chrono::TimeDelta::minutes(10);
    if doc.status == DocumentStatus::Processing && recent {
        JobFailure::defer("document.not_ready", std::time::Duration::from_millis(250))
    } else {
        JobFailure::retry("document.not_ready", "the document is not converted yet")
    }
}

/// The continuation: every child has ended; their results become the
/// text layer.
async fn finish(ctx: &JobContext, doc: DocumentRecord, pdf_bytes: Vec<u8>) -> Result<serde_json::Value, JobFailure> {
    let children = ctx.store.list_children(&ctx.tenant_id, ctx.job_id).await?;
    if children.iter().any(|c| !c.status.is_terminal()) {
        // Woken early (a child was retried by an operator meanwhile): wait on.
        return Err(JobFailure::AwaitChildren { children: ctx.children });
    }
    let mut pages = Vec::with_capacity(children.len());
    for child in &children {
        let Ok(job) = serde_json::from_value::<OcrImage>(child.payload.clone()) else { continue };
        let (Some(page), Some(placement)) = (job.page, job.placement) else { continue };
        let result = child.result.as_ref().filter(|_| child.status == JobStatus::Succeeded);
        if result.is_none() {
            tracing::warn!(page, error = ?child.error, "page OCR failed for good");
        }
        let dim = |k: &str| result.and_then(|r| r.get(k)).and_then(|v| v.as_u64()).unwrap_or(0);
        pages.push(PageText {
            page,
            placement,
            width_px: u32::try_from(dim("width")).unwrap_or(0),
            height_px: u32::try_from(dim("height")).unwrap_or(0),
            lines: result.map(lines_of).unwrap_or_default(),
            failed: result.is_none(),
        });
    }
    pages.sort_by_key(|p| p.page);
    pages.dedup_by_key(|p| p.page);
    assemble(ctx, doc, pdf_bytes, pages).await
}

/// Writes the text layer and records the searchable PDF on the document.
async fn assemble(
    ctx: &JobContext,
    mut doc: DocumentRecord,
    pdf_bytes: Vec<u8>,
    texts: Vec<PageText>,
) -> Result<serde_json::Value, JobFailure> {
    let total = texts.len();
    let failed: Vec<u32> = texts.iter().filter(|t| t.failed).map(|t| t.page).collect();
    let page_text: BTreeMap<u32, String> = texts
        .iter()
        .map(|t| (t.page, t.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")))
        .collect();
    let limits = ctx.services.documents.settings.pdf_limits();
    let (out, report) = ctx.services.sandbox.pdf_text_layer(pdf_bytes, texts, &limits).await?;

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
    doc.ocr_status = if total > 0 && doc.ocr_failed_pages.len() == total { OcrStatus::Failed } else { OcrStatus::Done };
    doc.ocr_job = Some(ctx.job_id);
    doc.updated_at = now();
    ctx.store.save_document(&doc).await?;
    let mut result = result_of(&doc);
    result["pages_ocr"] = serde_json::json!(total);
    result["ocr_failed_pages"] = serde_json::json!(doc.ocr_failed_pages);
    Ok(result)
}

/// The page images to OCR: passed through by lopdf where it can, rendered
/// by `pdftoppm` otherwise.
async fn page_images(ctx: &JobContext, pdf_bytes: Vec<u8>, wanted: &[u32]) -> Result<Vec<PageImage>, JobFailure> {
    let settings = &ctx.services.documents.settings;
    let (limits, dpi) = (settings.pdf_limits(), settings.ocr_dpi);
    let sources = ctx.services.sandbox.pdf_page_images(pdf_bytes.clone(), &limits, wanted).await?;
    let mut out = Vec::new();
    let mut file: Option<tempfile::NamedTempFile> = None;
    for (source, bytes) in sources {
        match (source, bytes) {
            (PageSourceWire::Extracted { page, format, width_px, height_px, placement }, Some(bytes)) => {
                out.push(PageImage { page, image: EncodedImage { bytes, format }, width_px, height_px, placement })
            }
            (PageSourceWire::NeedsRender(spec), _) => {
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
