//! `convert_document`: an organizer's upload becomes a PDF plus its text.
//!
//! * Office files go through the resident LibreOffice pool, then lopdf reads
//!   the result (page count, metadata, text per page).
//! * PDFs are never converted: lopdf validates and repair-saves them.
//! * Images (scans) become one PDF page each.
//!
//! Before any of that the bytes are recognized again (the API already did,
//! but the worker trusts nothing it did not check itself) and the container
//! is checked for bombs and encryption. Bad input is an Abort with a stable
//! code; a hung or crashed LibreOffice is a Retry, so a document that hangs
//! LibreOffice every time ends `dead` with `document.conversion_timeout`
//! after the configured attempts. Container checks and every lopdf parse run
//! in the parser sandbox (a limited child process, see `crate::sandbox`): a
//! file crafted to exhaust memory ends `dead` with `document.resource_limit`
//! and costs the worker nothing.
//!
//! Idempotent: a document already `ready` is returned as is; blobs are
//! content-addressed, so a re-run after a crash stores nothing twice.

use meeteasy_models::{DocumentRecord, DocumentStatus, JobError, JobId, JobKind, OcrMode, OcrStatus, TenantId};
use meeteasy_pipelines::documents::{DocFamily, DocType, DocumentError, sniff};
use meeteasy_pipelines::office::OfficeError;
use meeteasy_pipelines::pdf::{PdfError, PdfReport};
use serde::{Deserialize, Serialize};

use super::document_text::{self, text_blob};
use crate::runtime::JobContext;
use crate::store::{BlobId, now};
use crate::{JobFailure, JobSpec};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvertDocument {
    pub blob_id: BlobId,
    /// Further images of a multi-image upload (pages 2…), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_blobs: Vec<BlobId>,
    /// Sanitized, for display only; never used as a path.
    pub filename: String,
    /// Recognized from the bytes by the API; `None` when the container is
    /// damaged or encrypted (the worker then says exactly why it fails).
    pub source_type: Option<DocType>,
    #[serde(default)]
    pub ocr: OcrMode,
    /// Bytes uploaded (all files).
    pub size: u64,
}

impl ConvertDocument {
    /// The record the API writes on upload (and the worker, should it run first).
    pub fn new_record(&self, tenant: &TenantId, id: JobId) -> DocumentRecord {
        let t = now();
        DocumentRecord {
            id,
            tenant_id: tenant.clone(),
            status: DocumentStatus::Processing,
            filename: self.filename.clone(),
            content_type: self.source_type.map_or("application/octet-stream", DocType::mime).to_string(),
            source_type: self.source_type.map_or("unknown", DocType::ext).to_string(),
            size: self.size,
            source_blob: self.blob_id.0.clone(),
            ocr_mode: self.ocr,
            pdf_blob: None,
            pdf_size: None,
            text_blob: None,
            page_count: None,
            has_text: None,
            needs_ocr: false,
            scanned_pages: Vec::new(),
            metadata: Default::default(),
            ocr_status: OcrStatus::None,
            ocr_job: None,
            ocr_failed_pages: Vec::new(),
            error: None,
            created_at: t,
            updated_at: t,
        }
    }
}

fn document_failure(e: DocumentError) -> JobFailure {
    JobFailure::abort(e.code(), e.to_string())
}

pub(crate) fn pdf_failure(e: PdfError) -> JobFailure {
    JobFailure::abort(e.code(), e.to_string())
}

fn office_failure(e: OfficeError) -> JobFailure {
    if e.is_retryable() {
        JobFailure::retry(e.code(), e.to_string())
    } else {
        JobFailure::abort(e.code(), e.to_string())
    }
}

pub(crate) fn panicked(_: tokio::task::JoinError) -> JobFailure {
    JobFailure::retry("job.panicked", "the document engine crashed")
}

