//! Documents: what an organizer uploaded and what the platform made of it.
//!
//! A document's id is the id of the `convert_document` job that processes
//! it, so a client that holds the `202` job view already holds the document
//! id, and an idempotent re-upload (same `Idempotency-Key`) finds the same
//! document. The record is the store's; the API shows [`DocumentView`].

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{JobError, JobId, TenantId};

/// `ocr=auto|force|skip` on upload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OcrMode {
    /// OCR the pages that are scans (images without text).
    #[default]
    Auto,
    /// OCR every page.
    Force,
    /// Never OCR.
    Skip,
}

impl FromStr for OcrMode {
    type Err = crate::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(OcrMode::Auto),
            "force" => Ok(OcrMode::Force),
            "skip" => Ok(OcrMode::Skip),
            _ => Err(crate::ParseError::new("ocr", "must be auto, force or skip")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DocumentStatus {
    /// Queued or converting.
    Processing,
    /// The PDF and the text are available.
    Ready,
    /// Conversion failed for good; `error` says why.
    Failed,
}

/// Where the searchable-PDF (OCR) step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OcrStatus {
    /// No OCR was needed or asked for.
    None,
    /// OCR is needed and queued or running.
    Pending,
    /// The PDF now has a text layer.
    Done,
    /// OCR failed for good; the PDF is the one without a text layer.
    Failed,
}

/// Document metadata from the PDF's Info dictionary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Other Info entries (subject, keywords, creator, producer, dates).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, String>,
}

/// The stored document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub id: JobId,
    pub tenant_id: TenantId,
    pub status: DocumentStatus,
    /// The client's file name, sanitized, for display only.
    pub filename: String,
    /// The MIME type recognized from the bytes.
    pub content_type: String,
    /// `docx`, `pdf`, `png`, …
    pub source_type: String,
    /// Bytes uploaded.
    pub size: u64,
    pub source_blob: String,
    pub ocr_mode: OcrMode,
    #[serde(default)]
    pub pdf_blob: Option<String>,
    #[serde(default)]
    pub pdf_size: Option<u64>,
    /// JSON `{"pages":[{"page","text"}]}`.
    #[serde(default)]
    pub text_blob: Option<String>,
    #[serde(default)]
    pub page_count: Option<u32>,
    #[serde(default)]
    pub has_text: Option<bool>,
    #[serde(default)]
    pub needs_ocr: bool,
    #[serde(default)]
    pub scanned_pages: Vec<u32>,
    #[serde(default)]
    pub metadata: DocumentMetadata,
    pub ocr_status: OcrStatus,
    /// The `make_searchable_pdf` job, when OCR runs.
    #[serde(default)]
    pub ocr_job: Option<JobId>,
    /// Pages whose OCR failed for good (kept, without a text layer).
    #[serde(default)]
    pub ocr_failed_pages: Vec<u32>,
    #[serde(default)]
    pub error: Option<JobError>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /v1/documents/{id}` (SPEC §8 fields first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: JobId,
    pub status: DocumentStatus,
    pub page_count: Option<u32>,
    pub has_text: Option<bool>,
    pub needs_ocr: bool,
    /// Bytes uploaded.
    pub size: u64,
    pub filename: String,
    pub content_type: String,
    pub source_type: String,
    /// Bytes of the PDF, once ready.
    pub pdf_size: Option<u64>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub metadata: DocumentMetadata,
    pub ocr_mode: OcrMode,
    pub ocr_status: OcrStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub ocr_job_id: Option<JobId>,
    pub scanned_pages: Vec<u32>,
    pub ocr_failed_pages: Vec<u32>,
    /// The conversion job (same id as the document).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub job_id: JobId,
    pub error: Option<JobError>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DocumentRecord {
    pub fn view(&self) -> DocumentView {
        DocumentView {
            id: self.id,
            status: self.status,
            page_count: self.page_count,
            has_text: self.has_text,
            needs_ocr: self.needs_ocr,
            size: self.size,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            source_type: self.source_type.clone(),
            pdf_size: self.pdf_size,
            title: self.metadata.title.clone(),
            author: self.metadata.author.clone(),
            metadata: self.metadata.clone(),
            ocr_mode: self.ocr_mode,
            ocr_status: self.ocr_status,
            ocr_job_id: self.ocr_job,
            scanned_pages: self.scanned_pages.clone(),
            ocr_failed_pages: self.ocr_failed_pages.clone(),
            job_id: self.id,
            error: self.error.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}