/// The job result: what a client needs without another request.
pub(crate) fn result_of(doc: &DocumentRecord) -> serde_json::Value {
    serde_json::json!({
        "document_id": doc.id,
        "page_count": doc.page_count,
        "has_text": doc.has_text,
        "needs_ocr": doc.needs_ocr,
        "pdf_size": doc.pdf_size,
        "ocr_status": doc.ocr_status,
        "ocr_job_id": doc.ocr_job,
    })
}

impl JobSpec for ConvertDocument {
    const KIND: JobKind = JobKind::ConvertDocument;

    async fn run(self, ctx: JobContext) -> Result<serde_json::Value, JobFailure> {
        let existing = ctx.store.get_document(&ctx.tenant_id, ctx.job_id).await?;
        if let Some(doc) = existing.as_ref().filter(|d| d.status == DocumentStatus::Ready) {
            return Ok(result_of(doc));
        }
        let mut doc = existing.unwrap_or_else(|| self.new_record(&ctx.tenant_id, ctx.job_id));
        match convert(&self, &ctx).await {
            Ok((pdf_bytes, report)) => {
                ctx.progress(80).await;
                let (pdf_id, pdf_meta) =
                    ctx.store.put_blob(&ctx.tenant_id, "document.pdf", "application/pdf", pdf_bytes).await?;
                let (text_id, _) = ctx
                    .store
                    .put_blob(&ctx.tenant_id, "text.json", "application/json", text_blob(&report.pages))
                    .await?;
                document_text::apply_report(&mut doc, &report);
                doc.status = DocumentStatus::Ready;
                doc.pdf_blob = Some(pdf_id.0);
                doc.pdf_size = Some(pdf_meta.size);
                doc.text_blob = Some(text_id.0);
                doc.needs_ocr = match self.ocr {
                    OcrMode::Force => true,
                    OcrMode::Auto | OcrMode::Skip => !report.scanned_pages.is_empty(),
                };
                doc.error = None;
                doc.updated_at = now();
                super::searchable::maybe_start_ocr(&ctx, &mut doc).await?;
                ctx.store.save_document(&doc).await?;
                Ok(result_of(&doc))
            }
            Err(f) => {
                if !f.is_retryable() {
                    doc.status = DocumentStatus::Failed;
                    doc.error = Some(JobError { code: f.code().to_string(), message: f.message().to_string() });
                    doc.updated_at = now();
                    ctx.store.save_document(&doc).await?;
                }
                Err(f)
            }
        }
    }
}

/// Produces the PDF and its report, by family.
async fn convert(job: &ConvertDocument, ctx: &JobContext) -> Result<(Vec<u8>, PdfReport), JobFailure> {
    let Some((_, bytes)) = ctx.store.get_blob(&ctx.tenant_id, &job.blob_id).await? else {
        return Err(JobFailure::abort("document.missing", "the uploaded file is gone"));
    };
    let docs = ctx.services.documents.clone();
    let sandbox = ctx.services.sandbox.clone();
    let ty = sniff(&bytes).map_err(document_failure)?;
    if ty.is_zip() || ty.is_ole() {
        sandbox.check_container(bytes.clone(), ty, docs.settings.container).await?;
    }
    ctx.progress(10).await;
    let pdf_limits = docs.settings.pdf_limits();
    match ty.family() {
        DocFamily::Pdf => sandbox.pdf_normalize(bytes, &pdf_limits).await,
        DocFamily::Office => {
            let office = docs.office().await.map_err(office_failure)?;
            let pdf_bytes = office.convert(&bytes, ty.ext(), None).await.map_err(office_failure)?;
            ctx.progress(60).await;
            let report = sandbox.pdf_inspect(pdf_bytes.clone(), &pdf_limits).await?;
            Ok((pdf_bytes, report))
        }
        DocFamily::Image => {
            let mut images = vec![bytes];
            for id in &job.extra_blobs {
                let Some((_, b)) = ctx.store.get_blob(&ctx.tenant_id, id).await? else {
                    return Err(JobFailure::abort("document.missing", "an uploaded file is gone"));
                };
                images.push(b);
            }
            sandbox.images_to_pdf(images, &pdf_limits, docs.settings.max_image_pixels).await
        }
    }
}
